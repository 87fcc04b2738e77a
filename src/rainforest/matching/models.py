from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rainforest.exchange.models import Capability, Scenario


class Collection(models.TextChoices):
    CAPABILITY = "capability", _("Capability")
    SCENARIO = "scenario", _("Scenario")


class IndexChange(models.Model):
    """One row per saved or deleted scenario or capability, written in the save's own transaction.
    Every worker reads the rows after its watermark and re-indexes those objects (an outbox)."""

    collection = models.CharField(max_length=16, choices=Collection.choices)
    object_id = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.collection} {self.object_id}"


class Verdict(models.TextChoices):
    GOOD = "good", _("Good recommendation")
    WRONG = "wrong", _("Wrong recommendation")


class Feedback(models.Model):
    """An officer's judgement of one recommendation; the latest word of each officer counts."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="match_feedback")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="match_feedback")
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scenario", "capability", "by"], name="feedback_once_per_officer")
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id}/{self.capability_id}: {self.verdict}"


class Shortlist(models.Model):
    """A recommendation the publisher (or an officer) keeps for follow-up; whether it later led to
    an application or an award is read from the call, not stored twice."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="shortlist")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="shortlisted")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "capability"], name="shortlist_once")]

    def __str__(self) -> str:
        return f"{self.scenario_id}/{self.capability_id}"


class RankingVersion(models.Model):
    """Ranking weights refitted from what officers and outcomes taught the platform, with how the
    refit and the version then in use did on the built-in held-out scenarios. Only an adopted
    version is used; one that was not better stays here, refused, as the record of the attempt."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    weights = models.JSONField(_("weights"))  # the ranking.yaml layout
    fitted_at = models.DateTimeField(_("fitted at"), auto_now_add=True)
    judged_pairs = models.PositiveIntegerField(_("judged pairs from feedback"))
    replaced = models.CharField(_("version in use before"), max_length=40)
    heldout_ndcg = models.FloatField(_("held-out nDCG@10"))
    heldout_recall = models.FloatField(_("held-out Recall@20"))
    previous_ndcg = models.FloatField(_("held-out nDCG@10 of the version in use"))
    previous_recall = models.FloatField(_("held-out Recall@20 of the version in use"))
    adopted = models.BooleanField(_("adopted"), default=False)

    class Meta:
        ordering = ["-fitted_at", "-pk"]

    def __str__(self) -> str:
        return self.version
