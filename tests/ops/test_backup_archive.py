"""The backup's parts on their own: the archive and its manifest, what restore refuses to read, the
uploads walk, the PostgreSQL tools' versions and environment, and the commands' refusals before any
work is done. The whole round trip, as an operator runs it, is in test_backup_drill."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from rainforest.audit.keys import Key, Keyring
from rainforest.ops.backup import BackupError, media, postgres, sqlite
from rainforest.ops.backup import checkpoints as checkpoint_file
from rainforest.ops.backup.archive import ArchiveWriter, compression_for, extract
from rainforest.ops.backup.manifest import Manifest, sign
from rainforest.ops.backup.state import unknown_migrations

OTHER_INSTALLATION = Keyring((Key("elsewhere", "hmac-sha256", b"e" * 32),))


def _manifest() -> Manifest:
    return Manifest(
        created_at="2026-06-01T00:00:00+00:00", platform_version="0.1.0", vendor="sqlite", server_version="3.40.1",
        dump_tool="sqlite3 backup API", migrations={"audit": ["0001_initial", "0002_keyed_chain"]},
        tables={"accounts_auditevent": 3}, audit_head_seq=3, audit_events=3,
    )  # fmt: skip


def _archive(tmp_path: Path, files: dict[str, bytes], name: str = "b.tar") -> Path:
    sources = tmp_path / "sources"
    writer = ArchiveWriter(tmp_path / name, compression_for(tmp_path / name))
    for member, data in files.items():
        source = sources / member
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(data)
        writer.add_file(member, source)
    writer.finish(_manifest(), settings.AUDIT_KEYRING)
    return tmp_path / name


def _raw_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _signed_manifest(keyring=None, format_version=1, **members: bytes) -> list[tuple[tarfile.TarInfo, bytes]]:
    """manifest.json listing ``members``, and its manifest.mac: what a backup ends with."""
    data = json.loads(_manifest().to_json())
    data["format_version"] = format_version
    data["members"] = {name: {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()} for name, b in members.items()}
    raw = json.dumps(data).encode()
    signature = sign(raw, keyring or settings.AUDIT_KEYRING)
    return [(tarfile.TarInfo("manifest.json"), raw), (tarfile.TarInfo("manifest.mac"), signature)]


def _extract(archive: Path, tmp_path: Path) -> Manifest:
    return extract(archive, tmp_path / "out", settings.AUDIT_KEYRING)


@pytest.mark.parametrize(
    ("name", "method"),
    [("b.tar", ""), ("b.tar.gz", "gz"), ("b.TGZ", "gz"), ("b.tar.xz", "xz"), ("nightly.2026-06-01.tar.gz", "gz")],
)
def test_the_file_name_chooses_the_compression(name, method):
    assert compression_for(Path(name)) == method


@pytest.mark.parametrize("name", ["b.zip", "b.gz", "b", "b.tar.bz2"])
def test_other_names_are_refused(name):
    with pytest.raises(BackupError, match="ends in .tar"):
        compression_for(Path(name))


@pytest.mark.parametrize("name", ["b.tar", "b.tar.gz", "b.tar.xz"])
def test_what_is_written_reads_back_with_its_manifest(tmp_path, name):
    files = {"database/sqlite3.db": b"SQLite format 3\x00" + b"\x01" * 5000, "media/a/方案.pdf": b"%PDF-1.4 x"}
    archive = _archive(tmp_path, files, name)
    assert archive.stat().st_mode & 0o777 == 0o600

    manifest = _extract(archive, tmp_path)

    assert manifest.vendor == "sqlite" and manifest.latest_migrations == {"audit": "0002_keyed_chain"}
    assert manifest.media_members == ["media/a/方案.pdf"]
    assert {n: (tmp_path / "out" / n).read_bytes() for n in files} == files


def test_a_member_cannot_be_added_twice(tmp_path):
    source = tmp_path / "x"
    source.write_bytes(b"x")
    writer = ArchiveWriter(tmp_path / "b.tar", "")
    writer.add_file("media/x", source)
    with pytest.raises(BackupError, match="Two archive members"):
        writer.add_file("media/x", source)
    writer.abort()


@pytest.mark.parametrize("name", ["../escape", "/etc/cron.d/x", "media/../../escape", "media//x", "./manifest.json"])
def test_a_member_name_that_is_not_a_plain_relative_path_is_refused(tmp_path, name):
    archive = _raw_tar(tmp_path / "b.tar", [(tarfile.TarInfo(name), b"x")])
    with pytest.raises(BackupError, match="not a plain relative path"):
        _extract(archive, tmp_path)
    assert not (tmp_path / "escape").exists()


def test_a_link_in_the_archive_is_refused(tmp_path):
    link = tarfile.TarInfo("media/passwd")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    archive = _raw_tar(tmp_path / "b.tar", [(link, b"")])
    with pytest.raises(BackupError, match="not a regular file"):
        _extract(archive, tmp_path)


def test_a_member_twice_is_refused(tmp_path):
    archive = _raw_tar(tmp_path / "b.tar", [(tarfile.TarInfo("media/x"), b"a"), (tarfile.TarInfo("media/x"), b"b")])
    with pytest.raises(BackupError, match="twice"):
        _extract(archive, tmp_path)


def test_an_archive_without_a_manifest_is_refused(tmp_path):
    archive = _raw_tar(tmp_path / "b.tar", [(tarfile.TarInfo("media/x"), b"a")])
    with pytest.raises(BackupError, match="no manifest.json"):
        _extract(archive, tmp_path)


def test_an_archive_without_the_manifest_signature_is_refused(tmp_path):
    manifest, _signature = _signed_manifest(**{"media/x": b"a"})
    archive = _raw_tar(tmp_path / "b.tar", [(tarfile.TarInfo("media/x"), b"a"), manifest])
    with pytest.raises(BackupError, match="no manifest.mac"):
        _extract(archive, tmp_path)


def test_a_member_changed_with_its_listed_hash_is_caught_by_the_signature(tmp_path):
    """Whoever holds the archive but not the audit key edits a member and lists its new hash."""
    archive = _archive(tmp_path, {"media/x.pdf": b"%PDF-1.4 the original"})
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        signature = tar.extractfile("manifest.mac").read()
    forged = b"%PDF-1.4 the forgery"
    manifest["members"]["media/x.pdf"] = {"size": len(forged), "sha256": hashlib.sha256(forged).hexdigest()}
    archive = _raw_tar(tmp_path / "forged.tar", [
        (tarfile.TarInfo("media/x.pdf"), forged),
        (tarfile.TarInfo("manifest.json"), json.dumps(manifest).encode()),
        (tarfile.TarInfo("manifest.mac"), signature),
    ])  # fmt: skip
    with pytest.raises(BackupError, match="does not match its signature: the archive was altered"):
        _extract(archive, tmp_path)


def test_a_backup_signed_under_a_key_this_installation_lacks_is_refused(tmp_path):
    archive = _raw_tar(tmp_path / "b.tar", [(tarfile.TarInfo("media/x"), b"a"), *_signed_manifest(
        OTHER_INSTALLATION, **{"media/x": b"a"})])  # fmt: skip
    with pytest.raises(BackupError, match="audit key 'elsewhere', which is not in this installation's keyring"):
        _extract(archive, tmp_path)


@pytest.mark.parametrize(
    ("present", "listed", "problem"),
    [
        ({"media/x": b"a", "media/y": b"b"}, {"media/x": b"a"}, "not in the manifest media/y"),
        ({"media/x": b"a"}, {"media/x": b"a", "media/y": b"b"}, "missing media/y"),
        ({"media/x": b"A"}, {"media/x": b"a"}, "sha256 differs from the manifest media/x"),
    ],
)
def test_members_must_be_exactly_those_the_manifest_lists(tmp_path, present, listed, problem):
    members = [(tarfile.TarInfo(n), b) for n, b in present.items()]
    archive = _raw_tar(tmp_path / "b.tar", [*members, *_signed_manifest(**listed)])
    with pytest.raises(BackupError, match=problem):
        _extract(archive, tmp_path)


def test_a_manifest_of_another_format_version_names_it(tmp_path):
    archive = _raw_tar(tmp_path / "b.tar", _signed_manifest(format_version=2))
    with pytest.raises(BackupError, match="format version 2"):
        _extract(archive, tmp_path)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    (tmp_path / "b.tar.gz").write_bytes(b"\x1f\x8b" + b"not gzip at all" * 10)
    with pytest.raises(BackupError, match="cannot be read as a backup archive"):
        _extract(tmp_path / "b.tar.gz", tmp_path)


def test_the_uploads_walk_never_follows_a_link(tmp_path):
    root, outside = tmp_path / "media", tmp_path / "secret"
    (root / "attachments" / "2026").mkdir(parents=True)
    outside.mkdir()
    (outside / "key").write_text("private")
    (root / "attachments" / "2026" / "a.pdf").write_bytes(b"%PDF")
    (root / "top.png").write_bytes(b"\x89PNG")
    (root / "linked-file").symlink_to(outside / "key")
    (root / "linked-folder").symlink_to(outside)

    assert [name for name, _path in media.walk(root)] == ["top.png", "attachments/2026/a.pdf"]


def test_the_database_password_reaches_the_tools_through_the_environment_only(monkeypatch):
    monkeypatch.setenv("PGHOST", "elsewhere.example")
    monkeypatch.setenv("PGDATABASE", "other")
    settings_dict = {
        "HOST": "",
        "PORT": 5433,
        "USER": "rf",
        "PASSWORD": "s3cret",
        "OPTIONS": {"sslmode": "verify-full"},
    }

    env = postgres.libpq_env(settings_dict, "rainforest")

    assert (env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"]) == (
        "5433",
        "rf",
        "s3cret",
        "rainforest",
    )
    assert env["PGSSLMODE"] == "verify-full"
    assert "PGHOST" not in env  # the settings name no host: the shell's does not redirect the dump


def test_pg_dump_older_than_the_server_is_refused():
    with pytest.raises(BackupError, match="cannot dump a PostgreSQL 16 server.*postgresql-client-16"):
        postgres.check_dump_tool(postgres.Tool("/usr/bin/pg_dump", "pg_dump (PostgreSQL) 15.20", 15), 16)
    postgres.check_dump_tool(postgres.Tool("/usr/bin/pg_dump", "pg_dump (PostgreSQL) 17.2", 17), 16)


def test_pg_restore_refuses_a_newer_dump_or_a_newer_server():
    tool = postgres.Tool("/usr/bin/pg_restore", "pg_restore (PostgreSQL) 15.20", 15)
    with pytest.raises(BackupError, match="cannot read"):
        postgres.check_restore_tool(tool, "pg_dump (PostgreSQL) 16.4", backup_server=16, server=16)
    with pytest.raises(BackupError, match="comes from PostgreSQL 16 and this server runs PostgreSQL 15"):
        postgres.check_restore_tool(tool, "pg_dump (PostgreSQL) 15.20", backup_server=16, server=15)
    postgres.check_restore_tool(tool, "pg_dump (PostgreSQL) 14.1", backup_server=14, server=15)  # an upgrade


def test_scratch_database_names_fit_postgresql():
    live = "r" * 63
    scratch, aside = postgres.scratch_names(live, "20260601120000")
    assert len(scratch.encode()) <= 63 and len(aside.encode()) <= 63
    assert aside.endswith("_before_restore_20260601120000") and scratch.endswith("_restore_20260601120000")
    assert postgres.scratch_names("rainforest", "20260601120000") == (
        "rainforest_restore_20260601120000",
        "rainforest_before_restore_20260601120000",
    )


def test_migrations_this_code_does_not_have_are_named():
    unknown, not_installed = unknown_migrations(
        {"audit": ["0001_initial", "0002_keyed_chain", "0003_from_the_future"], "retired_app": ["0001_initial"]}
    )
    assert unknown == ["audit.0003_from_the_future"]
    assert not_installed == ["retired_app"]


def test_backup_refuses_before_doing_anything(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "old.tar.gz").write_bytes(b"an earlier backup")
    cases = [
        (tmp_path / "old.tar.gz", "exists already"),
        (tmp_path / "media" / "b.tar.gz", "inside MEDIA_ROOT"),
        (tmp_path / "b.zip", "ends in .tar"),
        (tmp_path / "missing" / "b.tar", "does not exist"),
    ]
    for path, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("backup", str(path))
    assert (tmp_path / "old.tar.gz").read_bytes() == b"an earlier backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "old.tar.gz"]


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("restore", str(tmp_path / "none.tar.gz"))


def test_the_uploads_folder_is_swapped_whole_and_can_be_swapped_back(tmp_path):
    root, staged, aside = tmp_path / "media", tmp_path / "staged", tmp_path / "media.before"
    root.mkdir()
    (root / "old.pdf").write_bytes(b"old")
    staged.mkdir()
    (staged / "new.pdf").write_bytes(b"new")

    assert media.swap_in(staged, root, aside) is True
    assert [p.name for p in root.iterdir()] == ["new.pdf"] and [p.name for p in aside.iterdir()] == ["old.pdf"]

    media.swap_back(staged, root, aside, moved=True)
    assert [p.name for p in root.iterdir()] == ["old.pdf"] and (staged / "new.pdf").exists() and not aside.exists()


def test_a_media_root_that_is_a_link_is_refused_before_anything_is_done(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "media").symlink_to(tmp_path / "real")
    with pytest.raises(BackupError, match="symbolic link"):
        media.check_swappable(tmp_path / "media")


def test_the_sqlite_swap_keeps_the_previous_file_and_moves_its_journal_aside(tmp_path):
    live, scratch, aside = tmp_path / "db.sqlite3", tmp_path / "db.sqlite3.restore-1", tmp_path / "db.before"
    live.write_bytes(b"previous")
    Path(f"{live}-journal").write_bytes(b"a journal that belongs to the previous file")
    scratch.write_bytes(b"restored")

    assert sqlite.swap(live, scratch, aside) is True

    assert live.read_bytes() == b"restored" and aside.read_bytes() == b"previous"
    assert not Path(f"{live}-journal").exists() and Path(f"{aside}-journal").exists()
    assert not scratch.exists()


def test_only_complete_checkpoint_lines_are_copied(tmp_path, settings):
    settings.AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINTS.write_bytes(b'{"seq": 1}\n{"seq": 2}\n{"seq": 3, "head_h')

    assert checkpoint_file.copy_complete_lines(tmp_path / "copy") is True
    assert (tmp_path / "copy").read_bytes() == b'{"seq": 1}\n{"seq": 2}\n'
    settings.AUDIT_CHECKPOINTS = tmp_path / "none.jsonl"
    assert checkpoint_file.copy_complete_lines(tmp_path / "copy2") is False
