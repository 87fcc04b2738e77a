"""Applications under the measures, officers' decisions, payments, and the loans behind the subsidy.

Caps hold across applications: every check runs with the enterprise's row locked, so two
applications or two decisions at once cannot both pass the same headroom."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rainforest import formatting
from rainforest.accounts.choices import OrganisationKind
from rainforest.accounts.permissions import SEEDLING_APPLY, SEEDLING_MANAGE, Principal
from rainforest.audit import trail
from rainforest.core.seedling import interest
from rainforest.core.seedling.money import round_fen, yuan
from rainforest.core.years import PLATFORM_YEARS, YEAR_BOUNDS
from rainforest.policy import labels
from rainforest.policy.rules import current_ruleset
from rainforest.registry.models import Enterprise, Recognition
from rainforest.seedling.catalogue import Entry, entry
from rainforest.seedling.choices import COUNTED_APPLICATION, LIVE_APPLICATION
from rainforest.seedling.eligibility import recognised
from rainforest.seedling.models import Disbursement, Loan, MeasureApplication
from rainforest.seedling.workflows import APPLICATION, capacities


def _own_or_officer(actor: Principal, enterprise: Enterprise) -> None:
    if actor.can(SEEDLING_MANAGE):
        return
    if actor.can(SEEDLING_APPLY) and enterprise.organisation_id == actor.organisation_id:
        return
    raise PermissionDenied


def _lock(enterprise: Enterprise) -> Enterprise:
    return Enterprise.objects.select_for_update().get(pk=enterprise.pk)


def _money(value, field: str) -> Decimal:
    try:
        amount = yuan(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("%(field)s is not an amount in yuan.") % {"field": field}) from exc
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("%(field)s must be zero or more, to the fen at most.") % {"field": field})
    return amount


@transaction.atomic
def loan_record(
    *, actor: Principal, enterprise: Enterprise, lender: str, reference: str, principal, annual_rate, start, end
) -> Loan:
    _own_or_officer(actor, enterprise)
    problems = []  # every problem at once, as a clerk would want to see them
    try:
        principal = _money(principal, _("Principal"))
        if principal <= 0:
            problems.append(_("The principal must be more than zero."))
    except ValidationError as exc:
        problems += exc.messages
    try:
        rate = yuan(annual_rate)
        if not Decimal(0) <= rate < Decimal(1):
            problems.append(_("The annual rate is a fraction: 3.85% is 0.0385."))
    except (TypeError, ValueError):
        problems.append(_("The interest rate must be a number such as 0.0385."))
    if not (isinstance(start, dt.date) and isinstance(end, dt.date)) or end <= start:
        problems.append(_("The repayment date must be after the drawdown date."))
    if not lender.strip() or not reference.strip():
        problems.append(_("Give the lender and the contract number."))
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            loan = Loan.objects.create(
                enterprise=enterprise, lender=lender.strip(), reference=reference.strip(), principal=principal,
                annual_rate=rate, start=start, end=end, recorded_by=actor.user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(_("This loan period is already recorded.")) from exc
    trail.record(
        actor, "seedling.loan.recorded", subject_type="enterprise", subject_id=enterprise.pk,
        subject_label=enterprise.organisation.name,
        after={"lender": loan.lender, "reference": loan.reference, "principal": principal, "rate": rate,
               "start": start, "end": end},
    )  # fmt: skip
    return loan


def subsidy_for(enterprise: Enterprise, year: int) -> interest.Subsidy:
    """The interest subsidy (RM-M03c) the enterprise's recorded loans give for ``year``."""
    measure = entry("RM-M03c").measure
    loans = [
        interest.Loan(f"{loan.lender} {loan.reference}", loan.principal, loan.annual_rate, loan.start, loan.end)
        for loan in enterprise.loans.order_by("start", "pk")
    ]
    return interest.interest_subsidy(
        loans, year, max_rate=yuan(str(measure.parameters["max_rate_points"])), cap=Decimal(measure.amount_cny)
    )


