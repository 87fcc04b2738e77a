"""Every write of the fund: deals through their state machine, the cap table, rounds and their
compliance reports, the investment committee, money flows and marks. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts import audit
from rainforest.accounts.permissions import FUND_MANAGE, FUND_VOTE, Principal
from rainforest.core.captable.compliance import deal_criteria, verdict
from rainforest.core.captable.conversion import Convertible
from rainforest.core.captable.numbers import dec, exact
from rainforest.core.captable.round import OPTIONS, POOL, Investor, RoundError, priced_round
from rainforest.core.captable.rules import fund_rules
from rainforest.core.captable.table import CapTable, Event, TableError
from rainforest.fund.choices import ENDED_STAGES, FlowKind, MarkKind, Source, Stage
from rainforest.fund.models import (
    MONEY_LIMIT,
    Ballot,
    CashFlow,
    CommitteeMember,
    Deal,
    Mark,
    Meeting,
    Round,
    TableEvent,
)
from rainforest.fund.problems import worded
from rainforest.policy.selectors import enterprise_rows
from rainforest.registry.models import Enterprise
from rainforest.seedling.eligibility import snapshot, tier_results

FUND_NAME = "润苗基金"
CHECKLIST = (
    "工商登记与股权结构核查",
    "财务尽职调查",
    "法律尽职调查",
    "技术尽职调查",
    "知识产权核查",
    "创始团队背景调查",
)

# action -> (from stages, to stage)
MOVES = {
    "screen": ({Stage.SOURCED}, Stage.SCREENING),
    "diligence": ({Stage.SCREENING}, Stage.DILIGENCE),
    "committee": ({Stage.DILIGENCE}, Stage.COMMITTEE),
    "term_sheet": ({Stage.COMMITTEE}, Stage.TERM_SHEET),
    "closing": ({Stage.TERM_SHEET}, Stage.CLOSING),
    "portfolio": ({Stage.CLOSING}, Stage.PORTFOLIO),
    "exit": ({Stage.PORTFOLIO}, Stage.EXITED),
    "write_off": ({Stage.PORTFOLIO}, Stage.WRITTEN_OFF),
    "decline": ({Stage.SOURCED, Stage.SCREENING, Stage.DILIGENCE, Stage.COMMITTEE, Stage.TERM_SHEET}, Stage.DECLINED),
}


def _locked(deal: Deal) -> Deal:
    return Deal.objects.select_for_update().get(pk=deal.pk)


def _record(actor, action, deal: Deal, **after):
    audit.record(
        actor, action, subject_type="deal", subject_id=deal.pk, subject_label=str(deal.enterprise), after=after
    )


@transaction.atomic
def deal_create(
    *, actor: Principal, enterprise: Enterprise, source: str, referrer: str = "", unit: str = "shares"
) -> Deal:
    actor.require(FUND_MANAGE)
    if source not in Source.values:
        raise ValidationError(_("Unknown deal source."))
    if unit not in ("shares", "registered_capital_cny"):
        raise ValidationError(_("Units are shares or yuan of registered capital."))
    # The company's row is the lock: two managers opening a deal at once leave one, and the second
    # is told why (the partial unique constraint is the last word if anything bypasses this).
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if Deal.objects.filter(enterprise=enterprise).exclude(stage__in=ENDED_STAGES).exists():
        raise ValidationError(_("This company already has a live deal."))
    deal = Deal.objects.create(
        enterprise=enterprise,
        source=source,
        referrer=referrer.strip(),
        unit=unit,
        checklist={item: {"done": False, "note": ""} for item in CHECKLIST},
        created_by=actor.user,
    )
    _record(actor, "fund.deal.created", deal, source=source, referrer=deal.referrer)
    return deal


@transaction.atomic
def deal_move(*, actor: Principal, deal: Deal, action: str, reason: str = "") -> Deal:
    actor.require(FUND_MANAGE)
    deal = _locked(deal)
    if action not in MOVES:
        raise ValidationError(_("Unknown action."))
    sources, target = MOVES[action]
    if deal.stage not in sources:
        raise ValidationError(
            _("The deal is at %(stage)s; this move is not possible from there.") % {"stage": deal.get_stage_display()}
        )
    if action == "screen":
        deal.screening = snapshot(tier_results(deal.enterprise, timezone.localdate())["fund_target"])
    if action == "diligence" and deal.screening and deal.screening["verdict"] == "ineligible" and not reason.strip():
        raise ValidationError(_("Screening found the company ineligible; give the reason to go on."))
    if action == "committee":
        missing = [item for item, state in deal.checklist.items() if not state.get("done")]
        if missing:
            raise ValidationError(_("Due diligence is not complete: %(items)s.") % {"items": "、".join(missing)})
    if action == "term_sheet" and not Meeting.objects.filter(round__deal=deal, decision="approved").exists():
        raise ValidationError(_("The investment committee has not approved a round of this deal."))
    if action == "portfolio" and not deal.rounds.filter(recorded=True).exists():
        raise ValidationError(_("Record the closing round on the cap table first."))
    if action in ("decline", "write_off", "exit") and not reason.strip():
        raise ValidationError(_("Give the reason."))
    before = deal.stage
    deal.stage, deal.stage_reason = target, reason.strip()
    if target == Stage.PORTFOLIO and deal.closed_on is None:
        deal.closed_on = timezone.localdate()
    deal.version += 1
    deal.save()
    _record(
        actor,
        f"fund.deal.{action}",
        deal,
        before=before,
        after=target,
        reason=deal.stage_reason,
        screening=deal.screening["verdict"] if action == "screen" else None,
    )
    if target in (Stage.WRITTEN_OFF, Stage.EXITED):  # nothing is held any more: the residual value is 0
        Mark.objects.create(
            deal=deal, on=timezone.localdate(), kind=MarkKind.WRITE_DOWN, value=0, reason=reason, by=actor.user
        )
    return deal


@transaction.atomic
def checklist_set(*, actor: Principal, deal: Deal, item: str, done: bool, note: str = "") -> Deal:
    actor.require(FUND_MANAGE)
    deal = _locked(deal)
    if item not in deal.checklist:
        raise ValidationError(_("Unknown checklist item."))
    deal.checklist[item] = {"done": bool(done), "note": note.strip()}
    deal.save(update_fields=["checklist"])
    _record(actor, "fund.deal.checklist", deal, item=item, done=bool(done), note=note.strip())
    return deal


def table_of(deal: Deal) -> CapTable:
    table = CapTable(unit=deal.unit)
    table.events = [
        Event(e.on, e.kind, e.holder, e.units, e.to, e.security_class, e.price) for e in deal.table_events.all()
    ]
    return table


@transaction.atomic
def table_event_add(
    *,
    actor: Principal,
    deal: Deal,
    on: dt.date,
    kind: str,
    holder: str = "",
    units=0,
    to: str = "",
    city_fund: bool = False,
) -> TableEvent:
    """Record a past change of the company's table (founding, earlier rounds, transfers, the pool)."""
    actor.require(FUND_MANAGE)
    deal = _locked(deal)
    try:
        count = exact(units)
    except ValueError as exc:
        raise ValidationError(_("Units must be a whole number.")) from exc
    if count.denominator != 1:
        raise ValidationError(_("Units must be a whole number."))
    table = table_of(deal)
    try:
        table.apply(Event(on, kind, holder.strip(), int(count), to.strip()))
    except TableError as exc:
        raise ValidationError(worded(exc)) from exc
    event = TableEvent.objects.create(
        deal=deal, on=on, kind=kind, holder=holder.strip(), to=to.strip(), units=int(count), city_fund=city_fund
    )
    _record(actor, "fund.table.event", deal, on=on, kind=kind, holder=holder, units=int(count), to=to)
    return event


