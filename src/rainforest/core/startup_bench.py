"""`rainforest bench startup`: what an offline command costs from start to answer, measured in
separate processes as a user or a script would run it."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# A small, valid deal: one company, two founders, a pool, the fund and a co-investor.
DEAL = {
    "as_of": "2026-11-28",
    "company": {
        "uscc": "91330106MA2KXXXX05", "name": "杭州测试科技有限公司", "founded_on": "2023-05-01",
        "fiscal_year": 2025, "employees": 30, "industries": "HZ296X.H.ROBOT", "stage": "prototype",
        "last_round": "angel",
    },
    "holders": [{"name": "Founder A", "shares": 6_000_000}, {"name": "Founder B", "shares": 3_000_000}],
    "options_outstanding": 0,
    "pool_unallocated": 1_000_000,
    "pool_top_up_post_pct": 0,
    "round": {
        "pre_money": 40_000_000,
        "investors": [
            {"name": "润苗基金", "amount": 4_000_000, "is_fund": True},
            {"name": "VC", "amount": 6_000_000, "is_fund": False},
        ],
    },
}  # fmt: skip


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fund_check_cpu(runs: int) -> list[float]:
    """CPU seconds (user + system) of `rainforest fund check` on one deal, once per run; each
    answer is checked to be a report."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deal.json"
        path.write_text(json.dumps(DEAL, ensure_ascii=False), encoding="utf-8")
        costs = []
        for _ in range(runs):
            before = _child_cpu()
            done = subprocess.run(
                [sys.executable, "-m", "rainforest", "fund", "check", str(path)], capture_output=True, text=True
            )
            costs.append(_child_cpu() - before)
            if done.returncode != 0 or "verdict" not in json.loads(done.stdout):
                raise RuntimeError(f"fund check failed: {done.stderr.strip()[-400:]}")
        return costs


def summary(costs: list[float], target: float) -> tuple[str, bool]:
    median = statistics.median(costs)
    line = (
        f"rainforest fund check, one deal, {len(costs)} runs: median {median:.2f} s CPU "
        f"(min {min(costs):.2f}, max {max(costs):.2f}); target ≤ {target:.2f} s"
    )
    return line, median <= target
