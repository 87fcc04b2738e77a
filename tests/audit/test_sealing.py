"""Writers append unsealed events without a shared lock; the sealer chains them, in commit order,
and writes checkpoints outside the database."""

import json
import stat
import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from rainforest.audit import keys, macs, trail
from rainforest.audit.models import AuditChainHead, AuditEvent
from tests.audit.conftest import EVENTS, postgresql_only, row, sealed, write
from tests.conftest import SYSTEM, sign_in


@pytest.mark.django_db
class TestRecord:
    def test_an_event_is_written_unsealed_with_a_mac_over_its_content(self, settings):
        write(1)
        event = AuditEvent.objects.get()
        assert (event.seq, event.prev_hash, event.hash) == (None, None, None)
        assert event.key_id == "tests" and len(event.nonce) == 16
        assert event.content_mac == macs.content(settings.AUDIT_KEYRING.signing, event)
        assert not AuditChainHead.objects.exists()  # writers never touch the head

    def test_the_interface_callers_use_is_kept(self):
        with transaction.atomic():
            one = trail.record(SYSTEM, "test.one", subject_type="thing", subject_id=7, before={"a": 1}, after={"a": 2})
            many = trail.record_many(SYSTEM, [trail.Change("test.two"), trail.Change("test.three", after={"b": 1})])
        assert (one.action, [e.action for e in many]) == ("test.one", ["test.two", "test.three"])
        assert trail.record_many(SYSTEM, []) == []


@pytest.mark.django_db(transaction=True)
def test_events_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError):
        trail.record(SYSTEM, "test.event")


@pytest.mark.django_db
class TestSeal:
    def test_sealing_chains_the_events_in_order_and_signs_the_head(self, settings):
        write(3)
        result = trail.seal()
        assert (result.sealed, result.last_seq, result.refused) == (3, 3, "")
        events = list(AuditEvent.objects.order_by("id"))
        assert [e.seq for e in events] == [1, 2, 3]
        assert events[0].prev_hash == macs.GENESIS and events[1].prev_hash == events[0].hash
        head = AuditChainHead.objects.get()
        key = settings.AUDIT_KEYRING.signing
        assert (head.last_seq, head.last_hash) == (3, events[2].hash)
        assert head.mac == macs.head(key, last_seq=3, last_hash=events[2].hash)

    def test_sealing_twice_changes_nothing(self):
        sealed(3)
        before = list(AuditEvent.objects.order_by("seq").values_list("seq", "hash"))
        again = trail.seal()
        assert (again.sealed, again.last_seq) == (0, 3)
        assert list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")) == before

    def test_later_events_continue_the_chain(self):
        sealed(2)
        sealed(2)
        assert row(3).prev_hash == row(2).hash and trail.verify().checked == 4

    def test_large_backlogs_are_sealed_in_batches(self):
        write(7)
        assert trail.seal(batch=3).sealed == 7 and trail.verify().ok

    def test_events_are_sealed_with_the_key_that_wrote_them_after_a_rotation(self, settings):
        old = settings.AUDIT_KEYRING
        new = keys.parse(f"tests:{'a1' * 32}\n2027:{'cd' * 32}", "rotation")
        write(2)  # written under the old key, sealed after the rotation
        settings.AUDIT_KEYRING = new
        write(1)
        trail.seal()
        assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == ["tests", "tests", "2027"]
        assert AuditChainHead.objects.get().key_id == "2027"
        assert trail.verify().ok
        settings.AUDIT_KEYRING = keys.parse(f"2027:{'cd' * 32}", "old key dropped")
        result = trail.verify()
        assert (result.reason, result.broken_seq) == ("key", 1)
        settings.AUDIT_KEYRING = old


