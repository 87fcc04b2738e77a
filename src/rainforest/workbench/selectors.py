"""What a workbench shows, read in a fixed number of queries per role.

A queue is a count and its next few items, each with a link to where the work is done. Queues come
from the principal's permissions, not from its role's name, so a role given a new permission gets
the queue with it. Every read is limited to what the principal may see: an enterprise reads its
own organisation's rows only, an expert the panels and ballots that name them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts import permissions as p
from rainforest.accounts.choices import PRIVILEGED_ROLES
from rainforest.accounts.models import Membership, User
from rainforest.accounts.permissions import Principal
from rainforest.audit.labels import action_name
from rainforest.audit.models import AuditEvent
from rainforest.exchange.choices import ApplicationStatus, CallStatus, CapabilityStatus, ScenarioStatus
from rainforest.exchange.models import (
    Application,
    Call,
    Capability,
    ExpertAssignment,
    Milestone,
    Notification,
    Objection,
    PublicNotice,
    Scenario,
)
from rainforest.exchange.notice_wording import notice_text
from rainforest.exchange.selectors import PUBLIC_STATES
from rainforest.fund.choices import Stage
from rainforest.fund.models import Ballot, Deal, Meeting, Round
from rainforest.fund.services.committee import quorum
from rainforest.jobs.selectors import error_summary, failed_jobs
from rainforest.seedling import selectors as seedling_selectors
from rainforest.seedling.catalogue import entry
from rainforest.seedling.choices import ApplicationStatus as MeasureStatus
from rainforest.seedling.choices import CandidacyStatus, NeedStatus, RoundStatus
from rainforest.seedling.models import Candidacy, MeasureApplication, Need, PanelMember, Score

SHOWN = 3  # items listed under a queue's count
RECENT = 6  # the user's own last actions
CLOSING_SOON_DAYS = 14
# What an auditor looks at first: sign-in trouble and changes to who may do what.
SIGN_IN_TROUBLE = (
    "auth.login.failed",
    "auth.account.locked",
    "auth.login.refused_locked",
    "auth.login.rate_limited",
    "auth.login.unknown_user",
    "auth.otp.failed",
)
ACCESS_CHANGES = (
    "accounts.role.granted",
    "accounts.role.revoked",
    "accounts.user.created",
    "accounts.user.activated",
    "accounts.user.deactivated",
    "security.policy.updated",
    "auth.password.reset",
    "api.token.created",
)
AUDIT_WINDOW_DAYS = 7


@dataclass
class Item:
    label: str
    href: str
    note: str = ""
    late: bool = False


@dataclass
class Queue:
    key: str
    title: str
    count: int
    href: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""  # what an empty queue says
    news: bool = False  # to read, not to do: not counted among the items waiting

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))


@dataclass
class Recent:
    at: dt.datetime
    action: str
    subject: str


@dataclass
class Shortcut:
    label: str
    href: str


@dataclass
class Step:
    label: str
    on: dt.date | dt.datetime | None
    state: str  # done, current, todo, stopped


@dataclass
class Tracked:
    """One of an enterprise's applications, as steps: applied → accepted → reviewed → concluded."""

    kind: str
    title: str
    href: str
    outcome: str
    steps: list[Step]


@dataclass
class Workbench:
    queues: list[Queue] = field(default_factory=list)
    recent: list[Recent] = field(default_factory=list)
    shortcuts: list[Shortcut] = field(default_factory=list)
    # the enterprise's own
    ladder: object = None
    tracked: list[Tracked] = field(default_factory=list)
    matches: list = field(default_factory=list)

    @property
    def waiting(self) -> int:
        """Work waiting for the user; unread notices are news, not work."""
        return sum(q.count for q in self.queues if not q.news)

    @property
    def busy(self) -> list[Queue]:
        return [q for q in self.queues if q.count]

    @property
    def quiet(self) -> list[Queue]:
        return [q for q in self.queues if not q.count]


def _days_late(due: dt.date, today: dt.date) -> str:
    days = (today - due).days
    return _("%(date)s, %(n)s days late") % {"date": _date(due), "n": days}


def _date(value) -> str:
    from rainforest.formatting import date_cn

    return date_cn(value)


def _moment(value) -> str:
    from rainforest.formatting import datetime_cn

    return datetime_cn(value)


