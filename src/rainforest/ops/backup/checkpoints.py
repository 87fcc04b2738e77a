"""The audit checkpoint file (``AUDIT_CHECKPOINTS``): copied into a backup, swapped back on restore.

Backup copies it *before* the database snapshot: every checkpoint then names an event the snapshot
holds, so the restored trail verifies against the restored file. Copied after, it could name events
sealed since the snapshot, and every backup of a running installation would look cut. Only complete
lines are copied: a line being appended at that moment belongs to a later checkpoint.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rainforest.audit import checkpoints


def live_path() -> Path:
    return checkpoints.configured().absolute()


def copy_complete_lines(target: Path) -> bool:
    """Copy the live file's complete lines to ``target``; False when the installation has no file."""
    try:
        raw = live_path().read_bytes()
    except FileNotFoundError:
        return False
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw[: raw.rfind(b"\n") + 1])
    return True


def stage_beside(staged: Path, live: Path) -> Path | None:
    """Copy the restored file next to the live one (the staging folder may be on another file system),
    so that swapping it in later is two renames; None when the backup has no checkpoint file."""
    if not staged.exists():
        return None
    live.parent.mkdir(parents=True, exist_ok=True)
    partial = live.with_name(f".{live.name}.restoring")
    shutil.copyfile(staged, partial)
    os.chmod(partial, 0o600)
    return partial


def swap_in(partial: Path | None, live: Path, aside: Path) -> bool:
    """The restored file (if any) becomes the live one, which moves to ``aside``; True if it moved."""
    moved = live.exists()
    if moved:
        os.rename(live, aside)
    if partial is not None:
        os.replace(partial, live)
    return moved
