"""Every role tries every page and every API operation; only the roles named may pass."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import sign_in

PERSONAS = ["enterprise_user", "publisher", "officer", "expert", "fund_manager", "sysadmin", "secadmin", "auditor"]

# page -> personas allowed (status 200); everyone else is refused.
PAGES = {
    "/registry/": {"officer", "fund_manager"},
    "/registry/import/": {"officer"},
    "/registry/export/?format=csv": {"officer"},
    "/accounts/users/": {"sysadmin"},
    "/accounts/roles/": {"secadmin"},
    "/accounts/policy/": {"secadmin"},
    "/accounts/audit/": {"auditor"},
    "/accounts/audit/export/": {"auditor"},
    "/accounts/tokens/": {"enterprise_user", "publisher", "officer", "fund_manager"},
    "/admin/": {"officer", "fund_manager", "sysadmin", "secadmin", "auditor"},
    "/admin/audit/auditevent/": {"auditor"},
    "/admin/accounts/securitypolicy/": {"secadmin"},
    "/admin/accounts/user/": {"sysadmin"},
    "/admin/accounts/membership/": {"secadmin"},
    "/admin/registry/yearlyfacts/": {"officer", "fund_manager"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_reaches_only_its_pages(persona, request, client):
    user = request.getfixturevalue(persona)
    sign_in(client, user)
    for page, allowed in PAGES.items():
        status = client.get(page).status_code
        if persona in allowed:
            assert status == 200, (persona, page, status)
        else:
            assert status in (302, 403, 404), (persona, page, status)


@pytest.mark.parametrize("persona", PERSONAS)
def test_another_enterprise_is_visible_only_to_registry_readers(persona, request, client, other_startup):
    sign_in(client, request.getfixturevalue(persona))
    status = client.get(f"/registry/{other_startup.uscc}/").status_code
    assert status == (200 if persona in ("officer", "fund_manager") else 404)


def test_enterprise_user_cannot_edit_another_enterprise(client, enterprise_user, other_startup):
    sign_in(client, enterprise_user)
    assert client.get(f"/registry/{other_startup.uscc}/facts/2024/").status_code == 404
    post = client.post(f"/registry/{other_startup.uscc}/facts/2024/", {"employees": 1, "version": 1})
    assert post.status_code == 404
    assert other_startup.enterprise.facts.get(fiscal_year=2024).employees == 50


def test_officer_reads_but_cannot_edit_an_enterprise(client, officer, other_startup):
    sign_in(client, officer)
    assert client.get(f"/registry/{other_startup.uscc}/").status_code == 200
    assert client.post(f"/registry/{other_startup.uscc}/profile/", {"name": "x"}).status_code == 403


def test_system_administrator_cannot_change_security_policy(client, sysadmin):
    sign_in(client, sysadmin)
    assert client.post("/accounts/policy/", {"min_length": 12, "version": 1}).status_code == 403


def test_security_administrator_cannot_create_accounts_or_touch_business_data(client, secadmin, startup):
    sign_in(client, secadmin)
    assert client.post("/accounts/users/", {"username": "x", "password": "Abc#12345"}).status_code == 403
    assert client.get(f"/registry/{startup.uscc}/").status_code == 404


def test_audit_administrator_cannot_grant_roles_or_deactivate(client, auditor, enterprise_user):
    sign_in(client, auditor)
    assert client.post("/accounts/roles/", {"username": "alice", "role": "expert"}).status_code == 403
    assert client.post(f"/accounts/users/{enterprise_user.pk}/active/", {"active": "0"}).status_code == 403
    enterprise_user.refresh_from_db()
    assert enterprise_user.is_active


def test_nobody_can_change_or_delete_audit_events_in_the_back_office(client, auditor):
    from rainforest.audit.models import AuditEvent

    sign_in(client, auditor)
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action != "x"


def test_system_administrator_adds_an_organisation_in_the_back_office_with_audit(client, sysadmin):
    from rainforest.accounts.models import Organisation
    from rainforest.audit.models import AuditEvent
    from tests.conftest import new_uscc

    sign_in(client, sysadmin)
    code = new_uscc()
    response = client.post("/admin/accounts/organisation/add/", {
        "name": "杭州新设孵化器", "kind": "incubator", "uscc": code, "district": "滨江区", "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    org = Organisation.objects.get(uscc=code)
    assert AuditEvent.objects.filter(action="accounts.organisation.created", subject_id=str(org.pk),
                                     actor_label="sam").exists()  # fmt: skip
    bad = client.post("/admin/accounts/organisation/add/", {
        "name": "坏代码", "kind": "incubator", "uscc": code[:-1] + ("0" if code[-1] != "0" else "1"),
    })  # fmt: skip
    assert bad.status_code == 200 and "校验码应为" in bad.content.decode()


def test_back_office_edit_over_a_newer_save_is_refused(client, sysadmin, startup):
    sign_in(client, sysadmin)
    url = f"/admin/accounts/organisation/{startup.pk}/change/"
    data = {"name": "新名称", "kind": "enterprise", "uscc": startup.uscc, "district": "滨江区", "is_active": "on",
            "opened_version": startup.version}  # fmt: skip
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "name": "另一个名称"})
    assert stale.status_code == 200 and "他人已修改了该机构" in stale.content.decode()
    startup.refresh_from_db()
    assert startup.name == "新名称"


# --- The whole matrix: every page route and every API operation, for every role ----------------------------------
#
# One world (one of each object the URLs name) is built once for this module inside an outer transaction; each
# test runs in a savepoint inside it, so a POST that changes something changes it for that test only. Every role
# signs in once (password, then TOTP) and each test starts a fresh client from that role's session cookie.

ROLES = ("anon", "ent", "other", "pub", "off", "exp", "fm", "sys", "sec", "aud")
USERS = {  # role -> username in the world (distinct from the conftest personas, which may share a test run)
    "ent": "m_alice", "other": "m_charlie", "pub": "m_paul", "off": "m_olivia", "exp": "m_ethan",
    "fm": "m_fiona", "sys": "m_sam", "sec": "m_sec", "aud": "m_audra",
}  # fmt: skip
TOKEN_ROLES = ("ent", "other", "pub", "off", "fm")  # the roles holding api.tokens_own
LOGIN = "login"  # a 302 to the sign-in page: a refusal for anonymous only
BACK = "back"  # a 302 anywhere but the sign-in, second-factor or password pages: the action ran or was refused


def _build_world():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rainforest.accounts import services as accounts
    from rainforest.accounts.choices import PRIVILEGED_ROLES, OrganisationKind, Role
    from rainforest.accounts.models import ApiToken
    from rainforest.exchange.models import Attachment, Notification, Project, PublicNotice
    from rainforest.exchange.services import calls, projects, reviews, scenarios
    from rainforest.fund import services as fund
    from rainforest.policy.services import screening_run
    from rainforest.seedling.services import measures, rounds, support
    from tests.conftest import PASSWORD, SYSTEM, new_uscc
    from tests.exchange.conftest import PROPOSAL, RUBRIC, SCENARIO, as_actor
    from tests.matching.conftest import offer
    from tests.seedling.conftest import THIS_YEAR, facts, recognise

    def org(name, kind=OrganisationKind.ENTERPRISE, district="滨江区"):
        return accounts.organisation_create(actor=SYSTEM, name=name, kind=kind, uscc=new_uscc(), district=district)

    startup, other = org("矩阵甲科技有限公司"), org("矩阵乙科技有限公司")
    company = org("矩阵丙机器人有限公司")
    bureau = org("矩阵市经济和信息化局", OrganisationKind.GOVERNMENT, "")
    uni = org("矩阵大学", OrganisationKind.UNIVERSITY, "西湖区")
    fund_org = org("矩阵科创集团有限公司", OrganisationKind.FUND, "")
    for o in (startup, other, company):
        facts(o)
    homes = {"ent": (startup, Role.ENTERPRISE_USER), "other": (other, Role.ENTERPRISE_USER),
             "pub": (bureau, Role.SCENARIO_PUBLISHER), "off": (bureau, Role.PROGRAMME_OFFICER),
             "exp": (uni, Role.EXPERT), "fm": (fund_org, Role.FUND_MANAGER), "sys": (bureau, Role.SYSTEM_ADMIN),
             "sec": (bureau, Role.SECURITY_ADMIN), "aud": (bureau, Role.AUDIT_ADMIN)}  # fmt: skip
    users = {}
    for role, (organisation, role_name) in homes.items():
        user = accounts.user_create(actor=SYSTEM, username=USERS[role], password=PASSWORD)
        accounts.membership_grant(actor=SYSTEM, user=user, organisation=organisation, role=role_name)
        if role_name in PRIVILEGED_ROLES:
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        users[role] = user
    act = {role: as_actor(user) for role, user in users.items()}
    w = SimpleNamespace(users=users, year=THIS_YEAR, uscc=startup.uscc, facts_year=THIS_YEAR - 1)

    # The exchange: a published scenario with an open call, two applications (one with a file), an expert on the
    # panel, a result on public notice, a capability of the enterprise, a draft, a project.
    scenario = scenarios.scenario_create(actor=act["pub"], **SCENARIO)
    scenarios.scenario_move(actor=act["pub"], scenario=scenario, action="submit")
    scenarios.scenario_move(actor=act["off"], scenario=scenario, action="approve")
    published = scenarios.list_publish(actor=act["off"], kind="scenarios", year=THIS_YEAR, number=1, title="第1批",
                                       ids=[scenario.pk])  # fmt: skip
    draft = scenarios.scenario_create(actor=act["pub"], **{**SCENARIO, "title": "草稿场景"})
    now = timezone.now()
    call = calls.call_open(actor=act["pub"], scenario=scenario, opens_at=now - dt.timedelta(hours=1),
                           closes_at=now + dt.timedelta(days=7), rubric=RUBRIC, max_winners=1)  # fmt: skip
    application = calls.application_submit(actor=act["ent"], call=call, files=[("方案.pdf", b"%PDF-1.4 matrix")],
                                           **PROPOSAL)  # fmt: skip
    calls.application_submit(actor=act["other"], call=call, **PROPOSAL)
    assignment = reviews.panel_assign(actor=act["off"], call=call, expert=users["exp"])
    today = timezone.localdate()
    notice = PublicNotice.objects.create(call=call, starts_on=today, ends_on=today + dt.timedelta(days=7),
                                         channel="电话")  # fmt: skip
    objection = reviews.objection_submit(actor=act["other"], notice=notice, text="评审过程存在明显的利益冲突问题")
    capability = offer(users["ent"], "dog", approve_by=users["off"])
    project = Project.objects.create(scenario=scenario, publisher=bureau, enterprise=startup,
                                     contract_value=1_200_000, agreed_on=today)  # fmt: skip
    milestone = projects.milestone_add(actor=act["ent"], project=project, title="试点部署", due_on=today)
    w.scenario, w.draft, w.call, w.list = scenario.pk, draft.pk, call.pk, published.pk
    w.objection, w.milestone = objection.pk, milestone.pk
    w.notification = Notification.objects.create(
        user=users["ent"], kind="scenario_published", key="matrix", text="您关注的新场景", link="/exchange/"
    ).pk
    w.application, w.assignment, w.capability, w.project = application.pk, assignment.pk, capability.pk, project.pk
    w.attachment = Attachment.objects.get(owner_type="application", owner_id=application.pk).pk

    # Policy: one screening run of the registry.
    w.run = screening_run(actor=act["off"], as_of=today).pk

    # Registry: the officer's background export, built.
    from rainforest.registry import tasks as registry_tasks

    w.export = registry_tasks.facts_export_request(actor=act["off"], fmt="xlsx").pk
    registry_tasks.facts_export_job.call(w.export)

    # Seedling: a round, the enterprise a good seedling with a measure applied for and a need raised.
    selection = rounds.round_open(actor=act["off"], year=THIS_YEAR)
    w.round = selection.pk
    w.candidacy = rounds.candidacy_submit(actor=act["ent"], selection=selection, enterprise=startup.enterprise).pk
    rounds.panel_add(actor=act["off"], selection=selection, expert=users["exp"])  # not yet declared
    recognise(startup.enterprise, "good_seedling", year=THIS_YEAR)
    support.case_officer_assign(actor=act["off"], enterprise=startup.enterprise, officer=users["off"])
    w.measure_application = measures.measure_apply(
        actor=act["ent"], enterprise=startup.enterprise, measure_id="RM-M03a", year=THIS_YEAR
    ).pk
    w.need = support.need_raise(
        actor=act["ent"], enterprise=startup.enterprise, category="场地", description="中试场地"
    ).pk

    # The fund: the expert and the fund manager on the committee, a deal with a cap table, a round before it.
    fund.committee_seat(actor=act["fm"], user=users["fm"], external=False)
    fund.committee_seat(actor=act["fm"], user=users["exp"], external=True)
    deal = fund.deal_create(actor=act["fm"], enterprise=company.enterprise, source="self")
    fund.table_event_add(actor=act["fm"], deal=deal, on=dt.date(2023, 5, 1), kind="issue", holder="创始人",
                         units=9_000_000)  # fmt: skip
    type(deal).objects.filter(pk=deal.pk).update(stage="closing")
    investors = [{"name": "x", "amount": "4000000", "is_fund": True}]
    proposed = fund.round_propose(actor=act["fm"], deal=deal, name="天使轮", on=dt.date(2026, 11, 20),
                                  pre_money="40000000", investors=investors)  # fmt: skip
    meeting = fund.meeting_open(actor=act["fm"], round=proposed, held_on=dt.date(2026, 11, 21))
    w.deal, w.fund_round, w.meeting = deal.pk, proposed.pk, meeting.pk

    # Background jobs: one that failed for good, which the system administrator may retry.
    from django_tasks_db.models import DBTaskResult

    from rainforest.jobs.tasks import prune_results

    failed = DBTaskResult.objects.get(pk=prune_results.enqueue().id)
    failed.set_failed(RuntimeError("matrix"))
    w.failed_job = failed.pk

    # Accounts: a token of the enterprise user (the page revokes it), every token role's API token.
    w.tokens = {role: accounts.api_token_create(actor=act[role], name="matrix")[1] for role in TOKEN_ROLES}
    w.token = ApiToken.objects.get(membership__user=users["ent"]).pk
    w.membership = users["ent"].memberships.get().pk
    w.memberships = {role: user.memberships.get().pk for role, user in users.items()}
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back after the module; each test's savepoint sits inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = _build_world()
            w.cookies = {}
            for role, user in w.users.items():
                w.cookies[role] = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield w
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _client(world, role) -> Client:
    client = Client()
    if role != "anon":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.cookies[role]
    return client


def _check(response, expected, role, what):
    status, location = response.status_code, response.get("Location", "")
    to_login = status == 302 and location.startswith(reverse("accounts:login"))
    actual = LOGIN if to_login else BACK if status == 302 else status
    if to_login and expected != LOGIN:
        assert role == "anon", f"{what} as {role}: signed in, yet sent to sign in ({location})"
    if actual == BACK:
        assert not location.startswith(("/accounts/otp/", "/accounts/password/")), (what, role, location)
    assert actual == expected, f"{what} as {role}: expected {expected}, got {actual} {location}"


def E(default=403, anon=LOGIN, **roles):
    """Expected status per role: ``default`` for every signed-in role not named, ``anon`` for anonymous."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {"anon": anon, **dict.fromkeys(ROLES[1:], default), **roles}


