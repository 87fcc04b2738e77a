"""Backup and restore drills, run as an operator runs them: `rainforest backup` and `rainforest restore`
in their own processes, over the production settings, against a scratch installation of their own (a
database, a var folder with MEDIA_ROOT and the audit checkpoints), filled through the real services.

Every drill runs on SQLite; on PostgreSQL (the suite's DATABASE_URL) too, each in a scratch database
rf_drill_<random> cloned from one migrated by `rainforest migrate`, all dropped at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

RAINFOREST = Path(sys.executable).with_name("rainforest")
REPO = Path(__file__).resolve().parents[2]
AUDIT_KEY = "drill:" + "d1" * 32
KEY_TABLES = (
    "accounts_organisation", "accounts_user", "accounts_membership", "registry_enterprise",
    "registry_yearlyfacts", "exchange_scenario", "exchange_attachment",
)  # fmt: skip
AUDIT_COLUMNS = "id, seq, action, subject_id, content_mac, hash"
FIRST_PDF = b"%PDF-1.4\n% the first upload\n" + bytes(range(256)) * 8
SECOND_PDF = b"%PDF-1.4\n% an upload after the backup\n" + b"x" * 500

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL drill runs where the suite runs on PostgreSQL"
)
VENDORS = ["sqlite", pytest.param("postgresql", marks=postgresql_only)]


# --- what the subprocesses run (through `rainforest shell`), with the real services -----------------


def _code(n: int) -> str:
    from rainforest.core import uscc

    return uscc.build("9", "1", "330108", f"{20_000_000 + n:08d}")


def _publisher():
    from rainforest.accounts.models import User
    from rainforest.accounts.permissions import Principal

    user = User.objects.get(username="paul")
    return Principal(user=user, membership=user.memberships.select_related("organisation").first())


def seed_world() -> None:
    """The installation at the moment of the backup: a bureau with a scenario publisher, an enterprise
    on the registry with its yearly facts, a scenario with an uploaded PDF; every event sealed."""
    from rainforest.accounts import services
    from rainforest.accounts.choices import OrganisationKind, Role
    from rainforest.audit import trail
    from rainforest.exchange.services import scenarios
    from tests.conftest import PASSWORD, SYSTEM, register
    from tests.exchange.conftest import SCENARIO

    bureau = services.organisation_create(
        actor=SYSTEM, name="杭州市科学技术局", kind=OrganisationKind.GOVERNMENT, uscc=_code(1), district=""
    )
    paul = services.user_create(actor=SYSTEM, username="paul", password=PASSWORD)
    services.membership_grant(actor=SYSTEM, user=paul, organisation=bureau, role=Role.SCENARIO_PUBLISHER)
    enterprise = OrganisationKind.ENTERPRISE
    register(services.organisation_create(actor=SYSTEM, name="杭州甲科技有限公司", kind=enterprise, uscc=_code(2),
                                          district="滨江区"))  # fmt: skip
    scenarios.scenario_create(actor=_publisher(), files=[("方案.pdf", FIRST_PDF)], **SCENARIO)
    assert not trail.seal().refused


def write_more() -> None:
    """What happens after the backup: another enterprise, another scenario and upload, more events."""
    from rainforest.accounts import services
    from rainforest.accounts.choices import OrganisationKind
    from rainforest.audit import trail
    from rainforest.exchange.services import scenarios
    from tests.conftest import SYSTEM, register
    from tests.exchange.conftest import SCENARIO

    org = services.organisation_create(
        actor=SYSTEM, name="杭州乙科技有限公司", kind=OrganisationKind.ENTERPRISE, uscc=_code(3), district="西湖区"
    )
    register(org, years=((2024, 50, 20, 10, 9000000, 900000), (2025, 60, 25, 12, 12000000, 1000000)))
    scenario = {**SCENARIO, "title": "隧道渗漏检测"}
    scenarios.scenario_create(actor=_publisher(), files=[("补充材料.pdf", SECOND_PDF)], **scenario)
    assert not trail.seal().refused


def keep_writing(stop_file: str) -> None:
    """An application at work: each transaction creates an organisation and renames it (two events)."""
    from django.db import transaction

    from rainforest.accounts import services
    from rainforest.accounts.choices import OrganisationKind
    from tests.conftest import SYSTEM

    n = 100
    while not os.path.exists(stop_file):
        n += 1
        with transaction.atomic():
            org = services.organisation_create(
                actor=SYSTEM, name=f"写入中{n}", kind=OrganisationKind.ENTERPRISE, uscc=_code(n), district=""
            )
            services.organisation_update(actor=SYSTEM, organisation=org, version=org.version, name=f"已改名{n}")
        time.sleep(0.01)  # people take turns; SQLite serves waiting writers in no order


# --- the scratch installations ----------------------------------------------------------------------


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
            "password": db["PASSWORD"] or None}  # fmt: skip


def _admin(sql: str, params=()) -> list[tuple]:
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@dataclass
class Installation:
    vendor: str
    database: str  # the SQLite file's path, or the PostgreSQL database's name
    var: Path

    @property
    def media(self) -> Path:
        return self.var / "media"

    @property
    def checkpoints(self) -> Path:
        return self.var / "audit-checkpoints.jsonl"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}" if self.vendor == "sqlite" else _pg_url(self.database)

    def env(self) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        return {
            **{k: os.environ[k] for k in keep if k in os.environ},
            "DJANGO_SETTINGS_MODULE": "rainforest.settings",
            "PYTHONPATH": str(REPO),
            "SECRET_KEY": "drill-" + "s" * 50,
            "RAINFOREST_AUDIT_KEY": AUDIT_KEY,
            "DATABASE_URL": self.url,
            "RAINFOREST_VAR_DIR": str(self.var),
            "MEDIA_ROOT": str(self.media),
            "RAINFOREST_AUDIT_CHECKPOINTS": str(self.checkpoints),
            "RAINFOREST_AUDIT_CHECKPOINT_SECONDS": "0",  # a checkpoint at every seal: the file runs ahead
        }

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(RAINFOREST), *args], env=self.env(), cwd=REPO, capture_output=True, text=True, timeout=180
        )
        if ok:
            assert done.returncode == 0, f"rainforest {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done

    def call(self, function: str) -> None:
        self.run("shell", "-c", f"from tests.ops.test_backup_drill import {function}; {function}()")

    def sql(self, statement: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            conn = sqlite3.connect(self.database, timeout=30)
            try:
                with conn:
                    return conn.execute(statement, params).fetchall()
            finally:
                conn.close()
        with psycopg.connect(dbname=self.database, autocommit=True, **_server()) as conn:
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def tamper(self, statement: str) -> None:
        """What a database owner can do: around the PostgreSQL append-only trigger."""
        if self.vendor == "postgresql":
            trigger = "ALTER TABLE accounts_auditevent {} TRIGGER accounts_auditevent_append_only"
            for sql in (trigger.format("DISABLE"), statement, trigger.format("ENABLE")):
                self.sql(sql)
        else:
            self.sql(statement)

    def snapshot(self) -> dict:
        """The key tables' rows, the audit trail's events and every uploaded file's bytes."""
        tables = {t: self.sql(f"SELECT * FROM {t} ORDER BY id") for t in KEY_TABLES}  # noqa: S608
        tables["audit"] = self.sql(f"SELECT {AUDIT_COLUMNS} FROM accounts_auditevent ORDER BY id")  # noqa: S608
        files = {p.relative_to(self.media).as_posix(): p.read_bytes() for p in self.media.rglob("*") if p.is_file()}
        return {"tables": tables, "files": files}

    def leftovers(self) -> list[str]:
        """Scratch databases and staging folders a restore must never leave behind."""
        found = [p.name for p in self.var.iterdir() if ".restore-" in p.name or ".partial-" in p.name]
        if self.vendor == "postgresql":
            found += [r[0] for r in _admin("SELECT datname FROM pg_database WHERE datname LIKE %s", [
                f"{self.database}\\_restore\\_%"])]  # fmt: skip
        return found


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("drill-template")
    Installation("sqlite", str(var / "db.sqlite3"), var).run("migrate", "-v0")
    return var / "db.sqlite3"


