"""The yearly good-seedling selection: open, apply or nominate, panel, score, rank, approve, publish."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest import conflicts
from rainforest.accounts.models import Membership
from rainforest.accounts.permissions import SEEDLING_APPLY, SEEDLING_MANAGE, SEEDLING_REVIEW, Principal
from rainforest.audit import trail
from rainforest.core.seedling.ranking import Entry, rank
from rainforest.core.years import PLATFORM_YEARS, YEAR_BOUNDS
from rainforest.policy import labels
from rainforest.policy.rules import current_ruleset
from rainforest.policy.templatetags.policy_tags import loc, result_label, verdict_label
from rainforest.registry.choices import RecognitionKind
from rainforest.registry.models import Enterprise, Recognition
from rainforest.seedling.choices import CandidacyStatus, Ground, RoundStatus, Route
from rainforest.seedling.eligibility import snapshot, tier_results
from rainforest.seedling.models import Candidacy, PanelMember, Score, SelectionRound
from rainforest.seedling.workflows import CANDIDACY, ROUND, capacities

DEFAULT_RUBRIC = [
    ["技术创新性与自主知识产权", 35, 10],
    ["团队与研发投入", 25, 10],
    ["市场前景与成长性", 25, 10],
    ["社会与产业带动", 15, 10],
]


def _locked(selection: SelectionRound) -> SelectionRound:
    return SelectionRound.objects.select_for_update().get(pk=selection.pk)


def _require_status(selection: SelectionRound, *states: str) -> None:
    if selection.status not in states:
        raise ValidationError(
            _("The round is %(status)s; this cannot be done now.") % {"status": selection.get_status_display()}
        )


def _validate_rubric(rubric) -> list:
    try:
        rows = [[str(name).strip(), int(weight), int(top)] for name, weight, top in rubric]
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Each rubric line needs a criterion, a weight and the most points.")) from exc
    if not rows or any(not n or w <= 0 or t <= 0 for n, w, t in rows) or sum(w for _n, w, _t in rows) != 100:
        raise ValidationError(_("Rubric weights must be positive and add up to 100."))
    return rows


@transaction.atomic
def round_open(*, actor: Principal, year: int, quota: int | None = None, rubric=None) -> SelectionRound:
    actor.require(SEEDLING_MANAGE)
    ruleset = current_ruleset()
    ceiling = int(ruleset.targets["good_seedling_per_year"])
    quota = ceiling if quota is None else quota
    if not 0 < quota <= ceiling:
        raise ValidationError(
            _("The quota must be between 1 and %(max)s (the yearly number in the rule set).") % {"max": ceiling}
        )
    if year not in PLATFORM_YEARS:
        raise ValidationError(_("The year must be between %(first)d and %(last)d.") % YEAR_BOUNDS)
    if SelectionRound.objects.filter(year=year).exists():
        raise ValidationError(_("A round for %(year)s already exists.") % {"year": year})
    selection = SelectionRound.objects.create(
        year=year, quota=quota, rubric=_validate_rubric(rubric or DEFAULT_RUBRIC),
        ruleset_version=ruleset.version, opened_by=actor.user,
    )  # fmt: skip
    trail.record(
        actor, "seedling.round.opened", subject_type="selection_round", subject_id=selection.pk,
        subject_label=str(year), after={"quota": quota, "rubric": selection.rubric},
    )  # fmt: skip
    return selection


def _named(c) -> str:
    """A criterion as a person reads it: its id, its title, and whether it failed or is undecided."""
    return _("%(id)s %(title)s (%(result)s)") % {"id": c.id, "title": loc(c.title), "result": result_label(c.result)}


def _failed(result) -> str:
    return labels.listed(_named(c) for c in result.criteria if c.result != "pass" and c.strictness == "hard")


@transaction.atomic
def candidacy_submit(
    *, actor: Principal, selection: SelectionRound, enterprise: Enterprise, ground: str = "", evidence: str = ""
) -> Candidacy:
    """An enterprise applies (for itself) or an officer nominates. The engine pre-checks the good
    seedling tier: a hard criterion failed or unknown refuses it, with the criteria named; a failed
    financing/valuation limit needs a relaxation ground with evidence."""
    if actor.can(SEEDLING_MANAGE):
        route = Route.NOMINATED
    elif actor.can(SEEDLING_APPLY) and enterprise.organisation_id == actor.organisation_id:
        route = Route.APPLIED
    else:
        raise PermissionDenied
    selection = _locked(selection)
    _require_status(selection, RoundStatus.OPEN)
    if ground not in Ground.values:
        raise ValidationError(_("Unknown relaxation ground."))
    evidence = evidence.strip()
    if ground and not evidence:
        raise ValidationError(_("A relaxation ground needs its evidence."))
    result = tier_results(enterprise, timezone.localdate())["good_seedling"]
    if result.verdict in ("ineligible", "unknown", "not_in_force"):  # before 2025-11-29 there is no tier to enter
        raise ValidationError(
            _("The engine's pre-check does not pass: %(criteria)s. Complete or correct the registry facts first.")
            % {"criteria": _failed(result) or verdict_label(result.verdict, result)}
        )
    relaxable_failed = [c for c in result.criteria if c.result != "pass" and c.strictness == "relaxable"]
    if relaxable_failed and not ground:
        raise ValidationError(
            _("%(criteria)s is not met: choose a relaxation ground and give its evidence.")
            % {"criteria": labels.listed(f"{c.id} {loc(c.title)}" for c in relaxable_failed)}
        )
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                round=selection, enterprise=enterprise, route=route,
                nominated_by=actor.user if route == Route.NOMINATED else None, ground=ground, evidence=evidence,
                precheck=snapshot(result), precheck_verdict=result.verdict,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(_("This enterprise is already a candidate in this round.")) from exc
    trail.record(
        actor, f"seedling.candidacy.{route}", subject_type="candidacy", subject_id=candidacy.pk,
        subject_label=f"{selection.year} {enterprise.organisation.name}",
        after={"verdict": result.verdict, "ground": ground, "evidence": evidence},
    )  # fmt: skip
    return candidacy


@transaction.atomic
def panel_add(*, actor: Principal, selection: SelectionRound, expert) -> PanelMember:
    actor.require(SEEDLING_MANAGE)
    selection = _locked(selection)
    _require_status(selection, RoundStatus.OPEN, RoundStatus.REVIEW)
    if not Membership.objects.filter(user=expert, role="expert").exists():
        raise ValidationError(_("Only experts sit on a panel."))
    # Adding someone twice is a mistake worth saying: the officer may have meant another expert.
    if PanelMember.objects.filter(round=selection, expert=expert).exists():
        raise ValidationError(_("%(expert)s is already on this round's panel.") % {"expert": expert})
    member = PanelMember.objects.create(round=selection, expert=expert)
    trail.record(
        actor, "seedling.panel.added", subject_type="selection_round", subject_id=selection.pk,
        subject_label=str(selection.year), after={"expert": expert.username},
    )  # fmt: skip
    return member


@transaction.atomic
def panel_declare(*, actor: Principal, selection: SelectionRound, declaration: str) -> PanelMember:
    """An expert declares their interests before seeing any candidate."""
    actor.require(SEEDLING_REVIEW)
    member = PanelMember.objects.select_for_update().filter(round=selection, expert=actor.user).first()
    if member is None:
        raise PermissionDenied
    if not declaration.strip():
        raise ValidationError(_("Write your declaration (state “none” if you have no interest to declare)."))
    member.declaration, member.declared_at = declaration.strip(), timezone.now()
    member.save(update_fields=["declaration", "declared_at"])
    trail.record(
        actor, "seedling.panel.declared", subject_type="selection_round", subject_id=selection.pk,
        subject_label=str(selection.year), after={"declaration": member.declaration},
    )  # fmt: skip
    return member


def conflict(expert, candidacy: Candidacy) -> str:
    """Why this expert may not score this candidate ("" when nothing the platform sees): the same
    ties as in the exchange's panels (rainforest.conflicts)."""
    return conflicts.tie(expert, candidacy.enterprise.organisation)


