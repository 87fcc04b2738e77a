"""Realistic synthetic facts at any size, for the benchmark (numpy, seeded, no I/O).

Three consecutive fiscal years per enterprise; figures keep the schema's relations (tech staff
within staff, domestic R&D within R&D, high-tech income within total income), a few blanks
appear as in real registers, and sizes follow a heavy-tailed distribution.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from rainforest.core.facts.industries import HZ296X
from rainforest.core.policy.batch import SCHEMA

STAGES = np.array(["idea", "rd", "prototype", "product", "growth", "mature"])
ROUNDS = np.array(["none", "angel", "seed", "pre_a", "a", "b", "c", "later"])
FIELDS = np.array([f"F{i}" for i in range(1, 9)])


def synthetic_facts(rows: int, *, seed: int = 2026, last_year: int = 2025) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = -(-rows * 11 // 30) + 1  # enterprises: three years each, fewer for the youngest
    founded_days = rng.integers(0, 365 * 25, n)
    founded = np.datetime64(f"{last_year}-12-31") - founded_days.astype("timedelta64[D]")
    staff0 = np.maximum(1, np.exp(rng.normal(2.5, 1.2, n))).round()
    growth = rng.normal(0.12, 0.2, n)
    tech_share = rng.uniform(0.0, 0.7, n)
    rd_share = rng.uniform(0.2, 1.0, n)
    rev_per_head = rng.lognormal(12.8, 0.8, n)
    rd_intensity = rng.uniform(0.0, 0.3, n)
    codes = np.array(list(HZ296X))
    industries = codes[rng.integers(0, len(codes), n)]
    frames = []
    for k, year in enumerate(range(last_year - 2, last_year + 1)):
        factor = (1 + growth) ** (k - 2)
        staff = np.maximum(1, (staff0 * factor).round())
        tech = np.floor(staff * tech_share)
        revenue = (staff * rev_per_head * factor).round(-3)
        rd = (revenue * rd_intensity + staff * 2e4 * rd_intensity).round(-3)
        total_income = (revenue * rng.uniform(1.0, 1.05, n)).round(-3)
        assets = (revenue * rng.uniform(0.5, 1.8, n) + 1e5).round(-3)
        blank = rng.random(n) < 0.02  # a few unknown figures, as in real registers
        frames.append(pl.DataFrame({
            "uscc": [f"SYN{i:015d}" for i in range(n)] if k == 0 else frames[0]["uscc"],
            "name": frames[0]["name"] if k else [f"企业{i}" for i in range(n)],
            "founded_on": pl.Series(founded.astype("datetime64[D]")).cast(pl.Date),
            "fiscal_year": np.full(n, year, dtype=np.int32),
            "district": "滨江区",
            "registered_in_hangzhou": rng.random(n) < 0.95,
            "industries": industries,
            "hnte_field": FIELDS[rng.integers(0, 8, n)],
            "stage": STAGES[np.minimum(5, (founded_days / 365 / 3).astype(int))],
            "last_round": ROUNDS[rng.integers(0, 8, n)],
            "employees": staff,
            "tech_staff": tech,
            "rd_staff": np.floor(tech * rd_share),
            "revenue": np.where(blank, np.nan, revenue),
            "total_costs": (revenue * rng.uniform(0.7, 1.1, n) + rd).round(-3),
            "rd_expense": rd,
            "rd_expense_domestic": (rd * rng.uniform(0.5, 1.0, n)).round(-3),
            "high_tech_income": (total_income * rng.uniform(0.2, 1.0, n)).round(-3),
            "total_income": total_income,
            "total_assets": assets,
            "net_assets": (assets * rng.uniform(-0.2, 0.8, n)).round(-3),
            "financing_total": (rng.lognormal(15, 2, n) * (rng.random(n) < 0.4)).round(-3),
            "valuation": (rng.lognormal(18, 1.5, n)).round(-3),
            "ip_class1": rng.poisson(0.5, n).astype(float),
            "ip_class2": rng.poisson(3, n).astype(float),
            "conversions": rng.poisson(2, n).astype(float),
            "tech_sme_registered": rng.random(n) < 0.6,
            "provincial_tech_sme": rng.random(n) < 0.5,
            "hnte_certified_on": pl.Series([None] * n, dtype=pl.Date),
            "direct_confirmation": rng.random(n) < 0.1,
            "restricted_sector": rng.random(n) < 0.02,
            "clean_record": rng.random(n) < 0.98,
        }).with_columns(pl.col("revenue").fill_nan(None)))  # fmt: skip
    frame = pl.concat(frames, how="vertical_relaxed").cast(SCHEMA)  # type: ignore[arg-type]
    frame = frame.filter(pl.col("fiscal_year") >= pl.col("founded_on").dt.year()).sort("uscc", "fiscal_year")
    return frame.select(list(SCHEMA)).head(rows)
