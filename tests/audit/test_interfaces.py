"""The command, the auditor's page, the export and the worker's job: each seals first, so nothing
committed is left out, and each says what broke."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from rainforest.audit import tasks, trail
from rainforest.audit.models import AuditEvent
from rainforest.jobs import periodic
from tests.audit.conftest import EVENTS, HEAD, sealed, tamper, write
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _call(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TestCommand:
    def test_verify_seals_then_says_the_trail_holds(self):
        write(3)
        out, _ = _call("verify")
        assert out.startswith("OK: 3 events, chain intact; 1 checkpoints match")
        assert AuditEvent.objects.filter(seq__isnull=True).count() == 0

    def test_verify_fails_naming_what_was_cut_and_since_which_checkpoint(self):
        sealed(5)
        tamper(f"DELETE FROM {EVENTS}")
        tamper(f"DELETE FROM {HEAD}")
        with pytest.raises(CommandError, match=r"BROKEN: events #1–#5 missing since checkpoint of .* \(seq 5\)"):
            _call("verify")

    def test_verify_uses_the_checkpoint_file_it_is_given(self, tmp_path):
        sealed(2)
        carried = tmp_path / "from-the-backup.jsonl"
        out, _ = _call("verify", "--checkpoints", str(carried))
        assert f"({carried})" in out and carried.exists()
        tamper(f"UPDATE {EVENTS} SET action = 'x' WHERE seq = 2")
        with pytest.raises(CommandError, match="BROKEN: event #2 does not match its seal"):
            _call("verify", "--checkpoints", str(carried))

    def test_seal_chains_what_is_committed(self):
        write(2)
        out, _ = _call("seal")
        assert out.startswith("Sealed 2 events; the chain ends at #2.")

    def test_export_seals_first_and_carries_the_key_id(self, tmp_path):
        write(2)
        path = tmp_path / "trail.csv"
        _call("export", str(path))
        rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
        assert [(r["seq"], r["key_id"]) for r in rows] == [("1", "tests"), ("2", "tests")]
        assert all(r["hash"] for r in rows)


class TestAuditorsPage:
    def test_reading_the_page_lists_unsealed_events_first_and_writes_nothing(self, client, auditor):
        sign_in(client, auditor)
        trail.seal()
        write(2)
        page = client.get("/accounts/audit/").context["page"]
        unsealed = [e for e in page.object_list if e.seq is None]
        sealed_rows = [e.seq for e in page.object_list if e.seq is not None]
        assert len(unsealed) == 2 and page.object_list[:2] == unsealed  # the worker seals them; the page does not
        assert sealed_rows == sorted(sealed_rows, reverse=True)
        assert AuditEvent.objects.filter(seq__isnull=True).count() == 2

    def test_the_auditor_verifies_from_the_page_and_reads_what_broke(self, client, auditor):
        sign_in(client, auditor)
        assert "哈希链完整" not in client.get("/accounts/audit/").content.decode()
        assert "哈希链完整" in client.get("/accounts/audit/", {"verify": "1"}).content.decode()
        tamper(f"DELETE FROM {EVENTS} WHERE seq = 1")
        with translation.override("en"):
            verification = client.get("/accounts/audit/", {"verify": "1"}).context["verification"]
        assert (verification.ok, verification.reason, verification.missing) == (False, "missing", (1, 1))

    def test_the_export_carries_the_key_id(self, client, auditor):
        sign_in(client, auditor)
        text = client.get("/accounts/audit/export/").content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and all(r["seq"] and r["key_id"] == "tests" for r in rows)


class TestSealingJob:
    def test_the_worker_seals_every_few_seconds(self):
        job = periodic.discover()["audit.seal"]
        assert job.task is tasks.seal_trail and job.every == dt.timedelta(seconds=5)

    def test_the_job_seals_and_fails_loudly_on_a_broken_chain(self):
        write(2)
        assert tasks.seal_trail.call() == {"sealed": 2, "last_seq": 2}
        tamper(f"UPDATE {HEAD} SET last_seq = 1")
        with pytest.raises(tasks.SealingRefused, match="altered"):
            tasks.seal_trail.call()


def test_verify_returns_what_the_backup_helper_needs(tmp_path):
    sealed(2)
    result = trail.verify(using="default", checkpoint_file=tmp_path / "carried.jsonl")
    assert (result.ok, result.checked, result.broken_seq, result.reason, result.missing, result.checkpoint) == (
        True, 2, None, "", None, None,
    )  # fmt: skip
    assert result.checkpoint_file == str(tmp_path / "carried.jsonl")