def PUBLIC(status=200, **roles):
    return E(status, status, **roles)


def page(name, args=(), expected=None, *, method="get", query="", data=None, case=""):
    """One row: the URL name, its arguments (world attributes), the method and the status for each role."""
    return SimpleNamespace(name=name, args=args, expected=expected, method=method, query=query, data=data, case=case)


TOKEN_HOLDERS = dict.fromkeys(TOKEN_ROLES, 200)

PAGES_TABLE = [
    page("home", (), PUBLIC()),
    # the load balancer's probes: the same answer for everyone, never a redirect to sign in or to the second factor
    page("healthz", (), PUBLIC()),
    page("readyz", (), PUBLIC(503)),  # no matching index is loaded in a test's process (tests/ops/test_health.py)
    # accounts
    page("accounts:login", (), PUBLIC()),
    page("accounts:logout", (), E(LOGIN), method="post"),  # signing out ends at the sign-in page, for everyone
    page("accounts:otp", (), E(200)),
    page("accounts:password_change", (), E(200)),
    page(
        "accounts:membership_switch",
        (),
        E(BACK),
        method="post",
        data=lambda w, role: {"membership": w.memberships.get(role, 0)},  # one's own membership
    ),
    page("accounts:users", (), E(sys=200)),
    page("accounts:user_active", ("ent_user",), E(sys=BACK), method="post"),
    page("accounts:user_password", ("ent_user",), E(sys=BACK), method="post"),
    page("accounts:roles", (), E(sec=200)),
    page("accounts:role_revoke", ("membership",), E(sec=BACK), method="post"),
    page("accounts:policy", (), E(sec=200)),
    page("accounts:audit", (), E(aud=200)),
    page("accounts:audit_export", (), E(aud=200)),
    page("accounts:tokens", (), E(**TOKEN_HOLDERS)),
    # Someone else's token: the service refuses (403) unless the system administrator revokes it for them.
    page("accounts:token_revoke", ("token",), E(ent=BACK, sys=BACK), method="post"),
    # registry
    page("registry:list", (), E(off=200, fm=200)),
    page("registry:own", (), E(ent=BACK, other=BACK)),
    page("registry:import", (), E(off=200)),
    page("registry:export", (), E(off=200), query="format=csv"),
    page("registry:export_request", (), E(off=BACK), method="post"),
    page("registry:exports", (), E(200)),  # one's own exports, none for most
    page("registry:export_download", ("export",), E(404, off=200)),  # the officer's own export only
    page("registry:detail", ("uscc",), E(404, ent=200, off=200, fm=200)),
    page("registry:profile_edit", ("uscc",), E(404, ent=200, off=403, fm=403)),
    page("registry:facts_new", ("uscc",), E(404, ent=200, off=403, fm=403)),
    page("registry:facts_edit", ("uscc", "facts_year"), E(404, ent=200, off=403, fm=403)),
    # policy
    page("policy:library", (), PUBLIC()),
    page("policy:check", (), PUBLIC()),
    page("policy:own_check", (), E(ent=200, other=200)),
    page("policy:runs", (), E(off=200)),
    page("policy:run", ("run",), E(off=200)),
    page("policy:run_again", ("run",), E(off=404), method="post"),  # only a failed run starts again
    page("policy:run_download", ("run",), E(off=200)),
    page("policy:result", ("run", "uscc"), E(off=200)),
    # exchange
    page("exchange:scenarios", (), PUBLIC()),
    page("exchange:scenario_new", (), E(pub=200)),
    page("exchange:scenario", ("scenario",), PUBLIC()),
    page("exchange:scenario", ("draft",), E(404, anon=404, pub=200, off=200), case="draft"),
    page("exchange:scenario_edit", ("scenario",), E(pub=200)),
    # A move on a public scenario (its call is open): the publisher and officers may ask, and are told why not.
    page("exchange:scenario_move", ("scenario", "withdraw"), E(pub=BACK, off=BACK), method="post"),
    # A draft: only its publisher and officers see it; only the publisher submits it.
    page("exchange:scenario_move", ("draft", "submit"), E(404, pub=BACK, off=403), method="post", case="draft"),
    page("exchange:call_new", ("scenario",), E(pub=200, off=200)),
    page("exchange:my_scenarios", (), E(pub=200)),
    page("exchange:lists", (), PUBLIC()),
    page("exchange:list_publish", (), E(off=BACK), method="post"),
    page("exchange:list", ("list",), PUBLIC()),
    page("exchange:capabilities", (), PUBLIC()),
    page("exchange:capability", ("capability",), PUBLIC()),
    page("exchange:my_capabilities", (), E(ent=200, other=200)),
    page("exchange:capability_move", ("capability", "withdraw"), E(ent=BACK), method="post"),
    page("exchange:capability_move", ("capability", "approve"), E(off=BACK), method="post", case="officer"),
    page("exchange:queue", (), E(off=200)),
    page("exchange:call", ("call",), PUBLIC()),
    page("exchange:apply", ("call",), E(ent=200, other=200)),
    page("exchange:panel_assign", ("call",), E(off=BACK), method="post"),
    page("exchange:call_start_review", ("call",), E(off=BACK), method="post"),
    page("exchange:call_pick", ("call",), E(pub=BACK, off=BACK), method="post"),
    page("exchange:notice_finalise", ("call",), E(off=BACK), method="post"),
    page("exchange:objection", ("call",), E(BACK, sys=403, sec=403, aud=403), method="post"),
    page("exchange:objection_answer", ("objection",), E(404, pub=403, off=BACK), method="post"),
    page("exchange:receipt", ("application",), E(404, ent=200)),
    # The publisher reads proposals and their files only after the deadline (the world's call is open).
    page("exchange:application_withdraw", ("application",), E(404, ent=BACK, off=403), method="post"),
    page("exchange:attachment", ("attachment",), E(404, anon=404, ent=200, off=200)),
    page("exchange:assignments", (), E(exp=200)),
    page("exchange:assignment", ("assignment",), E(exp=200)),
    page("exchange:score", ("assignment", "application"), E(exp=BACK), method="post"),
    page("exchange:projects", (), E(ent=200, other=200, pub=200, off=200)),
    page("exchange:project", ("project",), E(404, ent=200, pub=200, off=200)),
    page("exchange:milestone_add", ("project",), E(404, ent=BACK, pub=BACK, off=BACK), method="post"),
    page("exchange:milestone_done", ("project", "milestone"), E(404, ent=BACK, pub=BACK, off=BACK), method="post"),
    page("exchange:project_change", ("project",), E(404, ent=BACK, pub=BACK, off=BACK), method="post"),
    page("exchange:project_followup", ("project",), E(404, ent=403, pub=BACK, off=BACK), method="post"),
    page("exchange:project_move", ("project", "start_trial"), E(404, ent=BACK, pub=BACK, off=BACK), method="post"),
    page("exchange:subscription", (), E(ent=200, other=200)),
    page("exchange:notifications_read", (), E(BACK), method="post"),
    # A notice is opened by its own reader only; anyone else finds nothing there.
    page("exchange:notification_open", ("notification",), E(404, ent=BACK)),
    page("exchange:targets", (), PUBLIC()),
    # matching
    page("matching:who_could_do", ("scenario",), E(404, pub=200, off=200)),
    page("matching:shortlist", ("scenario", "capability"), E(404, pub=200, off=200), method="post"),
    page("matching:feedback", ("scenario", "capability"), E(404, pub=403, off=400), method="post"),
    page("matching:scenarios_for", (), E(ent=200, other=200)),
    page("matching:where_to_test", (), E(ent=200, other=200)),
    # seedling
    page("seedling:pyramid", (), E(off=200)),
    page("seedling:pyramid_export", (), E(off=BACK), method="post"),
    page("seedling:own", (), E(ent=200, other=200)),
    page("seedling:enterprise", ("uscc",), E(off=200)),
    page("seedling:case_officer_assign", ("uscc",), E(404, ent=403, off=BACK), method="post"),
    page("seedling:visit_record", ("uscc",), E(404, ent=403, off=BACK), method="post"),
    page("seedling:need_raise", ("uscc",), E(404, ent=BACK, off=BACK), method="post"),
    page("seedling:need_resolve", ("need",), E(404, ent=403, off=BACK), method="post"),
    page("seedling:rounds", (), E(ent=200, other=200, off=200, exp=200)),
    page("seedling:round_open", (), E(off=BACK), method="post"),
    page("seedling:round", ("round",), E(ent=200, other=200, off=200, exp=200)),
    page("seedling:round_apply", ("round",), E(ent=BACK, other=BACK), method="post"),
    page("seedling:round_nominate", ("round",), E(off=BACK), method="post"),
    page("seedling:round_panel", ("round",), E(off=BACK), method="post"),
    page("seedling:round_declare", ("round",), E(exp=BACK), method="post"),
    # A candidate's material: officers, and declared panel experts (the world's expert has not declared).
    page("seedling:candidacy", ("candidacy",), E(403, other=404, off=200, exp=404)),
    page("seedling:round_move", ("round", "close"), E(off=BACK), method="post"),
    page("seedling:candidacy_score", ("candidacy",), E(ent=403, other=404, exp=404), method="post"),
    page("seedling:measures", (), E(ent=200, other=200)),
    # Posted empty: the page again, with the reasons (a refused form is shown as typed).
    page("seedling:measure_apply", (), E(ent=200, other=200), method="post"),
    page("seedling:loan_record", (), E(ent=200, other=200), method="post"),
    page("seedling:applications", (), E(off=200)),
    page("seedling:application", ("measure_application",), E(ent=200, other=404, off=200)),
    page("seedling:application_approve", ("measure_application",), E(ent=403, other=404, off=BACK), method="post"),
    page("seedling:application_refuse", ("measure_application",), E(ent=403, other=404, off=BACK), method="post"),
    page("seedling:application_pay", ("measure_application",), E(ent=403, other=404, off=BACK), method="post"),
    page("seedling:needs", (), E(off=200)),
    # fund
    page("fund:pipeline", (), E(fm=200)),
    page("fund:deal_create", (), E(fm=BACK), method="post"),
    page("fund:deal", ("deal",), E(fm=200)),
    page("fund:deal_move", ("deal", "screen"), E(fm=BACK), method="post"),
    page("fund:checklist", ("deal",), E(fm=BACK), method="post"),
    page("fund:table_event", ("deal",), E(fm=BACK), method="post"),
    page("fund:ocf", ("deal",), E(fm=200)),
    page("fund:ocf_import", ("deal",), E(fm=BACK), method="post"),
    page("fund:round_propose", ("deal",), E(fm=BACK), method="post"),
    page("fund:distribution", ("deal",), E(fm=BACK), method="post"),
    page("fund:write_down", ("deal",), E(fm=BACK), method="post"),
    page("fund:meeting_open", ("fund_round",), E(fm=BACK), method="post"),
    page("fund:meeting_decide", ("fund_round",), E(fm=BACK), method="post"),
    page("fund:round_record", ("fund_round",), E(fm=BACK), method="post"),
    page("fund:committee", (), E(fm=200, exp=200)),
    page("fund:ballot", ("meeting",), E(fm=BACK, exp=BACK), method="post"),
    page("fund:portfolio", (), E(fm=200)),
    # the city cockpit: officers and fund managers read it, officers enter statistics; its public version is open
    page("cockpit:cockpit", (), E(off=200, fm=200)),
    page("cockpit:indicator", ("tech_sme",), E(off=200, fm=200)),
    page("cockpit:observations", (), E(off=200)),
    page("cockpit:observation_enter", (), E(off=BACK), method="post"),
    page("cockpit:observations_template", (), E(off=200)),
    page("cockpit:define", (), E(off=200)),
    page("cockpit:briefs", (), E(off=200, fm=200)),
    page("cockpit:brief_download", ("1", "pdf"), E(off=404, fm=404)),  # no brief in the world: readers get 404
    page("cockpit:public", (), PUBLIC()),
    page("cockpit:public_indicator", ("tech_sme",), PUBLIC()),
    page("cockpit:open_data", ("csv",), PUBLIC()),
    # operations: background jobs are the system administrator's
    page("ops:jobs", (), E(sys=200)),
    page("ops:job_retry", ("failed_job",), E(sys=BACK), method="post"),
]


