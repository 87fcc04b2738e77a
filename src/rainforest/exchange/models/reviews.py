from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rainforest.exchange.models.calls import Application, Call


class ExpertAssignment(models.Model):
    """An expert on a call's panel. Nothing is shown to the expert before the declaration."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by_label = models.CharField(max_length=150)
    assigned_at = models.DateTimeField(auto_now_add=True)
    declared_at = models.DateTimeField(_("conflicts declared at"), null=True, blank=True)
    declared_conflicts = models.JSONField(_("applications declared conflicted"), default=list, blank=True)
    declaration_note = models.TextField(_("declaration"), blank=True)

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [models.UniqueConstraint(fields=["call", "expert"], name="one_seat_per_expert")]

    def __str__(self) -> str:
        return f"{self.expert} @ {self.call}"


class Review(models.Model):
    """One expert's scores for one application; locked once submitted."""

    assignment = models.ForeignKey(ExpertAssignment, on_delete=models.PROTECT, related_name="reviews")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reviews")
    scores = models.JSONField(_("scores per criterion"))
    comment = models.TextField(_("comment"), blank=True)
    weighted = models.FloatField(_("weighted score (0-100)"))
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["assignment", "application"], name="one_review_per_expert")]

    def __str__(self) -> str:
        return f"{self.assignment.expert} → {self.application_id}: {self.weighted:.1f}"


class PublicNotice(models.Model):
    """公示: results on public notice for at least five working days before they are final.

    An upheld objection voids the notice; the call goes back to review and a new pick gets a new
    notice, so every notice and its awards stay on record."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="notices")
    starts_on = models.DateField(_("notice from"))
    ends_on = models.DateField(_("notice until"))
    channel = models.CharField(_("objection channel"), max_length=200)
    finalised_at = models.DateTimeField(_("final at"), null=True, blank=True)
    void = models.BooleanField(_("void (objection upheld)"), default=False)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.call}: {self.starts_on} – {self.ends_on}"


class Award(models.Model):
    """The publisher's pick, with the reason, put on public notice."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="awards")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="awards")
    reason = models.TextField(_("reason"))
    picked_by_label = models.CharField(max_length=150)
    picked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.UniqueConstraint(fields=["notice", "application"], name="one_award_per_notice")]

    def __str__(self) -> str:
        return str(self.application)


class Objection(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld: re-review")

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    submitted_by_label = models.CharField(max_length=150)
    text = models.TextField(_("objection"))
    submitted_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    response = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.notice}: {self.outcome}"
