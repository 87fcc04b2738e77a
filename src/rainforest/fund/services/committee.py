"""The investment committee: seats, meetings, ballots and the decision that signs a report.
One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import FUND_MANAGE, FUND_VOTE, Principal
from rainforest.audit import trail
from rainforest.core.captable.rules import fund_rules
from rainforest.fund.models import (
    Ballot,
    CommitteeMember,
    Deal,
    Meeting,
    Round,
)
from rainforest.fund.services.common import record


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
    trail.record(
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
    record(actor, "fund.committee.meeting", round.deal, round=round.name, held_on=held_on, digest=round.report_digest)
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
    record(
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
    record(
        actor,
        f"fund.committee.{meeting.decision}",
        meeting.round.deal,
        round=meeting.round.name,
        votes={b.member.user.username: b.vote or "conflict" for b in ballots},
        digest=meeting.signed_digest,
        override=override_reason.strip(),
    )
    return meeting