@transaction.atomic
def table_import_ocf(*, actor: Principal, deal: Deal, data: bytes) -> int:
    """Load a company's table from an OCF 1.2.0 package into a deal that has none yet."""
    from rainforest.core.captable.ocf import OcfError, import_package

    actor.require(FUND_MANAGE)
    deal = _locked(deal)
    if deal.table_events.exists():
        raise ValidationError(_("This deal already has a cap table; an OCF file can only start one."))
    try:
        table, issuer = import_package(data)
    except OcfError as exc:
        raise ValidationError(exc.problems) from exc
    TableEvent.objects.bulk_create(
        [
            TableEvent(deal=deal, on=e.on, kind=e.kind, holder=e.holder, to=e.to, units=e.units, price=e.price)
            for e in table.events
        ]
    )
    Deal.objects.filter(pk=deal.pk).update(unit=table.unit)
    _record(actor, "fund.table.imported", deal, events=len(table.events), issuer=issuer.get("legal_name", ""))
    return len(table.events)


def table_export_ocf(*, actor: Principal, deal: Deal) -> bytes:
    from rainforest.core.captable.ocf import export_package

    actor.require(FUND_MANAGE)
    org = deal.enterprise.organisation
    issuer = {
        "legal_name": org.name,
        "formation_date": deal.enterprise.founded_on.isoformat(),
        "country_of_formation": "CN",
        "tax_ids": [{"country": "CN", "tax_id": org.uscc}],
    }
    return export_package(table_of(deal), issuer=issuer, as_of=timezone.localdate())


