from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest.policy.labels import GROUNDS


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open for applications and nominations")
    REVIEW = "review", _("Expert review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Route(models.TextChoices):
    APPLIED = "applied", _("Applied")
    NOMINATED = "nominated", _("Nominated")


class Ground(models.TextChoices):
    """The relaxation grounds of RM-HMZ (policy-spec §2.3)."""

    NONE = "", _("None")
    OWN_IP = "owns_independent_ip", GROUNDS["owns_independent_ip"]
    MARKET_GAP = "fills_market_gap", GROUNDS["fills_market_gap"]
    DISRUPTIVE = "disruptive_technology", GROUNDS["disruptive_technology"]


class CandidacyStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    EXCLUDED = "excluded", _("Not eligible")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    DISBURSED = "disbursed", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_APPLICATION = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED, ApplicationStatus.DISBURSED)
COUNTED_APPLICATION = (ApplicationStatus.APPROVED, ApplicationStatus.DISBURSED)


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need status", "Open")  # a call that is "Open" is 征集中
    RESOLVED = "resolved", _("Resolved")
