"""The figures: per request name, for pages together and for static files, from every request
locust timed (its request events, kept in the ledger), against the goal."""

from __future__ import annotations

import math
from dataclasses import dataclass

# The password check is slow on purpose (PBKDF2, 1.5 million rounds: about 0.3 s of one core here),
# so the sign-in post is reported on its own line and held to its own bound, not the pages' goal.
SIGN_IN = "sign in"
MIN_SAMPLES = 20  # fewer than this and a p95 says little: shown, not held to the goal


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    failures: int
    median: float
    p95: float
    p99: float
    slowest: float

    @property
    def is_static(self) -> bool:
        return self.name.startswith("static ")


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the samples at or below it."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def row(name: str, samples: list[list]) -> Row:
    times = sorted(s[2] for s in samples)
    return Row(
        name=name,
        count=len(times),
        failures=sum(not s[3] for s in samples),
        median=percentile(times, 0.5),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
        slowest=times[-1] if times else 0.0,
    )


@dataclass(frozen=True)
class Summary:
    rows: list[Row]  # per request name, slowest p95 first
    pages: Row  # every request but static files and the sign-in post
    sign_in: Row
    static: Row
    everything: Row

    def misses(self, goal_ms: float, sign_in_ms: float) -> list[str]:
        """What missed the goal: any failure, the pages' p95, a page's p95, the sign-in's p95."""
        out = []
        if self.everything.failures:
            out.append(f"{self.everything.failures} failed request(s)")
        if self.pages.p95 >= goal_ms:
            out.append(f"pages p95 {self.pages.p95:.0f} ms >= {goal_ms:.0f} ms")
        for r in self.rows:
            if r.name != SIGN_IN and not r.is_static and r.count >= MIN_SAMPLES and r.p95 >= goal_ms:
                out.append(f"{r.name} p95 {r.p95:.0f} ms >= {goal_ms:.0f} ms")
        if self.sign_in.count and self.sign_in.p95 >= sign_in_ms:
            out.append(f"sign in p95 {self.sign_in.p95:.0f} ms >= {sign_in_ms:.0f} ms")
        return out


def summarise(samples: list[list]) -> Summary:
    """``samples``: [name, method, milliseconds, succeeded, bytes, ended at] per request."""
    by_name: dict[str, list[list]] = {}
    for sample in samples:
        by_name.setdefault(sample[0], []).append(sample)
    rows = sorted((row(n, s) for n, s in by_name.items()), key=lambda r: (r.is_static, -r.p95))
    static = [s for s in samples if s[0].startswith("static ")]
    pages = [s for s in samples if is_page(s)]
    return Summary(
        rows=rows,
        pages=row("all pages", pages),
        sign_in=row(SIGN_IN, by_name.get(SIGN_IN, [])),
        static=row("static files", static),
        everything=row("all requests", samples),
    )


def is_page(sample: list) -> bool:
    return not sample[0].startswith("static ") and sample[0] != SIGN_IN


def phases(samples: list[list], ramp_seconds: float) -> tuple[Row, Row]:
    """Pages while people were still arriving (and signing in), and pages once all had arrived.
    ``samples`` carry the time each request ended as their sixth field."""
    if not samples:
        return row("pages while people arrived", []), row("pages once all had arrived", [])
    start = min(s[5] - s[2] / 1000 for s in samples)
    pages = [s for s in samples if is_page(s)]
    return (
        row("pages while people arrived", [s for s in pages if s[5] - start <= ramp_seconds]),
        row("pages once all had arrived", [s for s in pages if s[5] - start > ramp_seconds]),
    )


def table(summary: Summary) -> list[str]:
    head = f"{'request':<34} {'count':>6} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8} {'failures':>8}"
    lines = [head, "-" * len(head)]
    for r in [*summary.rows, None, summary.pages, summary.sign_in, summary.static, summary.everything]:
        if r is None:
            lines.append("-" * len(head))
            continue
        flag = "  (few samples)" if r.count < MIN_SAMPLES and not r.is_static else ""
        lines.append(
            f"{r.name[:34]:<34} {r.count:>6} {r.median:>6.0f}ms {r.p95:>6.0f}ms {r.p99:>6.0f}ms "
            f"{r.slowest:>6.0f}ms {r.failures:>8}{flag}"
        )
    return lines
