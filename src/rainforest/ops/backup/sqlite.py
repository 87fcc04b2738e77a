"""SQLite through its online backup API, and a file swap on restore.

``Connection.backup`` with its default of every page in one step copies the database as of one
moment, holding a read lock for the copy: writers of the running application wait for it (SQLite's
busy timeout) instead of landing half in the copy. Restore puts the backup's file next to the live
one, verifies it there, keeps the live file under another name (a hard link, so the live name keeps
working until the last moment) and renames the new one over it. The server and workers must be
stopped for a restore: a process that still has the old file open would go on writing to it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

from rainforest.ops.backup import BackupError

logger = logging.getLogger("rainforest.ops.backup")

# Files SQLite keeps beside a database; a stale one next to the new file would be read as its own.
SIDE_FILES = ("-wal", "-shm", "-journal")


def database_path(settings_dict: dict) -> Path:
    name = str(settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError(f"The SQLite database {name!r} is not a file that can be backed up or restored.")
    return Path(name).absolute()


def online_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
    os.close(fd)
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    logger.info("SQLite online backup of %s: %d bytes.", source.name, target.stat().st_size)


def check_integrity(path: Path) -> None:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        answer = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        answer = str(exc)
    finally:
        conn.close()
    if answer != "ok":
        raise BackupError(f"The backup's SQLite database is damaged ({answer}): refused.")


def scratch_copy(source: Path, live: Path, stamp: str) -> Path:
    """The backup's database beside the live one, where the swap is one rename."""
    scratch = live.with_name(f"{live.name}.restore-{stamp}")
    live.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scratch)
    os.chmod(scratch, live.stat().st_mode & 0o777 if live.exists() else 0o600)
    check_integrity(scratch)
    logger.info("The backup's database is at %s.", scratch)
    return scratch


def drop(scratch: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)


def swap(live: Path, scratch: Path, aside: Path) -> bool:
    """``scratch`` becomes ``live``; the previous file stays as ``aside``. True if there was one."""
    had_live = live.exists()
    moved = []
    try:
        if had_live:
            try:
                os.link(live, aside)
            except OSError:
                shutil.copy2(live, aside)
            for suffix in SIDE_FILES:
                if Path(f"{live}{suffix}").exists():
                    os.rename(f"{live}{suffix}", f"{aside}{suffix}")
                    moved.append(suffix)
        os.replace(scratch, live)
    except OSError:
        for suffix in moved:
            os.rename(f"{aside}{suffix}", f"{live}{suffix}")
        if had_live:
            aside.unlink(missing_ok=True)
        raise
    logger.info("Swapped the databases: %s is the restored one%s.", live, f", the previous one is {aside}" * had_live)
    return had_live
