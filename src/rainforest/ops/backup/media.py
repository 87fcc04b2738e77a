"""Uploaded files: MEDIA_ROOT walked for a backup, and swapped as one folder on restore.

Only regular files inside MEDIA_ROOT are archived: a symbolic link (which Django's storage never
makes) could point anywhere on the machine, so it is skipped and logged, never followed. Restore
builds the new folder beside MEDIA_ROOT and swaps the two by renaming, so the uploads are either all
the backup's or all the previous ones; the previous folder is kept beside it.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from rainforest.ops.backup import BackupError

logger = logging.getLogger("rainforest.ops.backup")


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT).absolute()


def walk(root: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to ``root`` with '/' separators, path) of each regular file, in a stable order."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        base = Path(folder)
        for name in sorted(files):
            path = base / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                logger.warning("Backup skips the symbolic link %s (links are never followed).", path)
            elif stat.S_ISREG(mode):
                yield path.relative_to(root).as_posix(), path
        for name in dirs:
            if (base / name).is_symlink():
                logger.warning("Backup skips the symbolic link %s (links are never followed).", base / name)


def check_swappable(root: Path) -> None:
    """Restore renames MEDIA_ROOT: refuse, before anything is done, where that cannot work."""
    if root.exists() and os.path.ismount(root):
        raise BackupError(
            f"MEDIA_ROOT ({root}) is a mount point, which restore cannot rename: point MEDIA_ROOT at a "
            "folder inside the mount."
        )
    if root.is_symlink():
        raise BackupError(f"MEDIA_ROOT ({root}) is a symbolic link: point MEDIA_ROOT at the folder itself.")
    if not os.access(root.parent, os.W_OK):
        raise BackupError(
            f"Restore builds the uploads beside MEDIA_ROOT, but {root.parent} does not exist or is not writable."
        )


def prepare(staged: Path, root: Path) -> None:
    """Give the staged files the permissions of uploads: Django's settings, else those of the folder
    they replace (an operator who closed MEDIA_ROOT to others keeps it closed)."""
    file_mode = settings.FILE_UPLOAD_PERMISSIONS or 0o644
    dir_mode = settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS or (root.stat().st_mode & 0o777 if root.is_dir() else 0o750)
    staged.mkdir(exist_ok=True)
    for folder, _dirs, files in os.walk(staged):
        os.chmod(folder, dir_mode)
        for name in files:
            os.chmod(os.path.join(folder, name), file_mode)


def swap_in(staged: Path, root: Path, aside: Path) -> bool:
    """``staged`` becomes MEDIA_ROOT; the previous folder (if any) moves to ``aside``. True if moved."""
    moved = root.exists()
    if moved:
        os.rename(root, aside)
    try:
        os.rename(staged, root)
    except OSError:
        if moved:
            os.rename(aside, root)
        raise
    return moved


def swap_back(staged: Path, root: Path, aside: Path, moved: bool) -> None:
    """Undo ``swap_in``: the restored folder back to ``staged``, the previous one back in place."""
    os.rename(root, staged)
    if moved:
        os.rename(aside, root)
