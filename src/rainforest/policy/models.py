from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreeningRun(models.Model):
    """One bulk screening: which rules, which date, what came out."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("Registry")
        UPLOAD = "upload", _("Uploaded file")

    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False)
    created_by_label = models.CharField(_("run by"), max_length=150)
    ruleset = models.CharField(_("rule set"), max_length=64)
    ruleset_version = models.CharField(_("rule set version"), max_length=32)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    tiers = models.JSONField(_("tiers"))
    readings = models.JSONField(_("readings chosen where sources disagree"), default=dict, blank=True)
    counts = models.JSONField(_("counts per tier and verdict"))
    enterprises = models.PositiveIntegerField(_("enterprises"))
    seconds = models.FloatField(_("seconds"))

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.as_of} {self.ruleset_version}"


class ScreeningResult(models.Model):
    """One enterprise in a run: the `rainforest screen` record, kept as it was produced."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="results")
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True)
    verdicts = models.JSONField(_("verdicts"))
    record = models.JSONField(_("record"))

    class Meta:
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")
        ordering = ["run_id", "uscc"]
        constraints = [models.UniqueConstraint(fields=["run", "uscc"], name="unique_result_per_run")]

    def __str__(self) -> str:
        return f"{self.name} ({self.run_id})"


class ReviewDecision(models.Model):
    """An officer's decision on a `review` verdict, with the reason."""

    class Decision(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")

    result = models.ForeignKey(ScreeningResult, on_delete=models.CASCADE, related_name="decisions")
    tier = models.CharField(_("tier"), max_length=32)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False)
    decided_by_label = models.CharField(_("decided by"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        constraints = [models.UniqueConstraint(fields=["result", "tier"], name="one_decision_per_tier")]

    def __str__(self) -> str:
        return f"{self.result} {self.tier}: {self.decision}"
