"""`rainforest bench city`: what users wait for with 120,000 enterprises, against the targets.

Steps, each in its own process with the scratch installation's settings (loadtest/scratch.py):
the demo city into a new PostgreSQL database (`rainforest demo --no-serve`), grown to city scale
(`python -m rainforest.loadtest.city_grow`), then the timings (`python -m rainforest.loadtest.city_time`),
which write their figures as JSON for this process to judge. ``--keep`` reuses a kept database: the
build takes minutes, the timings one or two.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rainforest.loadtest import scratch

Write = Callable[[str], None]


@dataclass(frozen=True)
class CityOptions:
    enterprises: int = 120_000
    database: str = "rf_load_city"
    keep: bool = False
    repeat: int = 5
    postgres: str = "postgres://postgres@127.0.0.1:5432"
    redis: str = "redis://127.0.0.1:6379/9"
    folder: Path = Path("var/loadtest")


def prepare(options: CityOptions, write: Write) -> tuple[scratch.Folder, dict[str, str]]:
    scratch.refuse_unsafe(options.postgres, options.redis, options.database)
    folder = scratch.Folder(options.folder, options.database)
    database = scratch.ScratchDatabase(options.postgres, options.database)
    built = folder.root / "city.json"
    reuse = options.keep and built.exists() and database.exists()
    if not reuse:
        shutil.rmtree(folder.root, ignore_errors=True)
    env = scratch.environment(folder, database.url, options.redis) | {"ALLOWED_HOSTS": "127.0.0.1,testserver"}
    if reuse:
        write(f"reusing the kept database {options.database} (migrated to this release)")
        scratch.run_step(env, folder.log, "-m", "rainforest.cli", "migrate", "--noinput", "-v0")
    else:
        write(f"building the demo city into a new database {database.name}…")
        database.drop()
        database.create()
        scratch.run_step(env | {"RAINFOREST_DEMO": "1"}, folder.log, "-m", "rainforest.cli", "demo", "--no-serve")
    # Pages link hashed static files: collected once per release (loadtest/statics.py).
    scratch.run_step(env, folder.root / "static.log", "-m", "rainforest.loadtest.statics", str(folder.static))
    write(f"growing the registry to {options.enterprises:,} enterprises (log: {folder.log})…")
    scratch.run_step(env, folder.log, "-m", "rainforest.loadtest.city_grow", str(options.enterprises))
    built.write_text(json.dumps({"enterprises": options.enterprises}))
    return folder, env


def discard(options: CityOptions) -> None:
    if options.keep:
        return
    scratch.ScratchDatabase(options.postgres, options.database).drop()
    shutil.rmtree(scratch.Folder(options.folder, options.database).root, ignore_errors=True)


# What users wait for, in milliseconds at city scale (issue 13): the pyramid under 500, a bulk
# screening of the whole registry under 30 s, every list page and list API under 300 on any page; the
# city cockpit under 300 (issue 15).
TARGET_MS = {"pyramid": 500.0, "bulk screening": 30_000.0}
LIST_TARGET_MS = 300.0


def target_ms(label: str) -> float | None:
    if label.startswith("floor"):
        return None
    return next((ms for start, ms in TARGET_MS.items() if label.startswith(start)), LIST_TARGET_MS)


def measure(options: CityOptions, folder: scratch.Folder, env: dict[str, str]) -> dict:
    out = folder.root / "timings.json"
    scratch.run_step(env, folder.log, "-m", "rainforest.loadtest.city_time", str(out), str(options.repeat))
    return json.loads(out.read_text())


def lines(figures: dict) -> tuple[list[str], list[str]]:
    """The report, and the targets missed."""
    timings = figures["timings"]
    floor = next((t["median_ms"] for label, t in timings.items() if label.startswith("floor")), None)
    out = [
        f"registry: {figures['enterprises']:,} enterprises, {figures['facts_rows']:,} fiscal years of facts",
        f"{'what the user waits for':52} {'median':>9} {'target':>8} {'×floor':>7} {'queries':>8}",
    ]
    misses = []
    for label, t in timings.items():
        target = target_ms(label)
        if t["median_ms"] is None:
            out.append(f"{label:52} answered {t['status']}")
            misses.append(f"{label}: answered {t['status']}")
            continue
        ratio = f"{t['median_ms'] / floor:6.1f}×" if floor else ""
        queries = "—" if t["queries"] is None else t["queries"]
        out.append(f"{label:52} {t['median_ms']:7.0f}ms {(f'{target:.0f}ms' if target else '—'):>8} {ratio:>7} "
                   f"{queries:>8}")  # fmt: skip
        if target is not None and t["median_ms"] > target:
            misses.append(f"{label}: {t['median_ms']:.0f} ms > {target:.0f} ms")
    return out, misses