def _queue(key, title, qs, href, items, empty) -> Queue:
    """The count of ``qs`` (one query) and its first items (one more), each made by ``items``."""
    count = qs.count()
    rows = list(qs[:SHOWN]) if count else []
    return Queue(key, str(title), count, href, [items(r) for r in rows], str(empty))


# --- the programme officer ------------------------------------------------------------------------


def _exchange_officer(now: dt.datetime, today: dt.date) -> list[Queue]:
    scenario = lambda s: Item(s.title, reverse("exchange:scenario", args=[s.pk]), s.publisher.name)  # noqa: E731
    capability = lambda c: Item(c.title, reverse("exchange:queue"), c.organisation.name)  # noqa: E731
    queue = reverse("exchange:queue")
    out = [
        _queue(
            "scenarios_to_approve",
            _("Scenarios to approve"),
            Scenario.objects.filter(status=ScenarioStatus.SUBMITTED).select_related("publisher").order_by("updated_at"),
            queue,
            scenario,
            _("No scenario is waiting for approval."),
        ),
        _queue(
            "capabilities_to_approve",
            _("Capabilities to approve"),
            Capability.objects.filter(status=CapabilityStatus.SUBMITTED)
            .select_related("organisation")
            .order_by("updated_at"),
            queue,
            capability,
            _("No capability is waiting for approval."),
        ),
    ]
    out.append(
        _queue(
            "to_publish",
            _("Approved scenarios waiting for a published list"),
            Scenario.objects.filter(status=ScenarioStatus.APPROVED).select_related("publisher").order_by("updated_at"),
            reverse("exchange:queue") + "#publish-list",
            scenario,
            _("Every approved scenario is on a published list."),
        )
    )

    def call(c):
        return Item(
            c.scenario.title,
            reverse("exchange:call", args=[c.pk]),
            _("closed %(at)s: start the review") % {"at": _moment(c.closes_at)},
            late=True,
        )

    out.append(
        _queue(
            "calls_to_review",
            _("Calls closed, review not started"),
            Call.objects.filter(status=CallStatus.OPEN, closes_at__lt=now)
            .select_related("scenario")
            .order_by("closes_at"),
            queue,
            call,
            _("No closed call is waiting for its review."),
        )
    )

    def notice(n):
        return Item(
            n.call.scenario.title,
            reverse("exchange:call", args=[n.call_id]),
            _("notice ended %(d)s: make the results final") % {"d": _date(n.ends_on)},
        )

    out.append(
        _queue(
            "notices_to_finalise",
            _("Public notices over, to make final"),
            PublicNotice.objects.filter(
                void=False, finalised_at=None, ends_on__lt=today, call__status=CallStatus.NOTICE
            )
            .select_related("call__scenario")
            .order_by("ends_on"),
            queue,
            notice,
            _("No public notice is waiting to be made final."),
        )
    )

    def objection(o):
        return Item(
            o.notice.call.scenario.title,
            reverse("exchange:call", args=[o.notice.call_id]),
            _("raised %(at)s") % {"at": _moment(o.submitted_at)},
        )

    out.append(
        _queue(
            "objections",
            _("Objections to answer"),
            Objection.objects.filter(outcome=Objection.Outcome.PENDING)
            .select_related("notice__call__scenario")
            .order_by("submitted_at"),
            queue,
            objection,
            _("No objection is waiting for an answer."),
        )
    )
    return out


def _measure_title(code: str) -> str:
    from rainforest.policy.templatetags.policy_tags import loc

    found = entry(code)
    return loc(found.measure.title) if found else code


def _seedling_officer(today: dt.date) -> list[Queue]:
    def application(a):
        return Item(
            a.enterprise.organisation.name,
            reverse("seedling:application", args=[a.pk]),
            _("%(measure)s, applied %(d)s") % {"measure": _measure_title(a.measure), "d": _date(a.submitted_at)},
        )

    def need(n):
        return Item(
            f"{n.enterprise.organisation.name} · {n.category}",
            reverse("seedling:needs"),
            _days_late(n.due_on, today),
            late=True,
        )

    return [
        _queue(
            "measures_to_decide",
            _("Support measure applications to decide"),
            MeasureApplication.objects.filter(status=MeasureStatus.SUBMITTED)
            .select_related("enterprise__organisation")
            .order_by("submitted_at"),
            reverse("seedling:applications") + "?status=submitted",
            application,
            _("No application is waiting for a decision."),
        ),
        _queue(
            "needs_overdue",
            _("Enterprise needs past their 10-working-day clock"),
            Need.objects.filter(status=NeedStatus.OPEN, due_on__lt=today)
            .select_related("enterprise__organisation")
            .order_by("due_on", "pk"),
            reverse("seedling:needs"),
            need,
            _("Every open need is within its clock."),
        ),
    ]


