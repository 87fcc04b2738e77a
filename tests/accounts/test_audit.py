import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from rainforest.audit import trail
from rainforest.audit.models import AuditEvent
from tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db(transaction=False)


def _events(n):
    with transaction.atomic():
        for i in range(n):
            trail.record(SYSTEM, "test.event", subject_type="thing", subject_id=i, after={"i": i})


def _raw_update(sql, params):
    """Tamper as a database operator would, around the PostgreSQL guard when there is one."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER accounts_auditevent_append_only")


def test_an_untouched_chain_verifies():
    _events(5)
    result = trail.verify()
    assert result.ok and result.checked == 5


def test_edited_row_is_named():
    _events(5)
    _raw_update("UPDATE accounts_auditevent SET actor_label = %s WHERE seq = %s", ["mallory", 3])
    result = trail.verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, "content")


def test_deleted_row_is_named():
    _events(5)
    _raw_update("DELETE FROM accounts_auditevent WHERE seq = %s", [2])
    result = trail.verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "missing")


def test_reordered_rows_are_caught():
    _events(5)
    _raw_update("UPDATE accounts_auditevent SET seq = -1 WHERE seq = %s", [2])
    _raw_update("UPDATE accounts_auditevent SET seq = 2 WHERE seq = %s", [3])
    _raw_update("UPDATE accounts_auditevent SET seq = 3 WHERE seq = %s", [-1])
    result = trail.verify()
    assert not result.ok and result.broken_seq == 2


def test_removed_tail_is_caught_by_the_head():
    _events(5)
    _raw_update("DELETE FROM accounts_auditevent WHERE seq = %s", [5])
    result = trail.verify()
    assert (result.ok, result.reason) == (False, "truncated")


def test_cli_verify_reports_the_first_broken_link():
    _events(3)
    call_command("audit", "verify")
    _raw_update("UPDATE accounts_auditevent SET action = %s WHERE seq = %s", ["x", 2])
    with pytest.raises(CommandError, match="#2"):
        call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_events_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError):
        trail.record(SYSTEM, "test.event")


def test_direct_update_is_refused_by_postgresql_or_caught_by_the_chain():
    from django.db import DatabaseError

    _events(2)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_auditevent SET action = 'x' WHERE seq = 1")
    except DatabaseError:
        assert connection.vendor == "postgresql"
        assert AuditEvent.objects.get(seq=1).action == "test.event"
        assert trail.verify().ok
    else:
        assert connection.vendor == "sqlite"  # no database-level guard: the chain shows it
        assert trail.verify().broken_seq == 1


def test_the_auditor_verifies_the_chain_from_the_page(client, auditor):
    from tests.conftest import sign_in

    sign_in(client, auditor)
    assert "哈希链完整" not in client.get("/accounts/audit/").content.decode()
    page = client.get("/accounts/audit/", {"verify": "1"}).content.decode()
    assert "哈希链完整" in page
