"""What a database owner can do to the trail, done as they would do it, and what verify says.

Every attack runs raw SQL on the real tables (around the PostgreSQL trigger, which the owner can
switch off); the key and the checkpoint file are out of their reach.
"""

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from rainforest.audit import macs, trail
from rainforest.audit.keys import LEGACY, Key
from rainforest.audit.models import AuditChainHead
from tests.audit.conftest import EVENTS, HEAD, empty_table, postgresql_only, row, sealed, tamper, write

pytestmark = pytest.mark.django_db
MALLORY = Key("tests", "hmac-sha256", b"m" * 32)  # the owner's guess at a key, under our key's id


def _set(seq: int, **values) -> None:
    columns = ", ".join(f"{name} = %s" for name in values)
    tamper(f"UPDATE {EVENTS} SET {columns} WHERE seq = %s", [*values.values(), seq])


def _rechain_from(seq: int, sign) -> None:
    """Recompute every link from ``seq`` to the end, and the head, with ``sign(event, prev)``."""
    head = AuditChainHead.objects.get()
    prev = row(seq - 1).hash if seq > 1 else macs.GENESIS
    for n in range(seq, head.last_seq + 1):
        event = row(n)
        event.prev_hash = prev
        values = sign(event, prev)
        _set(n, prev_hash=prev, **values)
        prev = values["hash"]
    tamper(f"UPDATE {HEAD} SET last_hash = %s", [prev])


def test_an_untouched_trail_verifies():
    sealed(5)
    result = trail.verify()
    assert (result.ok, result.checked, result.checkpoints_checked) == (True, 5, 1)


def test_deleting_the_tail_is_named_with_the_checkpoint_that_shows_it():
    sealed(5)
    tamper(f"DELETE FROM {EVENTS} WHERE seq > 3")
    with translation.override("en"):
        result = trail.verify()
    assert (result.ok, result.reason, result.broken_seq, result.missing) == (False, "truncated", 4, (4, 5))
    assert result.checkpoint.seq == 5 and result.checked == 3
    when = timezone.localtime(result.checkpoint.time).strftime("%Y-%m-%d %H:%M:%S")
    assert result.message == f"events #4–#5 missing since checkpoint of {when} (seq 5)"


def test_deleting_the_tail_and_the_head_row_with_it_is_still_caught_by_the_checkpoint():
    sealed(5)
    tamper(f"DELETE FROM {EVENTS} WHERE seq > 3")
    tamper(f"DELETE FROM {HEAD}")
    result = trail.verify()
    assert (result.reason, result.missing, result.checkpoint.seq) == ("truncated", (4, 5), 5)


def test_a_tail_cut_after_the_last_checkpoint_is_shown_by_the_head():
    sealed(3)  # checkpoint at 3; the next seal is too soon for another
    sealed(2)
    tamper(f"DELETE FROM {EVENTS} WHERE seq > 4")
    with translation.override("en"):
        result = trail.verify()
    assert (result.reason, result.missing, result.checkpoint) == ("truncated", (5, 5), None)
    assert result.message == "event #5 missing: the head of the chain says #5"


def test_truncating_the_table_and_deleting_the_head_is_caught_by_the_checkpoint():
    sealed(5)
    empty_table(EVENTS)
    empty_table(HEAD)
    result = trail.verify()
    assert (result.ok, result.reason, result.missing, result.checkpoint.seq) == (False, "truncated", (1, 5), 5)
    assert result.checked == 0


def test_a_rewritten_event_rechained_with_plain_hashes_is_named():
    sealed(5)
    _set(3, actor_label="mallory")
    _rechain_from(3, lambda event, prev: {"hash": macs.legacy(event)})
    result = trail.verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, "content")


def test_a_rewritten_event_rechained_with_another_key_is_named():
    sealed(5)
    _set(3, actor_label="mallory")

    def sign(event, prev):
        event.actor_label = "mallory"
        content = macs.content(MALLORY, event)
        return {"content_mac": content, "hash": macs.link(MALLORY, seq=event.seq, prev_hash=prev, content_mac=content)}

    _rechain_from(3, sign)
    head = AuditChainHead.objects.get()
    tamper(f"UPDATE {HEAD} SET mac = %s", [macs.head(MALLORY, last_seq=head.last_seq, last_hash=head.last_hash)])
    result = trail.verify()
    assert (result.broken_seq, result.reason) == (3, "content")


def test_an_event_passed_off_as_unkeyed_is_named():
    sealed(5)
    event = row(3)
    _set(3, key_id=LEGACY, hash=macs.legacy(event))
    result = trail.verify()
    assert (result.broken_seq, result.reason) == (3, "legacy")


def test_swapped_events_are_named():
    sealed(5)
    tamper(f"UPDATE {EVENTS} SET seq = -1 WHERE seq = 2")
    tamper(f"UPDATE {EVENTS} SET seq = 2 WHERE seq = 3")
    tamper(f"UPDATE {EVENTS} SET seq = 3 WHERE seq = -1")
    result = trail.verify()
    assert (result.broken_seq, result.reason) == (2, "link")


def test_a_hole_in_the_chain_is_named():
    sealed(5)
    tamper(f"DELETE FROM {EVENTS} WHERE seq = 2")
    result = trail.verify()
    assert (result.broken_seq, result.reason, result.missing) == (2, "missing", (2, 2))