def _arg(world, key):
    if key == "ent_user":
        return world.users["ent"].pk
    if not hasattr(world, key):
        return key  # a literal: a move's name
    return getattr(world, key)


def _page_params():
    for row in PAGES_TABLE:
        key = f"{row.name}#{row.case}" if row.case else row.name
        for role in ROLES:
            yield pytest.param(row, role, id=f"{key}-{row.method}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), list(_page_params()))
def test_page_matrix(world, row, role):
    url = reverse(row.name, args=[_arg(world, a) for a in row.args])
    if row.query:
        url += "?" + row.query
    data = row.data(world, role) if row.data else {}
    response = getattr(_client(world, role), row.method)(url, data)
    _check(response, row.expected[role], role, f"{row.method.upper()} {url}")


def test_every_page_route_has_its_row():
    """A new URL without an expectation for every role fails here."""

    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "i18n/", "api/", "static/", "media/")):
                continue  # the back office (its own tests above), language switch, the API (below), files
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern):
                yield f"{ns}{p.name}" if p.name else route

    routes = set(walk(get_resolver().url_patterns))
    covered = {row.name for row in PAGES_TABLE}
    assert routes - covered == set(), "routes without a row in PAGES_TABLE"
    assert covered - routes == set(), "rows for routes that no longer exist"
    assert all(set(row.expected) == set(ROLES) for row in PAGES_TABLE)


