"""The idle clock: a session is written only when what it holds changes, its seen_at at most once per
resolution (60 s, a tenth of a shorter idle timeout), and it ends once the seen_at it holds is older
than the idle timeout: between idle - resolution and idle after its last request, never later."""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rainforest.accounts.middleware import seen_at_resolution
from rainforest.accounts.models import SecurityPolicy
from rainforest.accounts.policy import forget_cached_policy
from rainforest.audit.models import AuditEvent
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

MINUTE = 60


def set_idle_timeout(minutes):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"idle_timeout_minutes": minutes})
    forget_cached_policy()


def seen(client, seconds_ago):
    """The session as if its clock last moved this long ago."""
    session = client.session
    session["seen_at"] = timezone.now().timestamp() - seconds_ago
    session.save()
    return session["seen_at"]


def get(client, path="/"):
    """The answer, and whether the request wrote the session."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    written = any(re.match(r'\s*(UPDATE|INSERT INTO) "django_session"', q["sql"]) for q in queries.captured_queries)
    return response, written


@pytest.fixture
def signed_in(client, enterprise_user):
    sign_in(client, enterprise_user)
    response, written = get(client)  # the first request starts the clocks: one write
    assert response.status_code == 200 and written
    return client


def test_the_resolution_is_a_minute_or_a_tenth_of_a_shorter_timeout():
    assert seen_at_resolution(30 * MINUTE) == 60
    assert seen_at_resolution(10 * MINUTE) == 60
    assert seen_at_resolution(5 * MINUTE) == 30


def test_requests_within_the_resolution_do_not_write_the_session(signed_in):
    stored = signed_in.session["seen_at"]
    for _ in range(3):
        response, written = get(signed_in)
        assert response.status_code == 200 and not written
    assert signed_in.session["seen_at"] == stored


def test_a_request_just_inside_the_resolution_leaves_the_clock(signed_in):
    stored = seen(signed_in, 59)
    response, written = get(signed_in)
    assert response.status_code == 200 and not written
    assert signed_in.session["seen_at"] == stored


def test_a_request_once_the_clock_is_a_resolution_old_moves_it_and_the_rows_expiry(signed_in):
    stored = seen(signed_in, 61)
    response, written = get(signed_in)
    assert response.status_code == 200 and written
    now = timezone.now()
    assert signed_in.session["seen_at"] > stored + 60
    row = Session.objects.get(session_key=signed_in.session.session_key)
    assert abs(row.expire_date - (now + dt.timedelta(minutes=30))) < dt.timedelta(seconds=5)


def test_a_short_timeout_moves_the_clock_every_tenth(client, enterprise_user):
    set_idle_timeout(5)
    sign_in(client, enterprise_user)
    get(client)
    seen(client, 29)
    response, written = get(client)
    assert response.status_code == 200 and not written
    seen(client, 31)
    response, written = get(client)
    assert response.status_code == 200 and written


@pytest.mark.parametrize("minutes", [5, 30])
def test_the_idle_timeout_ends_the_session_to_the_second(client, enterprise_user, minutes):
    set_idle_timeout(minutes)
    sign_in(client, enterprise_user)
    get(client)
    seen(client, minutes * MINUTE - 2)
    assert get(client)[0].status_code == 200
    seen(client, minutes * MINUTE + 2)
    response, _written = get(client)
    assert response.status_code == 302 and "expired=1" in response.url
    assert AuditEvent.objects.filter(action="auth.session.expired").count() == 1
    assert client.get("/registry/mine/").status_code == 302  # signed out, not merely redirected once


def test_a_request_that_leaves_the_clock_does_not_lengthen_the_session(signed_in):
    """The session ends idle after the seen_at it holds, though a request came up to a resolution later:
    early by less than the resolution, never late."""
    stored = seen(signed_in, 59)
    assert not get(signed_in)[1]  # the last request: the clock stays 59 s behind it
    session = signed_in.session
    session["seen_at"] = stored - (30 * MINUTE - 1)  # 30 min - 1 s later: the clock is 30 min 58 s old
    session.save()
    response, _written = get(signed_in)
    assert response.status_code == 302 and "expired=1" in response.url


def test_a_lowered_idle_timeout_reaches_the_open_session_at_its_next_request(signed_in):
    set_idle_timeout(10)
    response, written = get(signed_in)
    assert response.status_code == 200 and written
    assert signed_in.session.get_expiry_age() == 10 * MINUTE
    _response, written = get(signed_in)
    assert not written