# --- the scenario publisher -----------------------------------------------------------------------


def _publisher(actor: Principal, now: dt.datetime, today: dt.date) -> list[Queue]:
    org = actor.organisation_id
    mine = reverse("exchange:my_scenarios")

    def scenario(s):
        note = _("returned: %(why)s") % {"why": s.status_reason} if s.status == ScenarioStatus.RETURNED else _("draft")
        return Item(
            s.title, reverse("exchange:scenario_edit", args=[s.pk]), note, late=s.status == ScenarioStatus.RETURNED
        )

    def call(c):
        if c.status == CallStatus.REVIEW:
            note = _("under review: pick the winners")
        else:
            note = _("closed %(at)s: start the review") % {"at": _moment(c.closes_at)}
        return Item(c.scenario.title, reverse("exchange:call", args=[c.pk]), note)

    def closing(c):
        return Item(
            c.scenario.title,
            reverse("exchange:call", args=[c.pk]),
            _("closes %(at)s, %(n)s applications so far") % {"at": _moment(c.closes_at), "n": c.received},
        )

    def milestone(m):
        return Item(
            f"{m.project.scenario.title} · {m.title}",
            reverse("exchange:project", args=[m.project_id]),
            _days_late(m.due_on, today),
            late=True,
        )

    return [
        _queue(
            "scenarios_to_finish",
            _("Scenarios returned or still in draft"),
            Scenario.objects.filter(
                publisher_id=org, status__in=[ScenarioStatus.RETURNED, ScenarioStatus.DRAFT]
            ).order_by("-status", "updated_at"),
            mine,
            scenario,
            _("No scenario is waiting for you."),
        ),
        _queue(
            "calls_to_move",
            _("Calls waiting for you"),
            Call.objects.filter(scenario__publisher_id=org)
            .filter(Q(status=CallStatus.OPEN, closes_at__lt=now) | Q(status=CallStatus.REVIEW))
            .select_related("scenario")
            .order_by("closes_at"),
            mine,
            call,
            _("No call is waiting for a step of yours."),
        ),
        _queue(
            "calls_closing",
            _("Your calls closing within two weeks"),
            Call.objects.filter(
                scenario__publisher_id=org,
                status=CallStatus.OPEN,
                closes_at__gte=now,
                closes_at__lte=now + dt.timedelta(days=CLOSING_SOON_DAYS),
            )
            .select_related("scenario")
            .annotate(received=Count("applications", filter=~Q(applications__status=ApplicationStatus.WITHDRAWN)))
            .order_by("closes_at"),
            mine,
            closing,
            _("None of your calls closes in the next two weeks."),
        ),
        _queue(
            "milestones_late",
            _("Project milestones past due"),
            Milestone.objects.filter(project__publisher_id=org, done_on=None, due_on__lt=today)
            .select_related("project__scenario")
            .order_by("due_on"),
            reverse("exchange:projects"),
            milestone,
            _("No milestone of your projects is late."),
        ),
    ]


# --- experts: call panels, good-seedling panels, the fund's committee ----------------------------


def _call_reviews(actor: Principal) -> Queue:
    """Panels on calls under review where this expert still has to declare or to score."""
    live = ~Q(call__applications__status=ApplicationStatus.WITHDRAWN)
    assignments = list(
        ExpertAssignment.objects.filter(expert=actor.user, call__status=CallStatus.REVIEW)
        .select_related("call__scenario")
        .annotate(
            scored=Count("reviews", distinct=True),
            received=Count("call__applications", filter=live, distinct=True),
        )
        .order_by("call__closes_at")
    )
    pending = []
    for a in assignments:
        if a.declared_at is None:
            pending.append(
                Item(
                    a.call.scenario.title,
                    reverse("exchange:assignment", args=[a.pk]),
                    _("declare your conflicts of interest first"),
                )
            )
            continue
        due = a.received - len(a.declared_conflicts) - a.scored
        if due > 0:
            pending.append(
                Item(
                    a.call.scenario.title,
                    reverse("exchange:assignment", args=[a.pk]),
                    _("%(n)s applications to score") % {"n": due},
                )
            )
    return Queue(
        "call_reviews",
        _("Call reviews due"),
        len(pending),
        reverse("exchange:assignments"),
        pending[:SHOWN],
        _("No call review is waiting for you."),
    )