# --- /api/v1/: every operation, for every role, through the browser session and through an API token ------------


def API(default=403, anon=401, **roles):
    return E(default, anon, **roles)


def op(method, path, expected, *, params=None, body=None, query="", case=""):
    """One operation of the OpenAPI document: ``path`` as it is there (without /api/v1), its parameters taken from
    the world, a JSON body that is valid for the schema (so that the handler, not the parser, decides)."""
    return SimpleNamespace(method=method, path=path, expected=expected, params=params or {}, body=body, query=query,
                           case=case)  # fmt: skip


def _today():
    return timezone.localdate().isoformat()


SCENARIO_BODY = {
    "title": "矩阵场景", "domain": "patrol", "focus_area": "governance", "kind": "typical",
    "problem": "夜间巡检依赖人工，效率低、风险高。", "min_trl": 6,
}  # fmt: skip
PROPOSAL_BODY = {"approach": "激光雷达 + 视觉融合巡检", "plan": "三个月试点", "budget": "1200000", "team": "12 人"}
CAPABILITY_BODY = {
    "title": "矩阵能力",
    "domains": ["patrol"],
    "description": "四足机器狗巡检变电站",
    "trl": 7,
    "reference_cases": "杭州地铁",
    "certifications": "CE",
    "districts_served": ["上城区"],
}
SEEING_ALL = {"ent": 200, "off": 200, "fm": 200}  # the enterprise itself and the registry readers

