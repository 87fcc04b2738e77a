"""The Seedling programme: yearly good-seedling selection, measures and their money, companion support."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rainforest.registry.models import Enterprise
from rainforest.seedling.choices import (
    LIVE_APPLICATION,
    ApplicationStatus,
    CandidacyStatus,
    Ground,
    NeedStatus,
    RoundStatus,
    Route,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class SelectionRound(models.Model):
    """One year's good-seedling selection (好苗子遴选)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    quota = models.PositiveIntegerField(_("quota"))
    rubric = models.JSONField(_("rubric"))  # [[criterion, weight, max points], ...], weights sum to 100
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    ruleset_version = models.CharField(max_length=32)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class Candidacy(models.Model):
    round = models.ForeignKey(SelectionRound, on_delete=models.PROTECT, related_name="candidacies")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="candidacies")
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    ground = models.CharField(_("relaxation ground"), max_length=32, choices=Ground.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    precheck = models.JSONField()  # the engine's good_seedling result when submitted
    precheck_verdict = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=CandidacyStatus.choices, default=CandidacyStatus.CANDIDATE)
    rank = models.PositiveIntegerField(null=True, blank=True)
    mean_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "enterprise"], name="one_candidacy_per_round")]
        ordering = ["rank", "submitted_at"]

    def __str__(self) -> str:
        return f"{self.round.year} {self.enterprise}"


class PanelMember(models.Model):
    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(null=True, blank=True)
    declaration = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "expert"], name="seedling_one_seat_per_expert")]

    def __str__(self) -> str:
        return f"{self.round} {self.expert}"


class Score(models.Model):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.JSONField()  # points per rubric criterion, in rubric order
    total = models.DecimalField(max_digits=7, decimal_places=2)  # weighted, out of 100
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidacy", "expert"], name="seedling_one_score_per_expert")]

    def __str__(self) -> str:
        return f"{self.candidacy} {self.total}"


class Loan(models.Model):
    """A loan of a good seedling, as the basis of the interest subsidy (constant principal)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="loans")
    lender = models.CharField(_("lender"), max_length=200)
    reference = models.CharField(_("contract number"), max_length=64)
    principal = models.DecimalField(_("principal outstanding (yuan)"), **MONEY)
    annual_rate = models.DecimalField(_("annual interest rate"), max_digits=7, decimal_places=6)
    start = models.DateField(_("drawn on"))
    end = models.DateField(_("repaid on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "reference", "start"], name="one_loan_period"),
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="loan_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.lender} {self.reference}"


class MeasureApplication(models.Model):
    """An enterprise's application under one measure of the rule set, decided by an officer."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="measure_applications")
    measure = models.CharField(_("measure"), max_length=16)  # rule-set measure id, e.g. RM-M03c
    ruleset_version = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField(_("year"))
    # What is paid once: "once", the recognition year ("hnte:2025"), or the calendar year.
    event = models.CharField(max_length=32)
    amount_requested = models.DecimalField(_("amount requested (yuan)"), **MONEY)
    amount_computed = models.DecimalField(**MONEY, null=True, blank=True)  # the interest subsidy
    amount_approved = models.DecimalField(**MONEY, null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months of rent concession"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        constraints = [
            # The same event is never paid twice: one live application per enterprise, measure and event.
            models.UniqueConstraint(
                fields=["enterprise", "measure", "event"],
                condition=Q(status__in=LIVE_APPLICATION),
                name="one_live_application_per_event",
            )
        ]
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.measure} {self.enterprise} {self.year}"


class Disbursement(models.Model):
    application = models.OneToOneField(MeasureApplication, on_delete=models.PROTECT, related_name="disbursement")
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"


class CaseOfficer(models.Model):
    """The officer accompanying a good seedling (陪伴式服务)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="case_officers")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=Q(until=None), name="one_current_case_officer")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.officer}"


class Visit(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="visits")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"))
    notes = models.TextField(_("notes"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.on}"


class Need(models.Model):
    """A need the company raised, with its service-level clock."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="needs")
    raised_on = models.DateField(_("raised on"))
    category = models.CharField(_("category"), max_length=50)
    description = models.TextField(_("description"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["status", "due_on"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.category}"


class Standing(models.Model):
    """Where one enterprise stood at the end of one year, for the pyramid: the district and clusters
    of its latest facts up to that year, the seed verdict at 31 December and the titles in force then.

    Derived data, kept exact by seedling/standings.py inside every transaction that changes its inputs
    (facts, founding date, recognitions); never edited by hand."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    district = models.CharField(max_length=50, blank=True)
    clusters = models.CharField(max_length=310, blank=True)  # ";code;code;": a cluster matches as ";code;"
    seed = models.BooleanField(default=False)
    tech_sme = models.BooleanField(default=False)
    good_seedling = models.BooleanField(default=False)
    hnte = models.BooleanField(default=False)
    young_eagle = models.BooleanField(default=False)
    tech_leader = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_standing_per_year")]
        indexes = [models.Index(fields=["year", "district"], name="standing_year_district")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class StandingsBuild(models.Model):
    """The one row saying which rule set and which years the standings were built for: a rule set
    released since, or a year past the horizon, sends the pyramid back to counting live."""

    ruleset = models.CharField(max_length=64)
    ruleset_version = models.CharField(max_length=32)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    built_at = models.DateTimeField()
    enterprises = models.PositiveIntegerField()
    seconds = models.FloatField()

    def __str__(self) -> str:
        return f"{self.ruleset} {self.ruleset_version} {self.first_year}-{self.last_year}"