def _company_criteria(deal: Deal, on: dt.date, pre_money: Fraction) -> list[dict]:
    from rainforest.fund.company import company_criteria

    rows = [r for r in enterprise_rows(deal.enterprise) if r["fiscal_year"] <= on.year]
    if not rows:
        return [
            {
                "id": "FACTS",
                "title": {"en": "Registry facts"},
                "result": "unknown",
                "value": None,
                "threshold": None,
                "strictness": "hard",
                "source": "registry",
                "note": "no fiscal year on record",
            }
        ]
    row = dict(rows[-1])
    row.update(
        uscc=deal.enterprise.organisation.uscc,
        name=deal.enterprise.organisation.name,
        founded_on=deal.enterprise.founded_on,
    )
    company = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if v is not None}
    return company_criteria(company, on, pre_money)


def _convertible(c: dict) -> Convertible:
    """A SAFE or note converting at this round: holder, amount, optional cap, cap basis, discount."""
    return Convertible(
        holder=str(c["holder"]),
        amount=exact(c["amount"]),
        cap=exact(c["cap"]) if c.get("cap") else None,
        cap_basis=c.get("cap_basis", "post"),
        discount=exact(c.get("discount", 0)),
        kind=c.get("kind", "safe"),
        interest_rate=exact(c.get("interest_rate", 0)),
        issued_on=dt.date.fromisoformat(c["issued_on"]) if c.get("issued_on") else None,
    )


