"""`collectstatic` for the scratch server, only when the sources changed
(`python -m rainforest.loadtest.statics STATIC_ROOT`).

Production collects once per release; here a release is whatever the sources are now. Hashing and
compressing every file (WhiteNoise, gzip and Brotli) costs half a minute of CPU on this machine, so
the collected folder is kept, stamped with the sources' names, sizes and modification times, and
collected again only when the stamp differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

STAMP = ".sources"


def fingerprint() -> str:
    from django.apps import apps
    from django.contrib.staticfiles.finders import get_finders

    ignore = apps.get_app_config("staticfiles").ignore_patterns
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list(ignore), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect(root: Path) -> bool:
    """Collect into ``root`` unless it holds these sources already; whether it collected."""
    from django.core.management import call_command

    stamp, wanted = root / STAMP, fingerprint()
    if stamp.exists() and stamp.read_text() == wanted:
        return False
    stamp.unlink(missing_ok=True)
    call_command("collectstatic", interactive=False, clear=root.exists(), verbosity=0)
    stamp.write_text(wanted)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    os.environ["STATIC_ROOT"] = str(args.root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainforest.settings")
    import django

    django.setup()
    print("collected" if collect(args.root) else "unchanged")  # noqa: T201 (the runner's log)


if __name__ == "__main__":
    main()
