"""The backup file itself: a tar written to a private temporary file, read back member by member.

Writing hashes each member while it goes into the tar, so what the manifest says is what was written.
Reading never lets the archive choose where a file lands: each member must be a regular file with a
plain relative name, listed in the manifest exactly once, of the listed size and sha256.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import time
from pathlib import Path, PurePosixPath

from rainforest.audit.keys import Keyring
from rainforest.ops.backup import BackupError
from rainforest.ops.backup.manifest import NAME, SIGNATURE_NAME, Manifest, Member, check_signature, sign

CHUNK = 1024 * 1024
# The file's suffix chooses the compression; a PostgreSQL dump is compressed already, an SQLite file is not.
COMPRESSION = {".tar": "", ".tar.gz": "gz", ".tgz": "gz", ".tar.xz": "xz", ".txz": "xz"}


def compression_for(path: Path) -> str:
    name = path.name.lower()
    for suffix, method in sorted(COMPRESSION.items(), key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return method
    raise BackupError(
        f"{path.name}: a backup file's name ends in {', '.join(COMPRESSION)} (it chooses the compression)."
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file read through by tarfile, hashing what it hands over."""

    def __init__(self, fh):
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Members in, manifest last; ``path`` is a private temporary file the caller later renames."""

    def __init__(self, path: Path, compression: str):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
        self._raw = os.fdopen(fd, "wb")
        kwargs = {"compresslevel": 6} if compression == "gz" else {}
        self._tar = tarfile.open(fileobj=self._raw, mode=f"w:{compression}", format=tarfile.PAX_FORMAT, **kwargs)
        self.members: dict[str, Member] = {}

    def add_file(self, name: str, source: Path) -> Member:
        with open(source, "rb") as fh:
            info = self._info(name, os.fstat(fh.fileno()).st_size)
            reader = _HashingReader(fh)
            # tarfile copies exactly info.size bytes, and fails if the file shrank meanwhile.
            self._tar.addfile(info, reader)
        member = Member(size=reader.size, sha256=reader.digest.hexdigest())
        self.members[name] = member
        return member

    def finish(self, manifest: Manifest, keyring: Keyring) -> None:
        manifest.members = dict(sorted(self.members.items()))
        data = manifest.to_json()
        signature = sign(data, keyring)
        self._tar.addfile(self._info(NAME, len(data)), io.BytesIO(data))
        self._tar.addfile(self._info(SIGNATURE_NAME, len(signature)), io.BytesIO(signature))
        self._tar.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()

    def abort(self) -> None:
        try:
            self._tar.close()
        except (OSError, tarfile.TarError):
            pass  # the temporary file is removed by the caller either way
        self._raw.close()

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        if name in self.members:
            raise BackupError(f"Two archive members would be named {name}.")
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(time.time())
        return info


def safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        raise BackupError(f"The archive holds a member named {name!r}, which is not a plain relative path: refused.")
    return path


def extract(archive: Path, staging: Path, keyring: Keyring) -> Manifest:
    """Every member into ``staging`` (a new private folder), checked against the signed manifest."""
    seen: dict[str, Member] = {}
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for info in tar:
                name = str(safe_name(info.name))
                if not info.isreg():
                    raise BackupError(f"The archive member {name} is not a regular file: refused.")
                if name in seen:
                    raise BackupError(f"The archive holds {name} twice: refused.")
                seen[name] = _extract_one(tar, info, staging / name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} cannot be read as a backup archive ({exc}).") from exc
    for name in (NAME, SIGNATURE_NAME):
        if name not in seen:
            raise BackupError(f"{archive} has no {name}: it is not a complete Rainforest backup.")
        del seen[name]
    raw = (staging / NAME).read_bytes()
    check_signature(raw, (staging / SIGNATURE_NAME).read_bytes(), keyring)
    manifest = Manifest.from_json(raw)
    _compare(manifest.members, seen)
    return manifest


def _extract_one(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> Member:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(info)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return Member(size=size, sha256=digest.hexdigest())


def _compare(listed: dict[str, Member], found: dict[str, Member]) -> None:
    missing = sorted(set(listed) - set(found))
    extra = sorted(set(found) - set(listed))
    changed = sorted(name for name in set(listed) & set(found) if listed[name] != found[name])
    problems = []
    if missing:
        problems.append(f"missing {_few(missing)}")
    if extra:
        problems.append(f"not in the manifest {_few(extra)}")
    if changed:
        problems.append(f"size or sha256 differs from the manifest {_few(changed)}")
    if problems:
        raise BackupError("The archive does not match its manifest (" + "; ".join(problems) + "): refused.")


def _few(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