def _digest(report: dict) -> str:
    return hashlib.sha256(json.dumps(report, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@transaction.atomic
def round_propose(
    *,
    actor: Principal,
    deal: Deal,
    name: str,
    on: dt.date,
    pre_money,
    investors: list[dict],
    pool_top_up_post_pct="0",
    convertibles: list[dict] = (),
) -> Round:
    """Run a proposed round on the table as it stands at ``on`` and keep the compliance report:
    the fund's own rounds go to the committee with it; a later round by others is flagged here,
    before it is recorded, if it would push the fund over a limit."""
    actor.require(FUND_MANAGE)
    deal = _locked(deal)
    problems = []
    try:
        pre = exact(pre_money)
        pct = exact(pool_top_up_post_pct or 0)
        parsed = [
            Investor(str(i["name"]).strip(), exact(i["amount"]), bool(i.get("is_fund")), bool(i.get("city_fund")))
            for i in investors
            if str(i.get("name", "")).strip()
        ]
    except (ValueError, KeyError, TypeError):
        raise ValidationError(_("Amounts, valuation and pool must be numbers.")) from None
    if pct >= 1:
        pct = pct / 100
    parsed = [Investor(FUND_NAME if i.is_fund else i.name, i.amount, i.is_fund, i.city_fund) for i in parsed]
    current = table_of(deal).at(on)
    holders = {k: v for k, v in current.items() if k not in (POOL, OPTIONS)}
    city = set(deal.table_events.filter(city_fund=True).values_list("holder", flat=True))
    city |= {i.name for i in parsed if i.city_fund}
    try:
        notes = [_convertible(c) for c in convertibles]
        result = priced_round(
            holders=holders,
            pre_money=pre,
            investors=parsed,
            options_outstanding=current.get(OPTIONS, 0),
            pool_unallocated=current.get(POOL, 0),
            pool_top_up_post_pct=pct,
            convertibles=notes,
            on=on,
        )
    except (KeyError, TypeError):
        problems.append(_("Each convertible needs a holder and an amount."))
    except RoundError as exc:
        problems += worded(exc)
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise ValidationError(problems)
    rules = fund_rules()
    deal_part, figures = deal_criteria(rules, result, parsed, city, fund_names={FUND_NAME})
    company_part = _company_criteria(deal, on, pre) if any(i.is_fund for i in parsed) else []
    outcomes = [(c["result"], c["strictness"]) for c in company_part] + [(c.result, c.strictness) for c in deal_part]
    report = {
        "verdict": verdict(outcomes),
        "price_per_share": str(dec(result.price_per_share)),
        "post_money": str(dec(result.post_money)),
        "fund_stake": figures["fund_stake"],
        "largest_other_holder": figures["largest_other_holder"],
        "criteria": company_part + [c.as_dict() for c in deal_part],
        "table": {k: v for k, v in result.table.items()},
        "fd_post": result.fd_post,
        "new_shares": result.new_shares,
        "conversions": result.conversions,
        "pool_top_up": result.pool_top_up,
        "rules": f"{rules.id} {rules.version}",
        "as_of": on.isoformat(),
    }
    report = json.loads(json.dumps(report, default=str, ensure_ascii=False))
    proposed = Round.objects.create(
        deal=deal,
        name=name.strip() or _("Round"),
        on=on,
        pre_money=dec(pre, Decimal("0.01")),
        investors=[
            {"name": i.name, "amount": str(i.amount), "is_fund": i.is_fund, "city_fund": i.city_fund} for i in parsed
        ],
        pool_top_up_post_pct=dec(pct, Decimal("0.0001")),
        price_per_share=dec(result.price_per_share),
        report=report,
        report_digest=_digest(report),
        verdict=report["verdict"],
        created_by=actor.user,
    )
    _record(
        actor,
        "fund.round.proposed",
        deal,
        round=proposed.name,
        verdict=proposed.verdict,
        digest=proposed.report_digest,
        fund_stake=figures["fund_stake"],
    )
    return proposed


@transaction.atomic
def committee_seat(*, actor: Principal, user, external: bool) -> CommitteeMember:
    actor.require(FUND_MANAGE)
    if CommitteeMember.objects.filter(user=user, until=None).exists():
        raise ValidationError(_("Already on the committee."))
    seats = CommitteeMember.objects.filter(until=None)
    rules = fund_rules()
    if seats.count() >= rules.committee_members:
        raise ValidationError(_("The committee has its %(n)s members.") % {"n": rules.committee_members})
    limit = rules.committee_external if external else rules.committee_members - rules.committee_external
    if seats.filter(external=external).count() >= limit:
        raise ValidationError(
            _("The committee has %(n)s seats of this kind (%(external)s of its %(members)s members are external).")
            % {"n": limit, "external": rules.committee_external, "members": rules.committee_members}
        )
    member = CommitteeMember.objects.create(user=user, external=external, since=timezone.localdate())
    audit.record(
        actor,
        "fund.committee.seated",
        subject_type="user",
        subject_id=user.pk,
        subject_label=str(user),
        after={"external": external},
    )
    return member


def quorum() -> int:
    """Votes needed for a valid decision: two thirds of the seats (5 of 7), a platform reading."""
    return math.ceil(fund_rules().committee_members * 2 / 3)


@transaction.atomic
def meeting_open(*, actor: Principal, round: Round, held_on: dt.date) -> Meeting:
    actor.require(FUND_MANAGE)
    if not any(i["is_fund"] for i in round.investors):
        raise ValidationError(_("Only the fund's own rounds go to the committee."))
    if hasattr(round, "meeting"):
        raise ValidationError(_("This round already has its meeting."))
    meeting = Meeting.objects.create(round=round, held_on=held_on)
    Ballot.objects.bulk_create([Ballot(meeting=meeting, member=m) for m in CommitteeMember.objects.filter(until=None)])
    _record(actor, "fund.committee.meeting", round.deal, round=round.name, held_on=held_on, digest=round.report_digest)
    return meeting


def _ballot(actor: Principal, meeting: Meeting) -> Ballot:
    if not actor.can(FUND_MANAGE):
        actor.require(FUND_VOTE)
    ballot = Ballot.objects.select_for_update().filter(meeting=meeting, member__user=actor.user).first()
    if ballot is None:
        raise PermissionDenied
    if meeting.decision:
        raise ValidationError(_("The committee has decided; ballots are closed."))
    return ballot


@transaction.atomic
def ballot_cast(
    *, actor: Principal, meeting: Meeting, vote: str = "", conflict: str = "", conditions: str = ""
) -> Ballot:
    """A member declares an interest (and then does not vote) or votes, with conditions if any."""
    ballot = _ballot(actor, meeting)
    if conflict.strip():
        ballot.conflict, ballot.vote = conflict.strip(), ""
    elif vote in ("for", "against", "abstain"):
        if ballot.conflict:
            raise ValidationError(_("You declared an interest in this deal; you do not vote on it."))
        ballot.vote, ballot.conditions = vote, conditions.strip()
    else:
        raise ValidationError(_("Vote for, against or abstain, or declare your interest."))
    ballot.save()
    _record(
        actor,
        "fund.committee.ballot",
        meeting.round.deal,
        vote=ballot.vote,
        conflict=ballot.conflict,
        conditions=ballot.conditions,
        external=ballot.member.external,
    )
    return ballot


@transaction.atomic
def meeting_decide(*, actor: Principal, meeting: Meeting, minutes: str, override_reason: str = "") -> Meeting:
    """Count the ballots: a quorum of votes, a majority for; an ineligible report cannot be approved,
    a ticket over the limit only with the committee's recorded override. An approval signs the
    digest of the report the members saw."""
    actor.require(FUND_MANAGE)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.decision:
        raise ValidationError(_("The committee has already decided."))
    if not minutes.strip():
        raise ValidationError(_("Write the minutes."))
    ballots = list(meeting.ballots.select_related("member"))
    cast = [b for b in ballots if b.vote]
    if len(cast) < quorum():
        raise ValidationError(
            _("No quorum: %(cast)s votes cast, %(need)s needed.") % {"cast": len(cast), "need": quorum()}
        )
    approved = sum(b.vote == "for" for b in cast) * 2 > len(cast)
    report = meeting.round.report
    if approved and report["verdict"] == "ineligible":
        failed = [c["id"] for c in report["criteria"] if c["result"] == "fail" and c["strictness"] == "hard"]
        raise ValidationError(
            _("The compliance report fails %(ids)s: the round cannot be approved.") % {"ids": ", ".join(failed)}
        )
    ticket_over = any(c["id"] == "FUND-TICKET" and c["result"] == "fail" for c in report["criteria"])
    if approved and ticket_over and not override_reason.strip():
        raise ValidationError(_("The ticket is over 5,000,000 yuan: record the committee's override and its reasons."))
    meeting.minutes, meeting.decision, meeting.decided_at = (
        minutes.strip(),
        "approved" if approved else "rejected",
        timezone.now(),
    )
    meeting.signed_digest = meeting.round.report_digest if approved else ""
    meeting.save()
    if override_reason.strip():
        Deal.objects.filter(pk=meeting.round.deal_id).update(override_reason=override_reason.strip())
    _record(
        actor,
        f"fund.committee.{meeting.decision}",
        meeting.round.deal,
        round=meeting.round.name,
        votes={b.member.user.username: b.vote or "conflict" for b in ballots},
        digest=meeting.signed_digest,
        override=override_reason.strip(),
    )
    return meeting


@transaction.atomic
def round_record(*, actor: Principal, round: Round, acknowledge: str = "") -> Round:
    """Apply a round to the table. The fund's round needs the committee's approval of exactly this
    report; a round by others that breaks a limit needs the manager's acknowledgement on record."""
    actor.require(FUND_MANAGE)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.recorded:
        raise ValidationError(_("This round is already recorded."))
    deal = _locked(round.deal)
    fund_in = any(i["is_fund"] for i in round.investors)
    if fund_in:
        meeting = getattr(round, "meeting", None)
        if meeting is None or meeting.decision != "approved" or meeting.signed_digest != round.report_digest:
            raise ValidationError(_("The committee has not approved this round's compliance report."))
    elif round.verdict != "eligible" and not acknowledge.strip():
        raise ValidationError(
            _("This round would push the fund over a limit: acknowledge it, with the reason, to record it.")
        )
    issued = dict(round.report["new_shares"])
    for name, count in round.report.get("conversions", {}).items():
        issued[name] = issued.get(name, 0) + count
    for name, count in issued.items():
        if count:
            TableEvent.objects.create(
                deal=deal,
                on=round.on,
                kind="issue",
                holder=name,
                units=count,
                price=round.report["price_per_share"],
                round=round,
                city_fund=any(i["name"] == name and i["city_fund"] for i in round.investors),
            )
    if round.report["pool_top_up"]:
        TableEvent.objects.create(deal=deal, on=round.on, kind="pool", units=round.report["pool_top_up"], round=round)
    for i in round.investors:
        if i["is_fund"]:
            kind = FlowKind.FOLLOW_ON if CashFlow.objects.filter(deal=deal).exists() else FlowKind.INVESTMENT
            CashFlow.objects.create(deal=deal, on=round.on, kind=kind, amount=Decimal(i["amount"]), round=round)
    units = table_of(deal).at(round.on).get(FUND_NAME, 0)
    if units:
        Mark.objects.create(
            deal=deal,
            on=round.on,
            kind=MarkKind.ROUND,
            by=actor.user,
            value=(Decimal(units) * Decimal(round.report["price_per_share"])).quantize(Decimal("0.01")),
        )
    round.recorded = True
    round.save(update_fields=["recorded"])
    _record(
        actor, "fund.round.recorded", deal, round=round.name, verdict=round.verdict, acknowledged=acknowledge.strip()
    )
    return round


def _yuan(value) -> Decimal | None:
    """An amount of money as the database holds it (to the fen, within MONEY's digits), or None for
    anything that is not one: text, NaN, infinity, or more than a MONEY column holds."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None
    if not amount.is_finite() or abs(amount) >= MONEY_LIMIT:
        return None
    return amount


@transaction.atomic
def flow_record(*, actor: Principal, deal: Deal, on: dt.date, amount, kind: str = FlowKind.DISTRIBUTION) -> CashFlow:
    """Money between the fund and the company outside a recorded round: a distribution, or the cash
    paid for a SAFE or a note (which converts at a later round, with no cash then)."""
    actor.require(FUND_MANAGE)
    if kind not in FlowKind.values:
        raise ValidationError(_("Unknown kind of flow."))
    value = _yuan(amount)
    if value is None or value <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    flow = CashFlow.objects.create(deal=deal, on=on, kind=kind, amount=value)
    _record(actor, f"fund.flow.{kind}", deal, on=on, amount=flow.amount)
    return flow


@transaction.atomic
def mark_write_down(*, actor: Principal, deal: Deal, on: dt.date, value, reason: str) -> Mark:
    actor.require(FUND_MANAGE)
    amount = _yuan(value)
    if amount is None:
        raise ValidationError(_("Enter the value in yuan, for example 1200000.50."))
    if amount < 0:
        raise ValidationError(_("A value cannot be negative."))
    if not reason.strip():
        raise ValidationError(_("Give the reason."))
    mark = Mark.objects.create(
        deal=deal, on=on, kind=MarkKind.WRITE_DOWN, value=amount, reason=reason.strip(), by=actor.user
    )
    _record(actor, "fund.mark.write_down", deal, on=on, value=amount, reason=reason.strip())
    return mark
