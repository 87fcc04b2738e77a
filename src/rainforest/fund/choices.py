from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    """Deal sources as policy-spec RF-17 lists them."""

    DEPARTMENT = "department", _("Referred by a government department")
    UNIVERSITY = "university", _("Referred by a university")
    INSTITUTE = "institute", _("Referred by a research institute")
    INCUBATOR = "incubator", _("Referred by an incubator")
    PLATFORM = "platform", _("High-scoring project on the city's start-up platform")
    COMPETITION = "competition", _("Competition winner")
    SELF = "self", _("Self-nominated")


class Stage(models.TextChoices):
    SOURCED = "sourced", _("Sourced")
    SCREENING = "screening", _("Screening")
    DILIGENCE = "diligence", _("Due diligence")
    COMMITTEE = "committee", _("Investment committee")
    TERM_SHEET = "term_sheet", _("Term sheet")
    CLOSING = "closing", _("Closing")
    PORTFOLIO = "portfolio", _("Post-investment")
    EXITED = "exited", _("Exited")
    WRITTEN_OFF = "written_off", _("Written off")
    DECLINED = "declined", _("Declined")


# A deal in any other stage is live: a company has at most one live deal.
ENDED_STAGES = (Stage.DECLINED, Stage.EXITED, Stage.WRITTEN_OFF)


class Vote(models.TextChoices):
    # A ballot's words, in their own context: "For" elsewhere is a table header (适用对象).
    FOR = "for", pgettext_lazy("vote", "For")
    AGAINST = "against", pgettext_lazy("vote", "Against")
    ABSTAIN = "abstain", pgettext_lazy("vote", "Abstain")


class FlowKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    FOLLOW_ON = "follow_on", _("Follow-on")
    DISTRIBUTION = "distribution", _("Distribution")


class MarkKind(models.TextChoices):
    ROUND = "round", _("Latest round price")
    WRITE_DOWN = "write_down", _("Officer's write-down")
