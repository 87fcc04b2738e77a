"""The deadline-day load scenario, small: three people (one officer, two enterprises) for a few
seconds against `rainforest serve` on a scratch PostgreSQL database. Every request succeeds, every
acknowledged submission checks out, and the check fails once the database is tampered with.

No timing is asserted here: `rainforest bench load` measures."""

from __future__ import annotations

import dataclasses
import hashlib
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

from rainforest.loadtest import runner
from rainforest.loadtest.check import scratch_alias
from rainforest.loadtest.server import has_serve_command

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the load scenario runs on PostgreSQL"),
    pytest.mark.skipif(not has_serve_command(), reason="`rainforest serve` (rainforest.ops) is not there"),
]


def _options() -> runner.LoadOptions:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    redis = urllib.parse.urlsplit(settings.REDIS_URL or "redis://127.0.0.1:6379")
    return runner.LoadOptions(
        users=3,
        spawn_rate=3,
        run_time=10,
        database="rf_load_test",
        keep=True,  # until the tampering tests are done; the fixture drops it
        postgres=f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}",
        redis=urllib.parse.urlunsplit(redis._replace(path="/8")),
        city=40,
        workers=2,  # fewer workers start (and load their matching index) sooner
        folder=settings.VAR_DIR / "loadtest",
        profile=False,
    )


@pytest.fixture(scope="module")
def load(django_db_blocker):
    options = _options()
    try:
        with django_db_blocker.unblock():
            yield runner.run(options, lambda line: None)
    finally:
        runner.discard(dataclasses.replace(options, keep=False))


@pytest.fixture
def alias(load, django_db_blocker):
    with django_db_blocker.unblock(), scratch_alias(load.database_url) as name:
        yield name


def _check(load, django_db_blocker):
    with django_db_blocker.unblock():
        return runner.check(load)


def test_every_request_succeeds_and_every_role_took_part(load):
    names = {row.name for row in load.summary.rows}
    assert load.summary.everything.failures == 0, load.ledger["errors"]
    assert {"sign in", "second factor", "call page (officer)", "apply: submit", "receipt"} <= names
    assert any(name.startswith("static ") for name in names)


def test_every_acknowledged_submission_is_present_and_intact(load):
    assert load.verdict.ok, load.verdict.problems
    assert load.verdict.acknowledged >= 2 and load.verdict.applications == 2
    assert load.verdict.attachments == load.verdict.acknowledged


def _first_application(load, alias):
    from rainforest.exchange.models import Application

    return Application.objects.using(alias).filter(call_id=load.manifest["call_id"]).order_by("pk").first()


def test_a_changed_text_is_caught(load, alias, django_db_blocker):
    from rainforest.exchange.models import Application

    application = _first_application(load, alias)
    rows = Application.objects.using(alias).filter(pk=application.pk)
    rows.update(plan=application.plan + "（已改）")
    try:
        verdict = _check(load, django_db_blocker)
    finally:
        rows.update(plan=application.plan)
    assert [p for p in verdict.problems if f"application {application.pk} differs from what was sent in plan" in p]
    assert _check(load, django_db_blocker).ok  # and nothing else was wrong


def test_changed_attachment_bytes_are_caught(load, alias, django_db_blocker):
    from rainforest.exchange.models import Attachment

    application = _first_application(load, alias)
    attachment = Attachment.objects.using(alias).filter(owner_type="application", owner_id=application.pk).first()
    path = load.folder.media / attachment.file.name
    original = path.read_bytes()
    path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # same size, one bit flipped
    try:
        verdict = _check(load, django_db_blocker)
    finally:
        path.write_bytes(original)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == attachment.sha256
    assert [p for p in verdict.problems if f"attachment {attachment.pk}'s stored bytes are not the bytes uploaded" in p]


def test_a_withdrawn_application_is_caught(load, alias, django_db_blocker):
    from rainforest.exchange.models import Application

    application = _first_application(load, alias)
    rows = Application.objects.using(alias).filter(pk=application.pk)
    rows.update(status="withdrawn")
    try:
        verdict = _check(load, django_db_blocker)
    finally:
        rows.update(status="submitted")
    assert [p for p in verdict.problems if "acknowledged send(s), but no application in the database" in p]
