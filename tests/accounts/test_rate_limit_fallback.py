"""The sign-in rate limit when Redis cannot count: each process counts, at the same limit.

Neither unlimited (an attacker's gift) nor closed to everyone (an outage of Redis would become an
outage of sign-in); per-account lockout lives in the database and is untouched by it all.
"""

from __future__ import annotations

import logging
import os
import socket
import time

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from rainforest.accounts import authentication
from rainforest.accounts.models import User
from rainforest.cache_health import Throttle
from tests.conftest import PASSWORD

TOO_MANY = "Too many sign-in attempts"
REFUSED = "Sign-in failed"
SHARED_REDIS = "redis://127.0.0.1:6379/14"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def caches_on(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "rainforest.cache_health.DegradingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "rate-fallback-tests",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.5},
        },
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-fallback-tests"},
    }


@pytest.fixture
def limit(settings):
    """Three attempts a minute; the test starts early enough in a minute to make all of its attempts in it."""
    if time.time() % 60 > 55:
        time.sleep(60 - time.time() % 60)
    settings.LOGIN_RATE_PER_MINUTE = 3
    return 3


@pytest.fixture
def redis_unreachable(monkeypatch):
    monkeypatch.setattr(authentication, "_local_count_warning", Throttle())  # this test's own minute
    with override_settings(CACHES=caches_on(f"redis://127.0.0.1:{closed_port()}/14")):
        caches["local"].clear()
        yield
        caches["local"].clear()


def attempt(client, address="10.0.0.1", username="nobody", password="Wrong#pass1"):
    client.cookies["django_language"] = "en"
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_limit_still_holds_when_redis_cannot_count(client, db, limit, redis_unreachable):
    for _ in range(limit):
        assert REFUSED in attempt(client).content.decode()
    assert TOO_MANY in attempt(client).content.decode()


def test_other_addresses_are_not_shut_out(client, db, limit, redis_unreachable):
    for _ in range(limit + 1):
        attempt(client, "10.0.0.1")
    assert TOO_MANY not in attempt(client, "10.0.0.2").content.decode()


def test_a_right_password_signs_in_within_the_limit(client, enterprise_user, limit, redis_unreachable):
    attempt(client, username="alice")
    assert attempt(client, username="alice", password=PASSWORD).status_code == 302


def test_counting_in_the_process_is_logged_once_not_per_attempt(client, db, limit, redis_unreachable, caplog):
    with caplog.at_level(logging.ERROR, logger="rainforest.accounts.authentication"):
        for _ in range(limit + 2):
            attempt(client)
    ours = [r.getMessage() for r in caplog.records if r.name == "rainforest.accounts.authentication"]
    assert len(ours) == 1 and "counted per process" in ours[0]


def test_the_account_is_still_locked_after_five_failures(client, enterprise_user, redis_unreachable):
    for _ in range(5):
        attempt(client, username="alice")
    assert REFUSED in attempt(client, username="alice", password=PASSWORD).content.decode()
    assert User.objects.get(username="alice").locked_until is not None


def _shared_redis_answers() -> bool:
    try:
        return redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


# Where Redis is configured (CI's PostgreSQL run) this must run: an absent Redis then fails it.
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and not _shared_redis_answers(), reason=f"no Redis answers at {SHARED_REDIS}"
)
def test_with_redis_up_attempts_are_counted_there_not_in_the_process(client, db, limit):
    with override_settings(CACHES=caches_on(SHARED_REDIS)):
        caches["default"].clear()
        caches["local"].clear()
        for _ in range(limit):
            attempt(client)
        key = authentication._rate_key("10.0.0.1")
        assert caches["default"].get(key) == limit
        assert caches["local"].get(key) is None
        assert TOO_MANY in attempt(client).content.decode()
        caches["default"].clear()
