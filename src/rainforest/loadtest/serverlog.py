"""The server's own view of the load: its JSON access lines (`rainforest serve`: method, path without
the query, status, duration_ms) per route. What the simulated browser waited beyond this duration
was spent before a worker thread took the request (the listen queue) or in transit."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from rainforest.loadtest.report import percentile

_ID = re.compile(r"/\d+(?=/)")


def route(method: str, path: str) -> str:
    if path.startswith("/static/"):
        return f"{method} /static/…"
    return f"{method} {_ID.sub('/[id]', path)}"


def timings(log: Path, since: dt.datetime) -> list[tuple[str, int, float, float]]:
    """(route, requests, median ms, p95 ms) for the access lines from ``since`` on, slowest p95
    first; empty when the server writes no such lines (gunicorn without `rainforest serve`)."""
    by_route: dict[str, list[float]] = {}
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        if not line.startswith("{") or '"duration_ms"' not in line:
            continue
        try:
            entry = json.loads(line)
            at = dt.datetime.fromisoformat(entry["time"])
        except (ValueError, KeyError):
            continue
        if at >= since and entry.get("duration_ms") is not None:
            by_route.setdefault(route(entry["method"], entry["path"]), []).append(float(entry["duration_ms"]))
    rows = []
    for name, times in by_route.items():
        times.sort()
        rows.append((name, len(times), percentile(times, 0.5), percentile(times, 0.95)))
    return sorted(rows, key=lambda row: -row[3])