@transaction.atomic
def round_close(*, actor: Principal, selection: SelectionRound) -> SelectionRound:
    selection = _locked(selection)
    ROUND.check(selection, "close", capacities(actor, selection))
    ROUND.apply(selection, "close")
    selection.save(update_fields=["status"])
    trail.record(
        actor, "seedling.round.closed", subject_type="selection_round", subject_id=selection.pk,
        subject_label=str(selection.year), after={"candidates": selection.candidacies.count()},
    )  # fmt: skip
    return selection


@transaction.atomic
def score_submit(*, actor: Principal, candidacy: Candidacy, points: list, comment: str = "") -> Score:
    """One expert's weighted score for one candidate, locked once submitted."""
    actor.require(SEEDLING_REVIEW)
    selection = _locked(candidacy.round)
    member = PanelMember.objects.filter(round=selection, expert=actor.user).first()
    if member is None:
        raise PermissionDenied
    if member.declared_at is None:
        raise ValidationError(_("Declare your interests before scoring."))
    _require_status(selection, RoundStatus.REVIEW)
    reason = conflict(actor.user, candidacy)
    if reason:
        raise ValidationError(_("You may not score this candidate: you %(reason)s.") % {"reason": reason})
    rubric = selection.rubric
    try:
        values = [Decimal(str(p)) for p in points]
    except ArithmeticError as exc:
        raise ValidationError(_("Points must be numbers.")) from exc
    if len(values) != len(rubric) or any(not 0 <= v <= top for v, (_n, _w, top) in zip(values, rubric, strict=False)):
        raise ValidationError(_("Give each criterion between 0 and its most points."))
    total = sum((v / top * weight for v, (_n, weight, top) in zip(values, rubric, strict=True)), Decimal(0))
    try:
        with transaction.atomic():
            score = Score.objects.create(
                candidacy=candidacy, expert=actor.user, points=[str(v) for v in values],
                total=total.quantize(Decimal("0.01")), comment=comment.strip(),
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(_("You have already scored this candidate; scores cannot be changed.")) from exc
    trail.record(
        actor, "seedling.score.submitted", subject_type="candidacy", subject_id=candidacy.pk,
        subject_label=f"{selection.year} {candidacy.enterprise.organisation.name}",
        after={"points": score.points, "total": score.total},
    )  # fmt: skip
    return score


def _rd_intensity(enterprise: Enterprise) -> Decimal | None:
    latest = enterprise.facts.order_by("-fiscal_year").first()
    if latest is None or not latest.rd_expense or not latest.revenue:
        return None
    return Decimal(latest.rd_expense) / Decimal(latest.revenue)


@transaction.atomic
def round_approve(*, actor: Principal, selection: SelectionRound) -> SelectionRound:
    """Rank (core.seedling.ranking: score, then R&D intensity, then submission time) and select
    within the quota. Two officers approving at once leave one decision."""
    selection = _locked(selection)
    ROUND.check(selection, "approve", capacities(actor, selection))  # someone has scored (the table's guard)
    live = list(
        selection.candidacies.filter(status=CandidacyStatus.CANDIDATE).select_related("enterprise__organisation")
    )
    totals: dict[int, list[Decimal]] = {}
    for candidacy_id, total in Score.objects.filter(candidacy__in=live).values_list("candidacy_id", "total"):
        totals.setdefault(candidacy_id, []).append(total)
    entries = [
        Entry(c.pk, c.enterprise.organisation.uscc, tuple(totals.get(c.pk, ())), _rd_intensity(c.enterprise),
              c.submitted_at)
        for c in live
    ]  # fmt: skip
    ROUND.apply(selection, "approve")
    ranked = {r.key: r for r in rank(entries, selection.quota)}
    for c in live:
        r = ranked.get(c.pk)
        c.rank, c.mean_score = (r.rank, r.mean) if r else (None, None)
        CANDIDACY.apply(c, "select" if r and r.selected else "not_select")
    Candidacy.objects.bulk_update(live, ["rank", "mean_score", "status"])
    selection.approved_by, selection.approved_at = actor.user, timezone.now()
    selection.save(update_fields=["status", "approved_by", "approved_at"])
    selected = [
        c.enterprise.organisation.uscc for c in sorted(live, key=lambda c: c.rank or 10**9) if c.status == "selected"
    ]
    trail.record(
        actor, "seedling.round.approved", subject_type="selection_round", subject_id=selection.pk,
        subject_label=str(selection.year), after={"quota": selection.quota, "selected": selected},
    )  # fmt: skip
    return selection


@transaction.atomic
def round_publish(*, actor: Principal, selection: SelectionRound) -> SelectionRound:
    """Publish the list and record each selected enterprise's good-seedling recognition."""
    selection = _locked(selection)
    ROUND.check(selection, "publish", capacities(actor, selection))
    chosen = selection.candidacies.filter(status=CandidacyStatus.SELECTED).select_related("enterprise")
    for candidacy in chosen:
        Recognition.objects.get_or_create(
            enterprise=candidacy.enterprise, kind=RecognitionKind.GOOD_SEEDLING, year=selection.year,
            defaults={"reference": f"HMZ-{selection.year}-{candidacy.rank:04d}"},
        )  # fmt: skip
    ROUND.apply(selection, "publish")
    selection.published_at = timezone.now()
    selection.save(update_fields=["status", "published_at"])
    trail.record(
        actor, "seedling.round.published", subject_type="selection_round", subject_id=selection.pk,
        subject_label=str(selection.year), after={"recognitions": chosen.count()},
    )  # fmt: skip
    return selection