@pytest.fixture(scope="module")
def migrated_postgresql(tmp_path_factory):
    name = f"rf_drill_tpl_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        Installation("postgresql", name, tmp_path_factory.mktemp("drill-template")).run("migrate", "-v0")
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh(vendor: str, request, var: Path) -> Installation:
    var.mkdir()
    if vendor == "sqlite":
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), var / "db.sqlite3")
        return Installation("sqlite", str(var / "db.sqlite3"), var)
    name = f"rf_drill_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{request.getfixturevalue("migrated_postgresql")}"')
    request.addfinalizer(lambda: _drop_all(name))
    return Installation("postgresql", name, var)


def _drop_all(prefix: str) -> None:
    for (name,) in _admin("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=VENDORS)
def site(request, tmp_path) -> Installation:
    return _fresh(request.param, request, tmp_path / "site")


def _flip_byte_of(archive: Path, needle: bytes) -> None:
    data = bytearray(archive.read_bytes())
    at = data.index(needle) + len(needle) // 2
    data[at] ^= 0x01
    archive.write_bytes(bytes(data))


# --- the drills -------------------------------------------------------------------------------------


def test_restore_brings_back_the_moment_of_the_backup(site, tmp_path):
    site.call("seed_world")
    at_backup = site.snapshot()
    archive = tmp_path / "backup.tar.gz"

    site.run("backup", str(archive))
    assert archive.stat().st_mode & 0o777 == 0o600
    site.call("write_more")
    later = site.snapshot()
    assert len(later["files"]) == 2 and len(later["tables"]["exchange_scenario"]) == 2
    refused = site.run("restore", str(archive), ok=False)
    assert refused.returncode == 1 and "Add --force" in refused.stderr
    assert site.snapshot() == later

    restored = site.run("restore", str(archive), "--force")
    now = site.snapshot()
    assert now["tables"] | {"audit": None} == at_backup["tables"] | {"audit": None}
    assert now["files"] == at_backup["files"]  # byte for byte; the later upload is gone
    events = now["tables"]["audit"]
    assert events[:-1] == at_backup["tables"]["audit"]  # the later events (and the backup's own) are gone
    assert events[-1][2] == "ops.restore.completed"
    assert "audit events checked: " in restored.stdout and "uploaded files: 1" in restored.stdout
    assert site.run("audit", "verify").returncode == 0  # against the checkpoint file the restore put back
    assert site.leftovers() == []
    kept = [line.split(" kept as ")[1] for line in restored.stdout.splitlines() if " kept as " in line]
    assert len(kept) == 3  # the previous database, uploads and checkpoints, beside the new ones


def test_the_manifest_describes_the_archive(site, tmp_path):
    site.call("seed_world")
    archive = tmp_path / "backup.tar"
    site.run("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-2:] == ["manifest.json", "manifest.mac"] and set(names[:-2]) == set(manifest["members"])
    assert manifest["vendor"] == site.vendor and manifest["format_version"] == 1
    leaves = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    assert manifest["latest_migrations"]["audit"] == leaves["audit"]
    assert manifest["latest_migrations"]["exchange"] == leaves["exchange"]
    assert manifest["tables"]["accounts_organisation"] == 2 and manifest["audit_events"] == manifest["audit_head_seq"]
    assert "audit/checkpoints.jsonl" in manifest["members"]
    assert sum(n.startswith("media/") for n in names) == 1
    overwrite = site.run("backup", str(archive), ok=False)
    assert overwrite.returncode == 1 and "exists already" in overwrite.stderr
    site.run("backup", str(archive), "--force")


def test_an_archive_changed_by_one_byte_is_refused_and_nothing_changes(site, tmp_path):
    site.call("seed_world")
    archive = tmp_path / "backup.tar"
    site.run("backup", str(archive))
    _flip_byte_of(archive, FIRST_PDF[-64:])
    before = site.snapshot()

    refused = site.run("restore", str(archive), "--force", ok=False)

    assert refused.returncode == 1
    assert "does not match its manifest" in refused.stderr and "media/" in refused.stderr
    assert site.snapshot() == before
    assert site.leftovers() == []


def test_a_backup_whose_audit_trail_was_edited_is_refused_and_the_live_data_untouched(site, tmp_path):
    site.call("seed_world")
    site.tamper("UPDATE accounts_auditevent SET subject_label = 'forged' WHERE seq = 2")
    archive = tmp_path / "backup.tar.gz"
    warned = site.run("backup", str(archive), ok=False)
    # The archive is written (evidence), but the night's run fails loudly instead of passing.
    assert warned.returncode == 1 and archive.exists()
    assert "the audit trail does not verify" in warned.stderr and "will be refused" in warned.stderr
    before = site.snapshot()

    refused = site.run("restore", str(archive), "--force", ok=False)

    assert refused.returncode == 1 and "audit trail does not verify" in refused.stderr
    # The operator reads the audit app's reason in the platform's language (Simplified Chinese).
    assert "第 2 条记录与其封存值不符" in refused.stderr
    assert site.snapshot() == before
    assert site.leftovers() == []


def test_a_backup_from_newer_code_is_refused(site, tmp_path):
    site.sql("INSERT INTO django_migrations (app, name, applied) VALUES ('exchange', '9999_from_the_future', ?)",
             ["2030-01-01 00:00:00+00:00"])  # fmt: skip
    archive = tmp_path / "backup.tar"
    site.run("backup", str(archive))
    refused = site.run("restore", str(archive), "--force", ok=False)
    assert refused.returncode == 1
    assert "newer version of Rainforest" in refused.stderr and "exchange.9999_from_the_future" in refused.stderr
    assert site.leftovers() == []


def test_a_backup_from_older_code_is_migrated_before_it_is_swapped_in(site, tmp_path):
    site.run("migrate", "fund", "0001", "-v0")
    archive = tmp_path / "backup.tar"
    site.run("backup", str(archive))

    restored = site.run("restore", str(archive), "--force", "--drop-old")

    assert "the backup's schema was older than this code: applied" in restored.stdout
    assert "fund.0002_one_live_deal_per_company" in restored.stdout
    assert site.run("migrate", "--check").returncode == 0
    assert " kept as " not in restored.stdout and site.leftovers() == []
    assert not list(site.var.glob("*before_restore*"))
    if site.vendor == "postgresql":
        assert not _admin("SELECT 1 FROM pg_database WHERE datname LIKE %s", [site.database + "\\_before%"])


def test_a_backup_taken_while_the_application_writes_holds_whole_transactions(site, tmp_path):
    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603
        [str(RAINFOREST), "shell", "-c",
         f"from tests.ops.test_backup_drill import keep_writing; keep_writing({str(stop)!r})"],
        env=site.env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while site.sql("SELECT COUNT(*) FROM accounts_organisation")[0][0] < 5 and time.monotonic() < deadline:
            assert writer.poll() is None, writer.stderr.read()
            time.sleep(0.2)
        archive = tmp_path / "backup.tar"
        site.run("backup", str(archive))
    finally:
        stop.touch()
        writer.wait(timeout=60)

    site.run("restore", str(archive), "--force")  # verifies the trail and every table's count

    organisations = site.sql("SELECT id, version, name FROM accounts_organisation")
    events = site.sql("SELECT subject_id, action FROM accounts_auditevent WHERE subject_type = 'organisation'")
    assert organisations
    assert all(version == 2 and name.startswith("已改名") for _id, version, name in organisations)
    assert sorted(events) == sorted(
        (str(pk), action) for pk, _v, _n in organisations
        for action in ("accounts.organisation.created", "accounts.organisation.updated")
    )  # fmt: skip


@postgresql_only
def test_a_sqlite_backup_is_refused_by_a_postgresql_installation(request, tmp_path):
    lite = _fresh("sqlite", request, tmp_path / "lite")
    archive = tmp_path / "lite.tar"
    lite.run("backup", str(archive))
    pg = _fresh("postgresql", request, tmp_path / "pg")
    refused = pg.run("restore", str(archive), ok=False)
    assert refused.returncode == 1 and "holds a sqlite database" in refused.stderr
