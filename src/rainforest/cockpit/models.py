from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

VALUE = {"max_digits": 24, "decimal_places": 6}


class Indicator(models.Model):
    """One indicator's identity; what it means is in its versions (the latest is in force)."""

    class Origin(models.TextChoices):
        CATALOGUE = "catalogue", _("Published catalogue")
        OFFICER = "officer", _("Defined by an officer")

    code = models.SlugField(max_length=64, unique=True)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code


class IndicatorVersion(models.Model):
    """A definition as it stood from ``created_at``: name, unit, target, source, how it is counted."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    catalogue_version = models.CharField(max_length=32, blank=True)  # blank: an officer's edit
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["indicator", "version"], name="indicator_version_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id} v{self.version}"


class Observation(models.Model):
    """An entered figure for one period; a correction is a new version and the old one stays."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    year = models.PositiveSmallIntegerField(_("year"))
    # 0: the whole year; m: January to month m of the year (the way bureaus publish "1—10月").
    month = models.PositiveSmallIntegerField(_("to month"), default=0)
    value = models.DecimalField(_("value"), **VALUE)
    source_document = models.CharField(_("source document"), max_length=300)
    note = models.CharField(_("note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    demo = models.BooleanField(default=False)  # an illustrative figure of the demo city, not a statistic
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    file_sha256 = models.CharField(max_length=64, blank=True)  # the imported file it came from

    class Meta:
        ordering = ["indicator_id", "year", "month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "month"], condition=Q(current=True), name="one_current_observation"
            ),
            models.UniqueConstraint(fields=["indicator", "year", "month", "version"], name="observation_version"),
            models.CheckConstraint(condition=Q(month__lte=12), name="observation_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}-{self.month:02d} v{self.version}"


class Brief(models.Model):
    """The monthly brief: the cockpit as it stood, as a PDF and an XLSX a department head can forward."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()  # every indicator's figures, so the next brief can say what changed
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    language = models.CharField(max_length=8)
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-year", "-month", "-generated_at"]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.language}"
