from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.models import Organisation
from rainforest.exchange.choices import ApplicationStatus, CallStatus
from rainforest.exchange.models.scenarios import Scenario


class Call(models.Model):
    """An open call (揭榜挂帅) on a published scenario: a window to the second and a rubric."""

    scenario = models.OneToOneField(Scenario, on_delete=models.PROTECT, related_name="call")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    max_winners = models.PositiveSmallIntegerField(_("winners at most"), default=1, validators=[MinValueValidator(1)])
    blind_review = models.BooleanField(_("blind review (experts do not see applicants)"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.OPEN)
    opened_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("open call")
        verbose_name_plural = _("open calls")
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens_at__lt=models.F("closes_at")), name="call_window_order")
        ]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.closes_at:%Y-%m-%d %H:%M:%S})"


class RubricCriterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rubric")
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MinValueValidator(1)])
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call_id", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_score__gte=1), name="rubric_max_score_positive"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="rubric_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class Application(models.Model):
    """An enterprise's proposal to a call; editable until the deadline, each save a new receipt."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    approach = models.TextField(_("approach"))
    plan = models.TextField(_("plan"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=0)
    team = models.TextField(_("team"))
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("received at"))
    receipt_no = models.CharField(_("receipt number"), max_length=40, unique=True)
    digest = models.CharField(_("digest of what was received (SHA-256)"), max_length=64)
    version = models.PositiveIntegerField(default=1, editable=False)
    total_score = models.FloatField(_("weighted score"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call_id", "rank", "submitted_at"]
        constraints = [
            # one live application per organisation per call; a withdrawn one does not count
            models.UniqueConstraint(
                fields=["call", "applicant"], condition=~models.Q(status="withdrawn"), name="one_live_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.call.scenario}"