API_TABLE = [
    op("get", "/me", API(200)),
    # the cockpit: the published indicators are open data; all of them for the cockpit's readers
    op("get", "/open/indicators", API(200, anon=200)),
    op("get", "/cockpit/indicators", API(off=200, fm=200)),
    # registry: lists are filtered to what the principal may see (empty for the others); objects answer 404
    op("get", "/enterprises", API(200)),
    op("get", "/enterprises/{uscc}", API(404, **SEEING_ALL), params={"uscc": "uscc"}),
    op("get", "/enterprises/{uscc}/facts", API(404, **SEEING_ALL), params={"uscc": "uscc"}),
    op(
        "put",
        "/enterprises/{uscc}/facts/{year}",
        API(404, ent=200, off=403, fm=403),
        params={"uscc": "uscc", "year": "facts_year"},
        body={"employees": 41, "version": 1},
    ),  # fmt: skip
    op("get", "/organisations", API(200)),
    # policy: the library and the self-check are public; runs are the officers'
    op("get", "/policy/rules", API(200, anon=200)),
    op(
        "post",
        "/policy/check",
        API(200, anon=200),
        body={"founded_on": "2023-03-01", "rows": [{"fiscal_year": 2025, "employees": 40}]},
    ),  # fmt: skip
    op("get", "/policy/runs", API(off=200)),
    op("post", "/policy/runs", API(off=200), body={"as_of": "today"}),
    op("get", "/policy/runs/{pk}", API(off=200), params={"pk": "run"}),
    op("get", "/policy/runs/{pk}/results", API(off=200), params={"pk": "run"}),
    op("get", "/policy/runs/{pk}/results/{uscc}", API(off=200), params={"pk": "run", "uscc": "uscc"}),
    op(
        "post",
        "/policy/runs/{pk}/results/{uscc}/decisions",
        API(off=422),
        params={"pk": "run", "uscc": "uscc"},
        body={"tier": "tech_leader", "decision": "eligible", "reason": "专家复核"},
    ),  # fmt: skip
    # exchange: what is published is public; writes by the role that may, refused before anything else otherwise
    op("get", "/exchange/scenarios", API(200, anon=200)),
    op("post", "/exchange/scenarios", API(pub=200), body=SCENARIO_BODY),
    op("get", "/exchange/scenarios/{pk}", API(200, anon=200), params={"pk": "scenario"}),
    op("get", "/exchange/scenarios/{pk}", API(404, anon=404, pub=200, off=200), params={"pk": "draft"}, case="draft"),
    op(
        "post",
        "/exchange/scenarios/{pk}/actions",
        API(pub=422, off=422),
        params={"pk": "scenario"},
        body={"action": "withdraw", "reason": "不再需要"},
    ),  # fmt: skip
    op("get", "/exchange/lists", API(200, anon=200)),
    op("get", "/exchange/lists/{pk}", API(200, anon=200), params={"pk": "list"}),
    op("get", "/exchange/capabilities", API(200, anon=200)),
    op("post", "/exchange/capabilities", API(ent=200, other=200), body=CAPABILITY_BODY),
    op(
        "post",
        "/exchange/capabilities/{pk}/actions",
        API(ent=200),
        params={"pk": "capability"},
        body={"action": "withdraw"},
    ),  # fmt: skip
    op("get", "/exchange/calls/{pk}", API(200, anon=200), params={"pk": "call"}),
    op(
        "post",
        "/exchange/calls",
        API(pub=422, off=422),
        body={
            "scenario_id": "scenario",
            "opens_at": "now",
            "closes_at": "next_week",
            "rubric": [["方案", 100, 10]],
        },
    ),  # fmt: skip
    # the call's applications: all of them to its publisher and officers, its own to an applicant, none otherwise
    op("get", "/exchange/calls/{pk}/applications", API(200), params={"pk": "call"}),
    op(
        "post", "/exchange/calls/{pk}/applications", API(ent=422, other=422), params={"pk": "call"}, body=PROPOSAL_BODY
    ),  # fmt: skip
    op(
        "put",
        "/exchange/applications/{pk}",
        API(404, ent=200),
        params={"pk": "application"},
        body={**PROPOSAL_BODY, "version": 1},
    ),  # fmt: skip
    op("post", "/exchange/applications/{pk}/withdraw", API(404, ent=200), params={"pk": "application"}),
    # matching
    # "who could do this" is for the scenario's publisher and officers: anyone else is told there is nothing here
    op("get", "/matching/scenarios/{pk}/capabilities", API(404, pub=200, off=200), params={"pk": "scenario"}),
    op("get", "/matching/scenarios-for-me", API(ent=200, other=200)),
    op("get", "/matching/where-to-test", API(ent=200, other=200)),
    op(
        "post",
        "/matching/scenarios/{pk}/feedback",
        API(off=204),
        params={"pk": "scenario"},
        body={"capability": "capability", "verdict": "good"},
    ),  # fmt: skip
    # seedling
    op("get", "/seedling/pyramid", API(off=200), query="year={year}"),
    op("get", "/seedling/enterprises/{uscc}/ladder", API(404, ent=200, off=200), params={"uscc": "uscc"}),
    op("get", "/seedling/rounds/{pk}/candidates", API(ent=200, other=200, off=200, exp=200), params={"pk": "round"}),
    op("get", "/seedling/applications", API(ent=200, other=200, off=200)),
    op("post", "/seedling/applications", API(ent=422, other=422), body={"measure": "RM-M03a", "year": "this_year"}),
    op("get", "/seedling/needs", API(off=200)),
    # fund
    op("get", "/fund/deals", API(fm=200)),
    op("get", "/fund/deals/{pk}", API(fm=200), params={"pk": "deal"}),
    op("post", "/fund/check", API(fm=422), body={}),
    op("get", "/fund/portfolio", API(fm=200)),
]