def _eligible(e: Entry, enterprise: Enterprise, year: int) -> None:
    """The measure's tiers: a recognition in force in the year (or, for incubator awards, the
    organisation's kind). Which recognition occasion is rewarded: first or renewal."""
    tiers = set(e.measure.tiers)
    held = recognised(enterprise, dt.date(year, 12, 31))
    kind_ok = "incubator" in tiers and enterprise.organisation.kind == OrganisationKind.INCUBATOR
    if tiers and not (held & tiers) and not kind_ok:
        raise ValidationError(
            _("This measure is for %(tiers)s; the registry shows no such recognition in %(year)s.")
            % {"tiers": labels.listed(labels.tier_name(t) for t in sorted(tiers)), "year": year}
        )


def _event(e: Entry, enterprise: Enterprise, year: int) -> str:
    """What may be paid only once: the measure itself, the recognition it rewards, or the year."""
    params = e.measure.parameters
    if "recognition" in params:
        years = sorted(
            Recognition.objects.filter(enterprise=enterprise, kind=params["recognition"], year__lte=year)
            .values_list("year", flat=True)
        )  # fmt: skip
        if not years:
            raise ValidationError(_("The registry shows no such recognition to reward."))
        if params.get("occasion") == "renewal" and len(years) < 2:
            raise ValidationError(_("This award is for a re-recognition; the registry shows only the first."))
        if params.get("occasion") == "first" and years[-1] != years[0]:
            raise ValidationError(
                _("This award is for the first recognition, which was in %(year)s.") % {"year": years[0]}
            )
        return f"{params['recognition']}:{years[-1]}"
    if e.measure.frequency == "once":
        return "once"
    return str(year)


def _used(enterprise: Enterprise, measure_id: str, year: int, states) -> Decimal:
    return MeasureApplication.objects.filter(
        enterprise=enterprise, measure=measure_id, year=year, status__in=states
    ).aggregate(s=Sum("amount_requested"))["s"] or Decimal(0)