@pytest.mark.django_db
class TestCheckpoints:
    def test_the_first_seal_writes_a_signed_line_to_a_private_file(self, settings):
        sealed(2)
        path = settings.AUDIT_CHECKPOINTS
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        line = json.loads(path.read_text())
        assert set(line) == {"seq", "head_hash", "at", "key_id", "mac"}
        assert (line["seq"], line["head_hash"], line["key_id"]) == (2, row(2).hash, "tests")

    def test_checkpoints_are_spaced_by_time_or_by_events(self, settings):
        sealed(2)
        sealed(2)  # within AUDIT_CHECKPOINT_SECONDS and fewer than AUDIT_CHECKPOINT_EVENTS: none
        assert len(settings.AUDIT_CHECKPOINTS.read_text().splitlines()) == 1
        settings.AUDIT_CHECKPOINT_EVENTS = 3
        sealed(1)  # 3 events since the last one
        settings.AUDIT_CHECKPOINT_EVENTS = 1000
        settings.AUDIT_CHECKPOINT_SECONDS = 0
        sealed(1)  # old enough
        lines = [json.loads(line)["seq"] for line in settings.AUDIT_CHECKPOINTS.read_text().splitlines()]
        assert lines == [2, 5, 6]
        trail.seal()  # nothing new: no line for the same head again
        assert len(settings.AUDIT_CHECKPOINTS.read_text().splitlines()) == 3

    def test_a_line_torn_by_a_crash_is_a_warning_and_the_next_line_starts_on_its_own(self, settings):
        settings.AUDIT_CHECKPOINT_SECONDS = 0
        sealed(1)
        with settings.AUDIT_CHECKPOINTS.open("a") as fh:
            fh.write('{"seq": 9, "head')
        assert trail.verify().warnings  # torn last line
        sealed(1)
        result = trail.verify()
        assert result.ok and result.checkpoints_checked == 2  # the torn fragment is not read as a checkpoint

    def test_events_left_unsealed_too_long_are_a_warning(self, settings):
        sealed(1)
        write(1)
        assert not trail.verify(seal_first=False).warnings  # just written
        settings.AUDIT_UNSEALED_WARN_SECONDS = 0
        with translation.override("en"):
            result = trail.verify(seal_first=False)  # as if no sealer had run since
        assert result.ok and result.checked == 1 and result.warnings[0].startswith("1 event written more than 0 sec")


@postgresql_only
@pytest.mark.django_db
class TestTrigger:
    def test_a_sealed_event_cannot_be_changed_or_deleted(self):
        sealed(2)
        for sql in (f"UPDATE {EVENTS} SET action = 'x' WHERE seq = 1", f"DELETE FROM {EVENTS} WHERE seq = 1"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
        assert row(1).action == "test.event" and trail.verify().ok

    def test_an_unsealed_event_can_only_be_sealed(self):
        write(1)
        for sql in (
            f"UPDATE {EVENTS} SET action = 'x' WHERE seq IS NULL",
            f"UPDATE {EVENTS} SET seq = 1, prev_hash = 'p', hash = 'h', action = 'x' WHERE seq IS NULL",
            f"UPDATE {EVENTS} SET seq = 1 WHERE seq IS NULL",  # half a seal
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
        assert trail.seal().sealed == 1 and trail.verify().ok


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only: it has no trigger")
@pytest.mark.django_db
def test_on_sqlite_a_direct_update_is_caught_by_the_chain():
    sealed(2)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET action = 'x' WHERE seq = 1")
    assert (trail.verify().reason, trail.verify().broken_seq) == ("content", 1)


def _in_thread(target, *args):
    """Run in a thread with its own database connection, closed at the end."""
    errors = []

    def run():
        try:
            target(*args)
        except Exception as exc:  # noqa: BLE001 (handed back to the test)
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _record_and_hold(action, recorded, release):
    with transaction.atomic():
        trail.record(SYSTEM, action)
        recorded.set()
        release.wait(10)


def _record_quickly(action):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '3s'")  # a shared lock would fail here, not hang
        trail.record(SYSTEM, action)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_writers_do_not_wait_for_each_other_and_the_sealer_follows_commit_order():
    recorded, release = threading.Event(), threading.Event()
    slow, slow_errors = _in_thread(_record_and_hold, "test.slow", recorded, release)
    try:
        assert recorded.wait(10)
        fast, fast_errors = _in_thread(_record_quickly, "test.fast")
        fast.join(10)
        assert not fast.is_alive() and not fast_errors  # committed while the slow transaction is open
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        assert trail.seal().sealed == 1  # the sealer does not wait for writers either; it sees what is committed
    finally:
        release.set()
        slow.join(10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not slow_errors
    trail.seal()
    by_id = list(AuditEvent.objects.order_by("id").values_list("action", "seq"))
    assert by_id == [("test.slow", 2), ("test.fast", 1)]  # seq is the order of commits, not of ids
    assert trail.verify().ok


@pytest.mark.django_db
def test_a_checkpoint_file_out_of_reach_is_reported_not_raised(settings, tmp_path, client, auditor):
    settings.AUDIT_CHECKPOINTS = tmp_path / "a-file" / "checkpoints.jsonl"
    (tmp_path / "a-file").write_text("not a folder")
    write(2)
    assert "checkpoint file" in trail.seal().refused
    assert not AuditEvent.objects.filter(seq__isnull=False).exists()  # kept unsealed until it is back
    sign_in(client, auditor)
    assert client.get("/accounts/audit/").status_code == 200
    verified = trail.verify()
    assert not verified.ok and verified.reason == "checkpoint" and "NotADirectoryError" in verified.message
    assert client.get("/accounts/audit/", {"verify": "1"}).status_code == 200