def _resolve_body(world, body):
    if isinstance(body, dict):
        return {k: _resolve_body(world, v) for k, v in body.items()}
    if isinstance(body, list):
        return [_resolve_body(world, v) for v in body]
    if body == "today":
        return _today()
    if body == "this_year":
        return world.year
    if body in ("now", "next_week"):
        return (timezone.now() + dt.timedelta(days=7 if body == "next_week" else 0)).isoformat()
    if isinstance(body, str) and body in ("scenario", "capability"):
        return getattr(world, body)
    return body


def _api_url(world, row):
    path = row.path
    for name, key in row.params.items():
        path = path.replace(f"{{{name}}}", str(getattr(world, key)))
    return "/api/v1" + path + ("?" + row.query.format(year=world.year) if row.query else "")


def _api_call(client, world, row, **headers):
    url = _api_url(world, row)
    if row.method == "get":
        return client.get(url, **headers)
    body = _resolve_body(world, row.body if row.body is not None else {})
    return getattr(client, row.method)(url, body, content_type="application/json", **headers)


def _api_params(roles):
    for row in API_TABLE:
        key = f"{row.method.upper()} {row.path}" + (f"#{row.case}" if row.case else "")
        for role in roles:
            yield pytest.param(row, role, id=f"{key}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), list(_api_params(ROLES)))
def test_api_matrix_in_the_browser_session(world, row, role):
    response = _api_call(_client(world, role), world, row)
    _check(response, row.expected[role], role, f"{row.method.upper()} {_api_url(world, row)}")


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), list(_api_params(TOKEN_ROLES)))
def test_api_matrix_with_a_token(world, row, role):
    """The same answers for a machine client acting with the role's token (no session at all)."""
    response = _api_call(Client(), world, row, HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    _check(response, row.expected[role], role, f"{row.method.upper()} {_api_url(world, row)} (token)")


def test_every_api_operation_has_its_row():
    from rainforest.api import api

    prefix = "/api/v1"
    operations = {
        (method, path.removeprefix(prefix))
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method in ops
    }  # fmt: skip
    covered = {(row.method, row.path) for row in API_TABLE}
    assert operations - covered == set(), "API operations without a row in API_TABLE"
    assert covered - operations == set(), "rows for API operations that no longer exist"
