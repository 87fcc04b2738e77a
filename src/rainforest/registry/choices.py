from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    RD = "rd", _("Research and development")
    PROTOTYPE = "prototype", _("Prototype")
    PRODUCT = "product", _("Product")
    GROWTH = "growth", _("Growth")
    MATURE = "mature", _("Mature")


class Round(models.TextChoices):
    NONE = "none", _("No equity round")
    ANGEL = "angel", _("Angel")
    SEED = "seed", _("Seed")
    PRE_A = "pre_a", _("Pre-A")
    A = "a", _("Series A")
    B = "b", _("Series B")
    C = "c", _("Series C")
    LATER = "later", _("Later rounds")
    LISTED = "listed", _("Listed")


class HnteField(models.TextChoices):
    F1 = "F1", _("Electronic information")
    F2 = "F2", _("Biology and new medicine")
    F3 = "F3", _("Aviation and aerospace")
    F4 = "F4", _("New materials")
    F5 = "F5", _("High-tech services")
    F6 = "F6", _("New energy and energy saving")
    F7 = "F7", _("Resources and environment")
    F8 = "F8", _("Advanced manufacturing and automation")


class RecognitionKind(models.TextChoices):
    TECH_SME = "tech_sme", _("Tech SME registration")
    HNTE = "hnte", _("High-tech enterprise certificate")
    YOUNG_EAGLE = "young_eagle", _("Young eagle")
    TECH_LEADER = "tech_leader", _("Tech leader")
    GOOD_SEEDLING = "good_seedling", _("Good seedling")


class ExportKind(models.TextChoices):
    """What a background export builds. Each kind's task lives in the app that owns its data; the
    registry keeps the list so that one page can name every export a person asked for."""

    REGISTRY_FACTS = "registry.facts", _("Enterprise registry facts")
    SEEDLING_PYRAMID = "seedling.pyramid", _("Seedling pyramid")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being generated")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


class ExportFailure(models.TextChoices):
    """Why an export failed, as its requester reads it."""

    PERMISSION = (
        "permission",
        _(
            "You no longer hold the role this export needs, so it was not generated. "
            "Ask your system administrator if you still need it."
        ),
    )
    ERROR = (
        "error",
        _(
            "The export could not be generated. Please request it again; if it fails again, "
            "tell your system administrator."
        ),
    )