def _seedling_reviews(actor: Principal) -> Queue:
    scored = (
        Score.objects.filter(expert=actor.user, candidacy__round=OuterRef("round"))
        .values("candidacy__round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    candidates = (
        Candidacy.objects.filter(round=OuterRef("round"), status=CandidacyStatus.CANDIDATE)
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    seats = list(
        PanelMember.objects.filter(expert=actor.user, round__status=RoundStatus.REVIEW)
        .select_related("round")
        .annotate(scored=Coalesce(Subquery(scored), 0), candidates=Coalesce(Subquery(candidates), 0))
        .order_by("round__year")
    )
    pending = []
    for seat in seats:
        href = reverse("seedling:round", args=[seat.round_id])
        title = _("Good-seedling selection %(year)s") % {"year": seat.round.year}
        if seat.declared_at is None:
            pending.append(Item(title, href, _("declare your conflicts of interest first")))
        elif seat.candidates > seat.scored:
            pending.append(Item(title, href, _("%(n)s candidates to score") % {"n": seat.candidates - seat.scored}))
    return Queue(
        "seedling_reviews",
        _("Good-seedling scores due"),
        len(pending),
        reverse("seedling:rounds"),
        pending[:SHOWN],
        _("No good-seedling scoring is waiting for you."),
    )


def _committee_votes(actor: Principal) -> Queue:
    ballots = list(
        Ballot.objects.filter(member__user=actor.user, meeting__decision="", vote="", conflict="")
        .select_related("meeting__round__deal__enterprise__organisation")
        .order_by("meeting__held_on")
    )
    items = [
        Item(
            f"{b.meeting.round.deal.enterprise.organisation.name} · {b.meeting.round.name}",
            reverse("fund:committee") + f"#meeting-{b.meeting_id}",
            _("meeting of %(d)s") % {"d": _date(b.meeting.held_on)},
        )
        for b in ballots[:SHOWN]
    ]
    return Queue(
        "committee_votes",
        _("Committee votes to cast"),
        len(ballots),
        reverse("fund:committee"),
        items,
        _("No committee vote is waiting for you."),
    )


# --- the fund manager -------------------------------------------------------------------------------


def _fund_manager() -> list[Queue]:
    needed = quorum()

    def meeting(m):
        note = _("meeting of %(d)s: %(n)s votes cast") % {"d": _date(m.held_on), "n": m.votes}
        if m.votes < needed:
            note += _("; the quorum can no longer be reached")
        return Item(
            f"{m.round.deal.enterprise.organisation.name} · {m.round.name}",
            reverse("fund:deal", args=[m.round.deal_id]),
            note,
            late=m.votes < needed,
        )

    def round_(r):
        return Item(
            f"{r.deal.enterprise.organisation.name} · {r.name}",
            reverse("fund:deal", args=[r.deal_id]),
            _("approved: record it on the cap table"),
        )

    def to_table(d):
        return Item(
            d.enterprise.organisation.name,
            reverse("fund:deal", args=[d.pk]) + "#rounds",
            _("propose the round and open its committee meeting"),
        )

    def deal(d):
        open_items = [k for k, v in (d.checklist or {}).items() if not v.get("done")]
        note = _("%(n)s due-diligence items open") % {"n": len(open_items)} if open_items else _("checklist complete")
        return Item(d.enterprise.organisation.name, reverse("fund:deal", args=[d.pk]), note)

    return [
        # A meeting still collecting votes is the members' work (their own queue below); the
        # manager's turn comes once a quorum has voted and the decision can be recorded, or once
        # so many members declared an interest that a quorum can no longer be reached.
        _queue(
            "meetings_to_decide",
            _("Committee meetings ready for a decision"),
            Meeting.objects.filter(decision="")
            .select_related("round__deal__enterprise__organisation")
            .annotate(
                votes=Count("ballots", filter=~Q(ballots__vote="")),
                to_vote=Count("ballots", filter=Q(ballots__vote="", ballots__conflict="")),
            )
            .filter(Q(votes__gte=needed) | Q(votes__lt=needed - F("to_vote")))
            .order_by("held_on"),
            reverse("fund:committee"),
            meeting,
            _("No committee meeting is waiting for its decision."),
        ),
        _queue(
            "committee_without_meeting",
            _("Deals at the committee stage without a meeting"),
            Deal.objects.filter(stage=Stage.COMMITTEE)
            .exclude(rounds__meeting__decision="")
            .exclude(rounds__meeting__decision="approved")
            .select_related("enterprise__organisation")
            .distinct()
            .order_by("created_at", "pk"),
            reverse("fund:pipeline"),
            to_table,
            _("Every deal at the committee stage has its meeting."),
        ),
        _queue(
            "rounds_to_record",
            _("Approved rounds to record"),
            Round.objects.filter(meeting__decision="approved", recorded=False)
            .select_related("deal__enterprise__organisation")
            .order_by("on"),
            reverse("fund:pipeline"),
            round_,
            _("Every approved round is on its cap table."),
        ),
        _queue(
            "in_diligence",
            _("Deals in due diligence"),
            Deal.objects.filter(stage=Stage.DILIGENCE)
            .select_related("enterprise__organisation")
            .order_by("created_at"),
            reverse("fund:pipeline") + "?stage=diligence",
            deal,
            _("No deal is in due diligence."),
        ),
    ]


# --- the three administrators --------------------------------------------------------------------


def _failed_jobs() -> Queue:
    def job(r):
        kind, _message = error_summary(r)
        name = r.task_path.rsplit(".", 1)[-1].replace("_", " ")
        return Item(
            name,
            reverse("ops:jobs"),
            _("failed %(at)s (%(error)s)") % {"at": _moment(r.finished_at), "error": kind},
            late=True,
        )

    return _queue(
        "failed_jobs",
        _("Background jobs failed"),
        failed_jobs(),
        reverse("ops:jobs"),
        job,
        _("No background job has failed."),
    )


def _locked_accounts(now: dt.datetime, actor: Principal) -> Queue:
    # The system administrator unlocks accounts on the accounts page; the security administrator,
    # who may not open it, sets the lock-out rules on the security policy page.
    page = reverse("accounts:users" if actor.can(p.ACCOUNTS_MANAGE) else "accounts:policy")

    def user(u):
        return Item(u.username, page, _("locked until %(at)s") % {"at": _moment(u.locked_until)})

    return _queue(
        "locked",
        _("Accounts locked after failed sign-ins"),
        User.objects.filter(locked_until__gt=now).order_by("locked_until"),
        page,
        user,
        _("No account is locked."),
    )


def _without_role() -> Queue:
    def user(u):
        return Item(u.username, reverse("accounts:roles"), _("created %(d)s") % {"d": _date(u.date_joined)})

    return _queue(
        "without_role",
        _("Active accounts without a role"),
        User.objects.filter(is_active=True, memberships__isnull=True).order_by("date_joined"),
        reverse("accounts:roles"),
        user,
        _("Every active account has a role."),
    )


def _without_second_factor() -> Queue:
    from rainforest.accounts.choices import Role

    def member(m):
        return Item(m.user.username, reverse("accounts:roles"), str(Role(m.role).label))

    confirmed = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    return _queue(
        "no_second_factor",
        _("Privileged accounts that have not set up their one-time codes"),
        Membership.objects.filter(role__in=PRIVILEGED_ROLES, user__is_active=True)
        .exclude(user_id__in=confirmed)
        .select_related("user")
        .order_by("user__username"),
        reverse("accounts:roles"),
        member,
        _("Every privileged account has its second factor."),
    )


def _audit_queue(key, title, codes, since, href, empty) -> Queue:
    def event(e):
        return Item(f"{action_name(e.action)} · {e.actor_label or e.subject_label}", href, _moment(e.at))

    return _queue(
        key,
        title,
        AuditEvent.objects.filter(action__in=codes, at__gte=since).order_by("-at", "-id"),
        href,
        event,
        empty,
    )


def _auditor(now: dt.datetime) -> list[Queue]:
    since = now - dt.timedelta(days=AUDIT_WINDOW_DAYS)
    audit = reverse("accounts:audit")
    return [
        _audit_queue(
            "sign_in_trouble",
            _("Failed and refused sign-ins, last 7 days"),
            SIGN_IN_TROUBLE,
            since,
            audit + "?action=auth.",
            _("No failed sign-in in the last 7 days."),
        ),
        _audit_queue(
            "access_changes",
            _("Changes to accounts, roles and policy, last 7 days"),
            ACCESS_CHANGES,
            since,
            audit + "?action=accounts.",
            _("No access change in the last 7 days."),
        ),
    ]


# --- the enterprise ---------------------------------------------------------------------------------


def _steps(*states: tuple[str, object, bool]) -> list[Step]:
    """(label, date, reached) per step: reached ones are done, the first one not reached is current."""
    out, current_given = [], False
    for label, on, reached in states:
        if reached:
            out.append(Step(label, on, "done"))
        elif not current_given:
            out.append(Step(label, on, "current"))
            current_given = True
        else:
            out.append(Step(label, on, "todo"))
    return out


def _step_names() -> tuple[str, str, str, str]:
    return (
        pgettext("application step", "Applied"),
        pgettext("application step", "Accepted"),
        pgettext("application step", "Reviewed"),
        pgettext("application step", "Concluded"),
    )


def _tracked_call_application(a: Application, now: dt.datetime) -> Tracked:
    applied, accepted, reviewed, concluded = _step_names()
    call = a.call
    notices = list(call.notices.all())
    final = next((n for n in notices if n.finalised_at), None)
    noticed = next((n for n in notices if not n.void), None)
    closed = now > call.closes_at
    if a.status == ApplicationStatus.WITHDRAWN:
        steps = [Step(applied, a.submitted_at, "done"), Step(_("Withdrawn"), None, "stopped")]
    else:
        steps = _steps(
            (applied, a.submitted_at, True),
            (accepted, call.closes_at, closed),
            (reviewed, noticed.starts_on if noticed else None, call.status in (CallStatus.NOTICE, CallStatus.FINAL)),
            (concluded, final.finalised_at if final else None, call.status == CallStatus.FINAL),
        )
    return Tracked(
        _("Open call"),
        call.scenario.title,
        reverse("exchange:call", args=[call.pk]),
        str(a.get_status_display()),
        steps,
    )


def _tracked_measure(m: MeasureApplication) -> Tracked:
    applied, accepted, reviewed, concluded = _step_names()
    paid = getattr(m, "disbursement", None) if m.status == MeasureStatus.DISBURSED else None
    if m.status == MeasureStatus.WITHDRAWN:
        steps = [Step(applied, m.submitted_at, "done"), Step(_("Withdrawn"), None, "stopped")]
    elif m.status == MeasureStatus.REFUSED:
        steps = [
            Step(applied, m.submitted_at, "done"),
            Step(accepted, m.submitted_at, "done"),
            Step(reviewed, m.decided_at, "done"),
            Step(concluded, m.decided_at, "stopped"),
        ]
    else:
        steps = _steps(
            (applied, m.submitted_at, True),
            (accepted, m.submitted_at, True),  # received on the platform the moment it is filed
            (reviewed, m.decided_at, m.decided_at is not None),
            (concluded, paid.paid_on if paid else None, paid is not None),
        )
    return Tracked(
        _("Support measure"),
        _measure_title(m.measure),
        reverse("seedling:application", args=[m.pk]),
        str(m.get_status_display()),
        steps,
    )


def _tracked_candidacy(c: Candidacy) -> Tracked:
    applied, accepted, reviewed, concluded = _step_names()
    r = c.round
    if c.status == CandidacyStatus.WITHDRAWN:
        steps = [Step(applied, c.submitted_at, "done"), Step(_("Withdrawn"), None, "stopped")]
    else:
        steps = _steps(
            (applied, c.submitted_at, True),
            (accepted, None, r.status != RoundStatus.OPEN),
            (reviewed, r.approved_at, r.approved_at is not None),
            (concluded, r.published_at, r.published_at is not None),
        )
    return Tracked(
        _("Good-seedling selection"),
        _("Good-seedling selection %(year)s") % {"year": r.year},
        reverse("seedling:round", args=[r.pk]),
        str(c.get_status_display()),
        steps,
    )


def _enterprise(actor: Principal, bench: Workbench, now: dt.datetime, today: dt.date) -> None:
    org = actor.organisation_id
    if actor.can(p.SEEDLING_APPLY):
        enterprise = seedling_selectors.own_enterprise(actor)
        if enterprise is not None:
            bench.ladder = seedling_selectors.ladder(actor=actor, enterprise=enterprise, as_of=today)
    tracked: list[tuple[dt.datetime, Tracked]] = []
    if actor.can(p.EXCHANGE_SUPPLY):
        for a in (
            Application.objects.filter(applicant_id=org)
            .select_related("call__scenario")
            .prefetch_related("call__notices")
            .order_by("-submitted_at")[:SHOWN]
        ):
            tracked.append((a.submitted_at, _tracked_call_application(a, now)))
    if actor.can(p.SEEDLING_APPLY):
        for m in (
            MeasureApplication.objects.filter(enterprise__organisation_id=org)
            .select_related("disbursement")
            .order_by("-submitted_at")[:SHOWN]
        ):
            tracked.append((m.submitted_at, _tracked_measure(m)))
        for c in (
            Candidacy.objects.filter(enterprise__organisation_id=org)
            .select_related("round")
            .order_by("-submitted_at")[:SHOWN]
        ):
            tracked.append((c.submitted_at, _tracked_candidacy(c)))
    bench.tracked = [t for _at, t in sorted(tracked, key=lambda pair: pair[0], reverse=True)][: SHOWN * 2]

    if actor.can(p.EXCHANGE_SUPPLY):

        def call(c):
            return Item(
                c.scenario.title,
                reverse("exchange:call", args=[c.pk]),
                _("closes %(at)s") % {"at": _moment(c.closes_at)},
            )

        applied_to = Application.objects.filter(applicant_id=org).exclude(status=ApplicationStatus.WITHDRAWN)
        bench.queues.append(
            _queue(
                "calls_closing",
                _("Open calls closing within two weeks"),
                Call.objects.filter(
                    status=CallStatus.OPEN,
                    opens_at__lte=now,
                    closes_at__gte=now,
                    closes_at__lte=now + dt.timedelta(days=CLOSING_SOON_DAYS),
                    scenario__status__in=PUBLIC_STATES,
                )
                .exclude(pk__in=applied_to.values("call_id"))
                .select_related("scenario")
                .order_by("closes_at"),
                reverse("exchange:scenarios") + "?status=call_open",
                call,
                _("No open call closes in the next two weeks."),
            )
        )

        def notification(n):
            return Item(notice_text(n), reverse("exchange:notification_open", args=[n.pk]), _moment(n.created_at))

        notices = _queue(
            "notices",
            _("Unread notices"),
            Notification.objects.filter(user=actor.user, read_at=None).order_by("-created_at", "-id"),
            reverse("exchange:subscription"),
            notification,
            _("No unread notice."),
        )
        notices.news = True
        bench.queues.append(notices)

        from rainforest.matching.selectors import scenarios_for

        bench.matches = scenarios_for(actor=actor, top=SHOWN).good  # weak matches are no news
    if actor.can(p.SEEDLING_APPLY):

        def need(n):
            return Item(
                n.category,
                reverse("seedling:own"),
                # Past its date the enterprise reads the same words as the officer: how late it is.
                _days_late(n.due_on, today) if n.due_on < today else _("answer due %(d)s") % {"d": _date(n.due_on)},
                late=n.due_on < today,
            )

        bench.queues.append(
            _queue(
                "own_needs",
                _("Your needs being handled"),
                Need.objects.filter(enterprise__organisation_id=org, status=NeedStatus.OPEN).order_by("due_on"),
                reverse("seedling:own"),
                need,
                _("No need of yours is open."),
            )
        )


# --- recent work and shortcuts ------------------------------------------------------------------------


def recent_work(actor: Principal) -> list[Recent]:
    """The user's own last actions from the audit trail, in words (sign-in events aside)."""
    events = (
        AuditEvent.objects.filter(actor_id=actor.user.pk)
        .exclude(action__startswith="auth.")
        .order_by("-at", "-id")
        .only("at", "action", "subject_label")[:RECENT]
    )
    return [Recent(e.at, action_name(e.action), e.subject_label) for e in events]


# (permission, page, place on the page, label): a shortcut is followed with a plain click, so it
# names the page that holds a form, never the form's POST-only address.
SHORTCUTS = (
    (p.REGISTRY_EDIT_OWN, "registry:own", "", gettext_lazy("Update this year's facts")),
    (p.SEEDLING_APPLY, "seedling:measures", "", gettext_lazy("Apply for a support measure")),
    (p.EXCHANGE_SUPPLY, "exchange:my_capabilities", "", gettext_lazy("Offer a capability")),
    (p.EXCHANGE_PUBLISH, "exchange:scenario_new", "", gettext_lazy("Draft a scenario")),
    (p.EXCHANGE_PUBLISH, "exchange:projects", "", gettext_lazy("Follow your projects")),
    (p.EXCHANGE_MANAGE, "exchange:queue", "#publish-list", gettext_lazy("Publish a list")),
    (p.POLICY_SCREEN, "policy:runs", "", gettext_lazy("Screen a file of enterprises")),
    (p.SEEDLING_MANAGE, "seedling:pyramid", "", gettext_lazy("See the tier pyramid")),
    (p.EXCHANGE_REVIEW, "exchange:assignments", "", gettext_lazy("All your call panels")),
    (p.FUND_MANAGE, "fund:pipeline", "#new-deal", gettext_lazy("Add a deal")),
    (p.FUND_MANAGE, "fund:portfolio", "", gettext_lazy("Portfolio and quarterly report")),
    (p.ACCOUNTS_MANAGE, "accounts:users", "", gettext_lazy("Create an account")),
    (p.ROLES_GRANT, "accounts:roles", "", gettext_lazy("Grant a role")),
    (p.SECURITY_POLICY, "accounts:policy", "", gettext_lazy("Review the security policy")),
)


def shortcuts(actor: Principal) -> list[Shortcut]:
    out = [Shortcut(str(label), reverse(name) + place) for perm, name, place, label in SHORTCUTS if actor.can(perm)]
    if actor.can(p.AUDIT_VIEW):
        out.append(Shortcut(_("Verify the audit chain"), reverse("accounts:audit") + "?verify=1"))
    if actor.can(p.AUDIT_EXPORT):
        out.append(Shortcut(_("Export the audit trail"), reverse("accounts:audit_export")))
    out.append(Shortcut(_("Change password"), reverse("accounts:password_change")))
    return out


def workbench(*, actor: Principal) -> Workbench:
    """The signed-in principal's home: queues by permission, recent work, shortcuts."""
    now, today = timezone.now(), timezone.localdate()
    bench = Workbench()
    if actor.membership is None:
        bench.shortcuts = shortcuts(actor)
        return bench
    if actor.can(p.EXCHANGE_MANAGE):
        bench.queues += _exchange_officer(now, today)
    if actor.can(p.SEEDLING_MANAGE):
        bench.queues += _seedling_officer(today)
    if actor.can(p.EXCHANGE_PUBLISH):
        bench.queues += _publisher(actor, now, today)
    if actor.can(p.EXCHANGE_REVIEW):
        bench.queues.append(_call_reviews(actor))
    if actor.can(p.SEEDLING_REVIEW):
        bench.queues.append(_seedling_reviews(actor))
    if actor.can(p.FUND_MANAGE):
        bench.queues += _fund_manager()
    if actor.can(p.FUND_VOTE) or actor.can(p.FUND_MANAGE):
        bench.queues.append(_committee_votes(actor))
    if actor.can(p.JOBS_VIEW):
        bench.queues.append(_failed_jobs())
    if actor.can(p.ACCOUNTS_MANAGE) or actor.can(p.SECURITY_POLICY):
        bench.queues.append(_locked_accounts(now, actor))
    if actor.can(p.ROLES_GRANT):
        bench.queues += [_without_role(), _without_second_factor()]
    if actor.can(p.AUDIT_VIEW):
        bench.queues += _auditor(now)
    if actor.permissions & {p.SEEDLING_APPLY, p.EXCHANGE_SUPPLY}:
        _enterprise(actor, bench, now, today)
    bench.recent = recent_work(actor)
    bench.shortcuts = shortcuts(actor)
    return bench


# --- visitors --------------------------------------------------------------------------------------


@dataclass
class PublicFigures:
    scenarios: int
    open_calls: int
    capabilities: int
    closing: list = field(default_factory=list)  # open calls, the soonest to close first


def public_figures() -> PublicFigures:
    """The landing page's figures: three counts and the next calls to close (four queries)."""
    now = timezone.now()
    open_calls = Call.objects.filter(
        status=CallStatus.OPEN, opens_at__lte=now, closes_at__gte=now, scenario__status__in=PUBLIC_STATES
    )
    return PublicFigures(
        scenarios=Scenario.objects.filter(status__in=PUBLIC_STATES).count(),
        open_calls=open_calls.count(),
        capabilities=Capability.objects.filter(status=CapabilityStatus.APPROVED).count(),
        closing=list(open_calls.select_related("scenario__publisher").order_by("closes_at")[:SHOWN]),
    )
