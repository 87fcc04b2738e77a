from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    """The brief's five robot scenario domains (S0-E4). Unverified against a published list
    (policy-spec §8.1): kept as data here, with `other` for scenarios outside robotics."""

    INDUSTRY = "industry", _("Industrial manufacturing")
    LIFE = "life", _("Life services")
    TOURISM = "tourism", _("Culture and tourism reception")
    PATROL = "patrol", _("Patrol and inspection")
    CARE = "care", _("Medical and elderly care")
    OTHER = "other", _("Other fields")


class FocusArea(models.TextChoices):
    GOVERNANCE = "governance", _("City governance")
    LIVELIHOOD = "livelihood", _("Social livelihood")
    INDUSTRY = "industry", _("Industrial upgrading")


class ScenarioKind(models.TextChoices):
    TYPICAL = "typical", _("Typical application")
    CULTIVATION = "cultivation", _("Cultivation (攻关)")
    OPPORTUNITY = "opportunity", _("Opportunity")


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned with reasons")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    CALL_OPEN = "call_open", _("Call open")
    CALL_CLOSED = "call_closed", _("Call closed")
    AWARDED = "awarded", _("Awarded")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CapabilityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned with reasons")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CallStatus(models.TextChoices):
    OPEN = "open", _("Open")  # accepting between opens_at and closes_at
    REVIEW = "review", _("Under review")
    NOTICE = "notice", _("In public notice")
    FINAL = "final", _("Final")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WINNER = "winner", _("Winner")
    NOT_SELECTED = "not_selected", _("Not selected")


class ProjectStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    TRIAL = "trial", _("In trial")
    LANDED = "landed", _("Landed")
    ACCEPTED = "accepted", _("Accepted")
    SCALED = "scaled", _("Scaled up")
    TERMINATED = "terminated", _("Terminated")


class ListKind(models.TextChoices):
    SCENARIOS = "scenarios", _("Scenario opportunity list")
    CAPABILITIES = "capabilities", _("Capability list")
