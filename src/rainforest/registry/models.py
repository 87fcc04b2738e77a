from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.models import Membership, Organisation
from rainforest.registry.choices import (
    ExportFailure,
    ExportFormat,
    ExportKind,
    ExportStatus,
    HnteField,
    RecognitionKind,
    Round,
    Stage,
)


def money(label):
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True)


def count(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


def flag(label):
    return models.BooleanField(label, null=True, blank=True)


class Enterprise(models.Model):
    """The registry entry of an enterprise organisation (name and code live on the organisation)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="enterprise")
    founded_on = models.DateField(_("founded on"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.organisation.name


class YearlyFacts(models.Model):
    """One fiscal year of an enterprise, every column of shared/facts-schema.md.

    A blank value means unknown, never zero.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="facts")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    district = models.CharField(_("district"), max_length=50, blank=True, null=True)
    registered_in_hangzhou = flag(_("registered in Hangzhou"))
    industries = models.CharField(_("industry clusters"), max_length=300, blank=True, null=True)
    hnte_field = models.CharField(_("high-tech field"), max_length=2, choices=HnteField.choices, blank=True, null=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True, null=True)
    last_round = models.CharField(_("latest round"), max_length=16, choices=Round.choices, blank=True, null=True)
    employees = count(_("employees"))
    tech_staff = count(_("tech staff"))
    rd_staff = count(_("R&D staff"))
    revenue = money(_("operating revenue"))
    total_costs = money(_("total costs and expenses"))
    rd_expense = money(_("R&D expense"))
    rd_expense_domestic = money(_("R&D expense in China"))
    high_tech_income = money(_("high-tech income"))
    total_income = money(_("total income"))
    total_assets = money(_("total assets"))
    net_assets = money(_("net assets"))
    financing_total = money(_("equity financing to date"))
    valuation = money(_("latest post-money valuation"))
    ip_class1 = count(_("class-I IP"))
    ip_class2 = count(_("class-II IP"))
    conversions = count(_("results converted"))
    tech_sme_registered = flag(_("on the national tech-SME register"))
    provincial_tech_sme = flag(_("on the provincial tech-SME register"))
    hnte_certified_on = models.DateField(_("high-tech certificate date"), null=True, blank=True)
    direct_confirmation = flag(_("meets a tech-SME direct-confirmation condition"))
    restricted_sector = flag(_("in a sector the tech-SME evaluation excludes"))
    clean_record = flag(_("clean record"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("yearly facts")
        verbose_name_plural = _("yearly facts")
        ordering = ["enterprise_id", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "fiscal_year"], name="unique_facts_year"),
            models.CheckConstraint(
                condition=models.Q(tech_staff__isnull=True)
                | models.Q(employees__isnull=True)
                | models.Q(tech_staff__lte=models.F("employees")),
                name="tech_staff_within_employees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.fiscal_year}"


class Recognition(models.Model):
    """A title the enterprise holds: tech-SME registration, HNTE certificate, young eagle..."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="recognitions")
    kind = models.CharField(_("kind"), max_length=16, choices=RecognitionKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    reference = models.CharField(_("certificate or registration number"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "year"], name="unique_recognition")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class FinancingRound(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="rounds")
    round = models.CharField(_("round"), max_length=16, choices=Round.choices)
    closed_on = models.DateField(_("closed on"))
    amount = models.DecimalField(_("amount raised"), max_digits=18, decimal_places=2)
    post_money = money(_("post-money valuation"))
    lead_investor = models.CharField(_("lead investor"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("financing round")
        verbose_name_plural = _("financing rounds")
        ordering = ["enterprise_id", "closed_on"]

    def __str__(self) -> str:
        return f"{self.get_round_display()} {self.closed_on}"


class ExportJob(models.Model):
    """A file built in the background for the person who asked for it (registry/export_jobs.py).

    It is built as that person in the membership they asked in, so it holds what they could see
    then; only they download it, and it is deleted when it expires. The membership is copied as
    organisation and role: revoking the role empties the link, and the job then fails rather than
    run with rights its requester no longer has.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs", verbose_name=_("requested by")
    )
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=32)
    language = models.CharField(max_length=16)  # the interface language the file's headings are written in
    kind = models.CharField(_("export"), max_length=40, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    filename = models.CharField(_("file name"), max_length=120)
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    failure = models.CharField(_("reason"), max_length=16, choices=ExportFailure.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the job's first row in the queue
    path = models.CharField(max_length=200, blank=True)  # under MEDIA_ROOT, never served as a URL
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="export_user_recent"),
            models.Index(fields=["status", "expires_at"], name="export_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.format} #{self.pk}"

    @property
    def pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def summary(self) -> str:
        """The parameters as a reader sees them (a year, a district, a cluster code)."""
        return " · ".join(str(v) for v in self.parameters.values() if v not in (None, ""))