@transaction.atomic
def measure_apply(
    *,
    actor: Principal,
    enterprise: Enterprise,
    measure_id: str,
    year: int,
    amount=None,
    months=None,
    evidence: str = "",
) -> MeasureApplication:
    """Apply under one measure. The amount is checked against the cap (yearly caps across the
    year's applications) and a refusal states the headroom left; the same event never twice."""
    _own_or_officer(actor, enterprise)
    if year not in PLATFORM_YEARS:
        raise ValidationError(_("The year must be between %(first)d and %(last)d.") % YEAR_BOUNDS)
    e = entry(measure_id)
    if e is None:
        raise ValidationError(_("Unknown measure."))
    if e.how == "unknown":
        raise ValidationError(
            _("The amounts and conditions of this measure are not published; it cannot be applied for yet.")
        )
    if e.how == "info":
        raise ValidationError(_("This measure is provided as a service, not applied for with an amount."))
    enterprise = _lock(enterprise)
    _eligible(e, enterprise, year)
    event = _event(e, enterprise, year)
    if MeasureApplication.objects.filter(
        enterprise=enterprise, measure=measure_id, event=event, status__in=LIVE_APPLICATION
    ).exists():
        raise ValidationError(_("This has already been applied for (or paid): the same event is never paid twice."))
    computed = None
    if e.how == "computed":
        subsidy = subsidy_for(enterprise, year)
        if subsidy.amount <= 0:
            raise ValidationError(
                _("No recorded loan was outstanding in %(year)s: record the loans first.") % {"year": year}
            )
        computed = requested = subsidy.amount
    elif e.how == "months":
        try:
            months = int(months)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Give the number of months.")) from exc
        limit = int(e.measure.parameters["max_years"]) * 12
        taken = sum(
            MeasureApplication.objects.filter(enterprise=enterprise, measure=measure_id, status__in=LIVE_APPLICATION)
            .values_list("months", flat=True)
        )  # fmt: skip
        if months <= 0 or taken + months > limit:
            raise ValidationError(
                _("Rent concessions last %(limit)s months at most; %(left)s months are left.")
                % {"limit": limit, "left": limit - taken}
            )
        requested = Decimal(0)
    else:
        requested = e.cap if e.measure.strictness == "fixed" else _money(amount, _("The amount"))
        if e.measure.strictness == "fixed" and amount not in (None, "") and _money(amount, _("The amount")) != e.cap:
            raise ValidationError(_("This measure pays a fixed %(amount)s.") % {"amount": formatting.yuan(e.cap)})
        if requested <= 0:
            raise ValidationError(_("The amount must be more than zero."))
    if e.cap is not None and e.how != "months":
        headroom = e.cap - _used(enterprise, measure_id, year, LIVE_APPLICATION)
        if requested > headroom:
            raise ValidationError(
                _("This would exceed the cap of %(cap)s; %(left)s of headroom is left.")
                % {"cap": formatting.yuan(e.cap), "left": formatting.yuan(max(headroom, Decimal(0)))}
            )
    requested = round_fen(requested)  # stored as it will be paid: yuan and fen
    try:
        with transaction.atomic():
            application = MeasureApplication.objects.create(
                enterprise=enterprise, measure=measure_id, ruleset_version=current_ruleset().version, year=year,
                event=event, amount_requested=requested, amount_computed=computed, months=months,
                evidence=evidence.strip(), submitted_by=actor.user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(
            _("This has already been applied for (or paid): the same event is never paid twice.")
        ) from exc
    trail.record(
        actor, "seedling.application.submitted", subject_type="measure_application", subject_id=application.pk,
        subject_label=_label(measure_id, enterprise.organisation.name, year),
        after={"event": event, "amount": requested, "computed": computed, "months": months},
    )  # fmt: skip
    return application


@transaction.atomic
def application_decide(
    *, actor: Principal, application: MeasureApplication, approve: bool, reason: str, amount=None
) -> MeasureApplication:
    """An officer approves (possibly a lower amount) or refuses, with a reason. The application row
    is locked: of two officers deciding at once, the second is told it is already decided."""
    action = "approve" if approve else "refuse"
    _lock(application.enterprise)
    application = MeasureApplication.objects.select_for_update().get(pk=application.pk)
    APPLICATION.check(application, action, capacities(actor, application))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the decision."))
    if approve:
        granted = application.amount_requested if amount in (None, "") else _money(amount, _("The amount"))
        if granted > application.amount_requested:
            raise ValidationError(_("An officer may approve less than was asked, never more."))
        e = entry(application.measure)
        if e and e.cap is not None and e.how != "months":
            others = _used(application.enterprise, application.measure, application.year, COUNTED_APPLICATION)
            if others + granted > e.cap:
                raise ValidationError(
                    _("This would exceed the cap of %(cap)s; %(left)s of headroom is left.")
                    % {"cap": formatting.yuan(e.cap), "left": formatting.yuan(max(e.cap - others, Decimal(0)))}
                )
        application.amount_approved = round_fen(granted)
    APPLICATION.apply(application, action)
    application.decided_by, application.decided_at, application.reason = actor.user, timezone.now(), reason.strip()
    application.save(update_fields=["status", "amount_approved", "decided_by", "decided_at", "reason"])
    trail.record(
        actor, f"seedling.application.{application.status}", subject_type="measure_application",
        subject_id=application.pk,
        subject_label=_label(application.measure, application.enterprise.organisation.name, application.year),
        after={"amount": application.amount_approved, "reason": application.reason},
    )  # fmt: skip
    return application


def _label(measure_id: str, organisation: str, year: int) -> str:
    """How the audit trail and "my recent work" name an application: by the measure's name, with
    its code for whoever traces it in the rule set. The trail keeps it for good, so it is worded
    in the platform's language, whatever the actor's."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{labels.measure_name(measure_id)}{formatting.bracketed(measure_id)} · {organisation} · {year}"


@transaction.atomic
def disbursement_record(
    *, actor: Principal, application: MeasureApplication, paid_on: dt.date, reference: str
) -> Disbursement:
    application = MeasureApplication.objects.select_for_update().get(pk=application.pk)
    APPLICATION.check(application, "pay", capacities(actor, application))
    if not reference.strip():
        raise ValidationError(_("Give the payment reference."))
    payment = Disbursement.objects.create(
        application=application, amount=application.amount_approved, paid_on=paid_on, reference=reference.strip(),
        recorded_by=actor.user,
    )  # fmt: skip
    APPLICATION.apply(application, "pay")
    application.save(update_fields=["status"])
    trail.record(
        actor, "seedling.application.paid", subject_type="measure_application", subject_id=application.pk,
        subject_label=_label(application.measure, application.enterprise.organisation.name, application.year),
        after={"amount": payment.amount, "paid_on": paid_on, "reference": payment.reference},
    )  # fmt: skip
    return payment
