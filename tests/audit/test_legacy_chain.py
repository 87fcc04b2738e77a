"""Installations from before the keyed chain: their plain SHA-256 events still verify, and the first
seal after the upgrade anchors them under the key and in a checkpoint."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from rainforest.audit import macs, trail
from rainforest.audit.keys import LEGACY
from rainforest.audit.models import AuditChainHead, AuditEvent
from tests.audit.conftest import EVENTS, HEAD, row, sealed, tamper

BEFORE = [("audit", "0001_initial")]
AFTER = [("audit", "0002_keyed_chain")]


def _old_chain(n: int):
    """Rows as the old code wrote them: seq, plain SHA-256 links, the head at the last one."""
    prev, rows = macs.GENESIS, []
    for seq in range(1, n + 1):
        event = AuditEvent(
            seq=seq, at=timezone.now() - dt.timedelta(days=30, seconds=-seq), actor_label="sam", action="old.event",
            subject_id=str(seq), after={"n": seq}, prev_hash=prev, key_id=LEGACY,
        )  # fmt: skip
        event.hash = prev = macs.legacy(event)
        rows.append(event)
    return rows, prev


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_an_old_chain_verifiable_and_the_first_seal_anchors_it():
    _migrate(BEFORE)
    try:
        rows, last = _old_chain(3)
        with connection.cursor() as cursor:
            for e in rows:
                cursor.execute(
                    f"INSERT INTO {EVENTS} (seq, at, actor_label, role, organisation_label, action, subject_type,"
                    " subject_id, subject_label, after, request_id, prev_hash, hash)"
                    " VALUES (%s, %s, %s, '', '', %s, '', %s, '', %s, '', %s, %s)",
                    [e.seq, e.at, e.actor_label, e.action, e.subject_id, f'{{"n": {e.seq}}}', e.prev_hash, e.hash],
                )
            cursor.execute(f"INSERT INTO {HEAD} (id, last_seq, last_hash) VALUES (1, 3, %s)", [last])
    finally:
        _migrate(AFTER)
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {LEGACY}
    assert AuditChainHead.objects.values_list("key_id", "mac").get() == (LEGACY, "")
    result = trail.verify()  # seals first: signs the head and writes the anchoring checkpoint
    assert (result.ok, result.checked, result.checkpoints_checked) == (True, 3, 1)
    assert AuditChainHead.objects.get().key_id == "tests"
    sealed(2)
    assert [e.key_id for e in AuditEvent.objects.order_by("seq")] == [LEGACY] * 3 + ["tests"] * 2
    assert trail.verify().ok


@pytest.mark.django_db
class TestAnchoredLegacyChain:
    @pytest.fixture(autouse=True)
    def _upgraded(self):
        rows, last = _old_chain(3)
        AuditEvent.objects.bulk_create(rows)  # as migration audit/0002 leaves them
        AuditChainHead.objects.create(pk=1, last_seq=3, last_hash=last, key_id=LEGACY, mac="")
        trail.seal()

    def test_an_old_event_rewritten_with_plain_hashes_is_caught_by_the_anchoring_checkpoint(self):
        event = row(2)
        event.actor_label = "mallory"
        tamper(f"UPDATE {EVENTS} SET actor_label = 'mallory', hash = %s WHERE seq = 2", [macs.legacy(event)])
        event3 = row(3)
        event3.prev_hash = macs.legacy(event)
        tamper(f"UPDATE {EVENTS} SET prev_hash = %s, hash = %s WHERE seq = 3", [event3.prev_hash, macs.legacy(event3)])
        result = trail.verify()
        assert (result.ok, result.reason, result.broken_seq, result.checkpoint.seq) == (False, "rewritten", 3, 3)

    def test_the_head_cannot_be_put_back_to_unsigned(self):
        tamper(f"UPDATE {HEAD} SET key_id = %s, mac = ''", [LEGACY])
        assert trail.seal().refused
        assert trail.verify().reason == "head"

    def test_new_events_cannot_pass_as_old_ones(self):
        sealed(2)
        prev = row(3).hash
        for seq in (4, 5):  # the whole keyed tail rewritten in the old, keyless format
            event = row(seq)
            event.key_id, event.prev_hash = LEGACY, prev
            prev = macs.legacy(event)
            tamper(f"UPDATE {EVENTS} SET key_id = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                   [LEGACY, event.prev_hash, prev, seq])  # fmt: skip
            if seq == 4:
                assert (trail.verify().reason, trail.verify().broken_seq) == ("link", 5)
        tamper(f"UPDATE {HEAD} SET last_hash = %s", [prev])
        assert trail.verify().reason == "head"
        tamper(f"UPDATE {HEAD} SET key_id = %s, mac = ''", [LEGACY])
        assert trail.verify().reason == "head"
