"""Domain errors shared by pages, the API and the CLI; each carries a translated message."""

from django.core.exceptions import ValidationError


class StaleEdit(ValidationError):
    """Someone else saved the record after this user opened it."""


class RuleViolation(ValidationError):
    """A request breaks a standing rule (separation of duties, a policy floor...)."""