def test_an_edited_head_row_is_named():
    sealed(5)
    tamper(f"UPDATE {HEAD} SET last_hash = %s", [row(4).hash])
    result = trail.verify()
    assert (result.ok, result.reason, result.broken_seq) == (False, "head", 6)
    assert trail.seal().refused  # and the sealer signs nothing over it


def test_a_head_row_signed_with_another_key_is_named():
    sealed(5)
    tamper(f"UPDATE {HEAD} SET mac = %s", [macs.head(MALLORY, last_seq=5, last_hash=row(5).hash)])
    result = trail.verify()
    assert result.reason == "head"


def test_a_deleted_head_row_is_named_while_events_remain():
    sealed(5)
    tamper(f"DELETE FROM {HEAD}")
    result = trail.verify()
    assert (result.reason, result.checked) == ("head", 5)
    assert trail.seal().refused  # the sealer will not start a new chain over the old one


def test_a_cut_tail_with_an_old_head_put_back_and_chained_again_is_caught_as_rewritten(checkpoint_every_seal, tmp_path):
    sealed(3)
    old_head = list(AuditChainHead.objects.values_list("last_seq", "last_hash", "key_id", "mac").get())
    sealed(2)  # checkpoint at #5 in the configured file
    tamper(f"DELETE FROM {EVENTS} WHERE seq > 3")
    tamper(f"UPDATE {HEAD} SET last_seq = %s, last_hash = %s, key_id = %s, mac = %s", old_head)
    assert trail.seal().refused  # a sealer that sees that checkpoint refuses to go on
    write(2)  # the platform goes on writing, and a sealer on another machine, with its own file, chains them
    assert not trail.seal(checkpoint_file=tmp_path / "other-node.jsonl").refused
    result = trail.verify()
    assert (result.ok, result.reason, result.broken_seq, result.checkpoint.seq) == (False, "rewritten", 5, 5)


def _copy_of_first_event(action_sql: str, content_mac_sql: str) -> None:
    columns = (
        "at, actor_id, actor_label, role, organisation_id, organisation_label, {action}, subject_type, subject_id,"
        " subject_label, before, after, ip, request_id, key_id, nonce, {mac}"
    )
    tamper(
        f"INSERT INTO {EVENTS} ({columns.format(action='action', mac='content_mac')})"
        f" SELECT {columns.format(action=action_sql, mac=content_mac_sql)} FROM {EVENTS} WHERE seq = 1"
    )


def test_an_event_inserted_behind_the_platforms_back_is_refused_by_the_sealer():
    sealed(2)
    _copy_of_first_event("'fund.deal.approved'", "'" + "0" * 64 + "'")
    assert "does not match its MAC" in trail.seal().refused
    result = trail.verify()
    assert (result.ok, result.reason, result.checked) == (False, "forged", 2)


def test_a_copy_of_an_event_is_refused_by_the_database():
    sealed(2)
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy_of_first_event("action", "content_mac")


@postgresql_only
def test_a_copy_of_an_event_slipped_past_the_constraint_is_named():
    sealed(2)
    tamper(f"ALTER TABLE {EVENTS} DROP CONSTRAINT audit_event_content_mac_unique")
    _copy_of_first_event("action", "content_mac")
    result = trail.verify()  # the sealer chains it (its MAC holds): the copy is what gives it away
    assert (result.ok, result.reason, result.broken_seq) == (False, "duplicate", 3)


def test_an_edited_checkpoint_line_is_named(settings):
    sealed(5)
    path = settings.AUDIT_CHECKPOINTS
    record = json.loads(path.read_text())
    record["seq"] = 4
    path.write_text(json.dumps(record) + "\n")
    with translation.override("en"):
        result = trail.verify()  # (its seal writes a fresh checkpoint after it: the edited line is still there)
    assert (result.ok, result.reason, result.checkpoints_checked) == (False, "checkpoint", 1)
    assert "line 1" in result.message


def test_a_checkpoint_beyond_the_chain_from_another_file_names_what_is_missing(tmp_path, settings):
    """A restored database is checked against the checkpoints carried with its backup."""
    sealed(5)
    carried = tmp_path / "backup-checkpoints.jsonl"
    carried.write_bytes(settings.AUDIT_CHECKPOINTS.read_bytes())
    tamper(f"DELETE FROM {EVENTS} WHERE seq > 2")
    tamper(f"DELETE FROM {HEAD}")
    settings.AUDIT_CHECKPOINTS.unlink()  # the configured file is gone too; the carried one is not
    result = trail.verify(using="default", checkpoint_file=carried)
    assert (result.reason, result.missing, result.checkpoint.seq) == ("truncated", (3, 5), 5)
    assert result.checkpoint_file == str(carried)


def test_a_deleted_checkpoint_file_is_a_warning_not_a_silent_pass(settings):
    sealed(5)
    settings.AUDIT_CHECKPOINTS.unlink()  # out of the owner's reach in production; here, gone
    with translation.override("en"):
        result = trail.verify()
    assert result.ok  # nothing in the database contradicts itself...
    assert any("no checkpoint file" in warning for warning in result.warnings)  # ...but nothing anchors it


@postgresql_only
def test_the_head_row_cannot_be_deleted_or_moved_back_without_switching_off_its_guard():
    from django.db import DatabaseError, connection

    sealed(3)
    for statement in (f"DELETE FROM {HEAD}", f"UPDATE {HEAD} SET last_seq = 1"):
        with pytest.raises(DatabaseError, match="audit chain head"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditChainHead.objects.get().last_seq == 3
