import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.models import Organisation
from rainforest.core.years import PLATFORM_YEARS, YEAR_BOUNDS
from rainforest.exchange.choices import CapabilityStatus, Domain, FocusArea, ScenarioKind, ScenarioStatus

TRL = [MinValueValidator(1), MaxValueValidator(9)]
NOT_NEGATIVE = MinValueValidator(0)


class Scenario(models.Model):
    """A real application scenario a department or company opens to enterprises."""

    publisher = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="scenarios")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    focus_area = models.CharField(_("focus area"), max_length=16, choices=FocusArea.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=ScenarioKind.choices)
    problem = models.TextField(_("the problem"))
    site = models.CharField(_("site"), max_length=200, blank=True)
    resources = models.TextField(_("data and resources offered"), blank=True)
    constraints = models.TextField(_("constraints"), blank=True)
    min_trl = models.PositiveSmallIntegerField(_("minimum technology readiness (TRL)"), validators=TRL)
    budget_min = models.DecimalField(
        _("budget from (yuan)"), max_digits=14, decimal_places=0, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    budget_max = models.DecimalField(
        _("budget up to (yuan)"), max_digits=14, decimal_places=0, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    district = models.CharField(_("district"), max_length=50, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_public = models.BooleanField(_("contact may be shown publicly"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT)
    status_reason = models.TextField(_("reason of the last return or withdrawal"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "domain"]), models.Index(fields=["publisher", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="scenario_budget_order",
                violation_error_message=_("The budget's lower end cannot be above its upper end."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True) | models.Q(budget_min__gte=0),
                name="scenario_budget_min_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_max__isnull=True) | models.Q(budget_max__gte=0),
                name="scenario_budget_max_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(starts_on__lte=models.F("ends_on")),
                name="scenario_period_order",
                violation_error_message=_("The scenario cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        # Said against the field the user must change; the constraints above say it to the database.
        errors = {}
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            errors["budget_max"] = _("The budget's upper end must be at least its lower end.")
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        for name in ("starts_on", "ends_on"):
            day = getattr(self, name)
            if day and day.year not in PLATFORM_YEARS:
                errors.setdefault(name, _("The year must be between %(first)d and %(last)d.") % YEAR_BOUNDS)
        if errors:
            raise ValidationError(errors)


class Capability(models.Model):
    """What an enterprise, proof-of-concept centre or pilot base can do (能力清单 item)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="capabilities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    domains = models.JSONField(_("domains"), default=list)
    description = models.TextField(_("description"))
    trl = models.PositiveSmallIntegerField(_("technology readiness (TRL)"), validators=TRL)
    reference_cases = models.TextField(_("reference cases"), blank=True)
    certifications = models.TextField(_("certifications"), blank=True)
    districts_served = models.JSONField(_("districts served"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=CapabilityStatus.choices, default=CapabilityStatus.DRAFT
    )
    status_reason = models.TextField(_("reason of the last return"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["-approved_at", "-id"]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance, filename: str) -> str:
    """Generated names only: the uploader's file name is kept as data, never as a path."""
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A checked upload (type by content, size) belonging to a scenario, application or milestone."""

    owner_type = models.CharField(max_length=32)
    owner_id = models.BigIntegerField()
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.original_name
