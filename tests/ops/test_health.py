"""/healthz and /readyz, answered in this process (the real server: tests/ops/test_serve.py)."""

from __future__ import annotations

import re
import runpy

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from rainforest.accounts.choices import Role
from rainforest.matching.engine import engine
from rainforest.ops.middleware import PROBES
from tests.conftest import PASSWORD

CHECKS = {"database", "migrations", "cache", "matching"}


def test_healthz_is_alive_without_touching_the_database(client):
    """No `db` fixture here: one query and pytest-django fails the request."""
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "no-store" in answer["Cache-Control"]
    assert answer["X-Request-ID"]


def test_probes_refuse_anything_but_reading(client):
    assert client.post("/healthz").status_code == 405
    assert client.put("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_ok_when_every_check_passes(client):
    engine().sync()  # what each server worker's warm-up does right after it starts
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and set(body["checks"]) == CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["unapplied"] == 0
    assert body["checks"]["matching"]["state"] == "loaded"


@pytest.mark.django_db
def test_readyz_is_unavailable_until_this_process_has_loaded_its_matching_index(client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["matching"] == {"ok": False, "state": "not loaded", "ms": body["checks"]["matching"]["ms"]}
    assert all(body["checks"][name]["ok"] for name in ("database", "migrations", "cache"))


def _settings_with(monkeypatch, **environ) -> dict:
    """The settings module as it reads this environment (CACHES, LOGGING... exactly as deployed)."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(settings.PACKAGE_DIR / "settings.py")


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis_but_keeps_the_node_in_service(client, monkeypatch, settings):
    # Redis down on every node must not take the whole site out of the load balancer: people can
    # still work. The node says it is degraded and names the cache, without its address or password.
    engine().sync()
    url = "redis://:Redis-Secret-77@127.0.0.1:1/0"  # a closed port
    settings.CACHES = _settings_with(monkeypatch, REDIS_URL=url)["CACHES"]
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json()["status"] == "degraded"
    cache = answer.json()["checks"]["cache"]
    assert cache["ok"] is False and cache["error"] == "not answering"
    assert "Redis-Secret-77" not in answer.text and "127.0.0.1" not in answer.text


def test_probes_answer_over_plain_http_while_pages_go_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    page = client.get("/")
    assert page.status_code == 301 and page["Location"].startswith("https://")


def test_probes_answer_a_load_balancer_asking_by_the_nodes_address(client):
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400  # not in ALLOWED_HOSTS


@pytest.mark.django_db
def test_a_signed_in_person_waiting_for_the_second_factor_is_not_redirected_nor_their_session_touched(
    client, make_user
):
    officer = make_user("olivia", Role.PROGRAMME_OFFICER)  # must pass TOTP after the password
    assert client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 302  # everything else: to the second factor
    session = Session.objects.get()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in answer.cookies
    assert Session.objects.get().session_data == session.session_data
    assert Session.objects.get().expire_date == session.expire_date


def test_the_probes_answered_early_are_the_routes_named_healthz_and_readyz():
    assert set(PROBES) == {reverse("healthz"), reverse("readyz")}
    assert all(
        any(re.search(pattern, path.lstrip("/")) for pattern in settings.SECURE_REDIRECT_EXEMPT) for path in PROBES
    )
