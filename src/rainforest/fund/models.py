"""The Seedling fund: deals through a state machine, the company's cap table as events, rounds
with the compliance report they were checked against, the investment committee, money flows."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rainforest.fund.choices import ENDED_STAGES, FlowKind, MarkKind, Source, Stage, Vote
from rainforest.registry.models import Enterprise

MONEY = {"max_digits": 16, "decimal_places": 2}
# The first amount a MONEY column cannot hold: 10^14 yuan.
MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
USER = settings.AUTH_USER_MODEL


class Deal(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="deals")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    referrer = models.CharField(_("referred by"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.SOURCED)
    unit = models.CharField(max_length=24, default="shares")  # or registered_capital_cny
    checklist = models.JSONField(default=dict)  # due-diligence item -> {"done": bool, "note": str}
    screening = models.JSONField(null=True, blank=True)  # the engine's fund_target result when screened
    override_reason = models.TextField(blank=True)  # the committee's recorded override of the ticket rule
    stage_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=~Q(stage__in=ENDED_STAGES),
                name="fund_one_live_deal_per_company",
                violation_error_message=_("This company already has a live deal."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}"


class TableEvent(models.Model):
    """One change of the company's cap table (core.captable.table.Event, stored)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="table_events")
    on = models.DateField()
    kind = models.CharField(max_length=16)
    holder = models.CharField(max_length=200, blank=True)
    to = models.CharField(max_length=200, blank=True)
    units = models.BigIntegerField()
    security_class = models.CharField(max_length=50, default="common")
    price = models.CharField(max_length=40, blank=True)
    city_fund = models.BooleanField(default=False)  # the holder is one of the city's funds
    round = models.ForeignKey("Round", on_delete=models.CASCADE, null=True, blank=True, related_name="events")

    class Meta:
        ordering = ["on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(units__gt=0), name="table_event_units_positive")]

    def __str__(self) -> str:
        return f"{self.on} {self.kind} {self.holder} {self.units}"


class Round(models.Model):
    """A priced round proposed on the deal's table; recorded only once the compliance report is kept."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("round"), max_length=50)
    on = models.DateField(_("closing date"))
    pre_money = models.DecimalField(_("pre-money valuation"), **MONEY)
    investors = models.JSONField()  # [{"name", "amount", "is_fund", "city_fund"}]
    pool_top_up_post_pct = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    price_per_share = models.DecimalField(max_digits=24, decimal_places=10)
    report = models.JSONField()  # the compliance report, as the committee saw it
    report_digest = models.CharField(max_length=64)  # SHA-256 of the report: what an approval signs
    verdict = models.CharField(max_length=16)
    recorded = models.BooleanField(default=False)  # applied to the table
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.deal} {self.name}"


class CommitteeMember(models.Model):
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    external = models.BooleanField(_("external expert"))
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], condition=Q(until=None), name="one_current_seat")]

    def __str__(self) -> str:
        return f"{self.user}"


class Meeting(models.Model):
    """The committee on one round: declarations, votes with conditions, minutes, the decision."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="meeting")
    held_on = models.DateField()
    minutes = models.TextField(blank=True)
    decision = models.CharField(max_length=16, blank=True)  # approved | rejected
    signed_digest = models.CharField(max_length=64, blank=True)  # the report digest the approval signs
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.round} {self.held_on}"


class Ballot(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+")
    conflict = models.TextField(blank=True)  # a declared interest: the member does not vote
    vote = models.CharField(max_length=8, choices=Vote.choices, blank=True)
    conditions = models.TextField(blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_ballot_per_member")]

    def __str__(self) -> str:
        return f"{self.meeting} {self.member} {self.vote}"


class CashFlow(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="flows")
    on = models.DateField()
    kind = models.CharField(max_length=16, choices=FlowKind.choices)
    amount = models.DecimalField(**MONEY)  # positive; the kind gives the direction
    round = models.ForeignKey(Round, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="cash_flow_positive")]

    def __str__(self) -> str:
        return f"{self.deal} {self.kind} {self.amount}"


class Mark(models.Model):
    """Fair value of the fund's holding: the latest round price, or an officer's write-down."""

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="marks")
    on = models.DateField()
    kind = models.CharField(max_length=16, choices=MarkKind.choices)
    value = models.DecimalField(**MONEY)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.deal} {self.on} {self.value}"
