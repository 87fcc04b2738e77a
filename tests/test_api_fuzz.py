"""Every operation of /api/v1/, fuzzed from the OpenAPI document the API serves (schemathesis):
whatever is sent — fitting the schema or not, by a role that may call it or by nobody — the answer
is never a server error.

Bounded for CI: a few examples per operation and role, derandomized (the same cases each run, so
a failure reproduces). ``RAINFOREST_FUZZ_EXAMPLES=200`` explores further and
``RAINFOREST_FUZZ_RANDOM=1`` somewhere new each run; a failure prints the request that caused it.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.api import api
from rainforest.exchange.services import calls, scenarios
from rainforest.fund import services as fund
from rainforest.policy import services as policy
from rainforest.seedling.services import rounds
from tests.exchange.conftest import PROPOSAL, RUBRIC, SCENARIO, as_actor
from tests.seedling.conftest import facts

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("RAINFOREST_FUZZ_EXAMPLES", "20"))
ANONYMOUS_EXAMPLES = max(3, EXAMPLES // 4)

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())

# Who calls what: the role that may (so the inputs reach the services), by method and path prefix;
# the first row that matches decides.
CALLERS = [
    ("POST", "/api/v1/exchange/scenarios", "publisher"),
    ("POST", "/api/v1/exchange/calls/{pk}/applications", "enterprise"),
    ("POST", "/api/v1/exchange/calls", "publisher"),
    ("POST", "/api/v1/exchange/capabilities", "enterprise"),
    ("PUT", "/api/v1/exchange/applications", "enterprise"),
    ("POST", "/api/v1/exchange/applications", "enterprise"),
    ("GET", "/api/v1/matching/scenarios-for-me", "enterprise"),
    ("GET", "/api/v1/matching/where-to-test", "enterprise"),
    ("POST", "/api/v1/seedling/applications", "enterprise"),
    ("PUT", "/api/v1/enterprises", "enterprise"),
    ("", "/api/v1/fund", "fund_manager"),
    ("", "/api/v1/", "officer"),
]


def caller(operation) -> str:
    for method, prefix, role in CALLERS:
        if (not method or operation.method.upper() == method) and operation.path.startswith(prefix):
            return role
    raise AssertionError(operation.label)  # pragma: no cover


OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


class World:
    """One of everything an operation may name, so that fuzzed calls also reach real objects."""


@pytest.fixture
def world(make_user, make_org, bureau, startup):
    w = World()
    company = facts(startup)
    w.uscc = startup.uscc
    users = {
        "officer": make_user("olivia", Role.PROGRAMME_OFFICER, bureau),
        "publisher": make_user("paul", Role.SCENARIO_PUBLISHER, bureau),
        "enterprise": make_user("alice", Role.ENTERPRISE_USER, startup),
        "fund_manager": make_user("fiona", Role.FUND_MANAGER, make_org("杭州市科创集团", OrganisationKind.FUND, "")),
    }
    w.tokens = {role: accounts.api_token_create(actor=as_actor(u), name="fuzz")[1] for role, u in users.items()}
    off, pub, ent = (as_actor(users[r]) for r in ("officer", "publisher", "enterprise"))

    scenario = scenarios.scenario_create(actor=pub, **SCENARIO)
    scenarios.scenario_move(actor=pub, scenario=scenario, action="submit")
    scenarios.scenario_move(actor=off, scenario=scenario, action="approve")
    published = scenarios.list_publish(
        actor=off, kind="scenarios", year=2026, number=1, title="2026年第1批", ids=[scenario.pk]
    )
    now = timezone.now()
    call = calls.call_open(
        actor=pub, scenario=scenario, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=7),
        rubric=RUBRIC, max_winners=1,
    )  # fmt: skip
    application = calls.application_submit(actor=ent, call=call, **PROPOSAL)
    capability = scenarios.capability_create(
        actor=ent,
        title="巡检机器人",
        domains=["patrol"],
        description="激光雷达巡检",
        trl=7,
        districts_served=["上城区"],
    )
    draft = scenarios.scenario_create(actor=pub, **{**SCENARIO, "title": "草稿场景"})
    deal = fund.deal_create(actor=as_actor(users["fund_manager"]), enterprise=company, source="university")
    selection = rounds.round_open(actor=off, year=timezone.localdate().year)
    run = policy.screening_run(actor=off, as_of=timezone.localdate())
    w.ids = {
        "scenarios": [scenario.pk, draft.pk],
        "lists": [published.pk],
        "capabilities": [capability.pk],
        "calls": [call.pk],
        "applications": [application.pk],
        "deals": [deal.pk],
        "rounds": [selection.pk],
        "runs": [run.pk],
    }
    return w


def known_path_parameters(operation, world) -> dict | None:
    """Path parameters naming objects of the world, where the operation takes any."""
    names = {p.name for p in operation.path_parameters}
    if not names:
        return None
    out = {}
    if "pk" in names:
        collection = operation.path.split("{pk}")[0].rstrip("/").rsplit("/", 1)[-1]
        if collection not in world.ids:
            return None
        out["pk"] = world.ids[collection][0]
    if "uscc" in names:
        out["uscc"] = world.uscc
    if "year" in names:
        out["year"] = 2024
    return out


@pytest.fixture
def wsgi(settings):
    """The app as a WSGI callable, in the test's transaction: Django's test client, too, keeps
    request start and end from closing the test's connection."""
    settings.ALLOWED_HOSTS = ["localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(operation, world, app, role: str | None, examples: int) -> None:
    SCHEMA.app = app
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role else {}
    strategies = [
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    ]
    known = known_path_parameters(operation, world)
    if known:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=known)
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        ]

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=not os.environ.get("RAINFOREST_FUZZ_RANDOM"),
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        response = case.call(headers=headers, app=app)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)

    run()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_operation_answers_a_server_error(operation, world, wsgi):
    fuzz(operation, world, wsgi, caller(operation), EXAMPLES)
    fuzz(operation, world, wsgi, None, ANONYMOUS_EXAMPLES)
