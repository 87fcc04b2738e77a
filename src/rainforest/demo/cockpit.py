"""The demo city's entered statistics for the cockpit: five years of each, marked as demo figures.

The platform cannot count these (R&D intensity, fiscal spending, industry growth); a bureau enters them
from the statistics it publishes. The two AI-industry growth rates for January–October 2025 are the
programme brief's own (policy-spec S0-C3); the other figures are illustrative values of the right
size for Hangzhou, not statistics, and every one is stored with ``demo=True`` so pages say so.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rainforest.accounts.permissions import Principal
from rainforest.cockpit.observations import observations_import

ACTOR = Principal.system("system:demo")
ILLUSTRATIVE = "演示数据（示意值，非统计数据）"
BRIEF = "杭州人工智能城市建设报道（2025年末）：1—10月人工智能核心产业营业收入增长26.3%、工业总产值增长22.4%"

# indicator -> [(period, value as typed: percentages as percentages, money in yuan)]
SERIES = {
    "rd_intensity": [("2021", "3.68"), ("2022", "3.86"), ("2023", "3.91"), ("2024", "4.02"), ("2025", "4.10")],
    "st_input": [
        ("2021", "240000000000"), ("2022", "265000000000"), ("2023", "290000000000"),
        ("2024", "315000000000"), ("2025", "335000000000"),
    ],
    "fiscal_st_growth": [("2021", "9.8"), ("2022", "7.5"), ("2023", "10.2"), ("2024", "8.6"), ("2025", "9.1")],
    "fiscal_revenue_growth": [("2021", "11.2"), ("2022", "2.4"), ("2023", "6.9"), ("2024", "4.1"), ("2025", "5.3")],
    "ai_core_revenue_growth": [("2022", "12.1"), ("2023", "15.4"), ("2024", "19.8")],
    "ai_core_output_growth": [("2022", "9.6"), ("2023", "13.0"), ("2024", "17.5")],
}  # fmt: skip
FROM_THE_BRIEF = {"ai_core_revenue_growth": ("2025-10", "26.3"), "ai_core_output_growth": ("2025-10", "22.4")}


def load_cockpit(today: dt.date | None = None) -> int:
    """Import the demo's statistics as one file, as an officer would; returns the rows imported."""
    today = today or timezone.localdate()
    header = "indicator,period,value,source_document,note"
    illustrative = [
        f"{code},{period},{value},{ILLUSTRATIVE},"
        for code, points in SERIES.items()
        for period, value in points
        if int(period[:4]) < today.year
    ]
    published = [
        f"{code},{period},{value},{BRIEF},1—10月累计"
        for code, (period, value) in FROM_THE_BRIEF.items()
        if (int(period[:4]), int(period[5:])) < (today.year, today.month)
    ]
    rows = 0
    for lines, demo in ((illustrative, True), (published, False)):
        if lines:
            data = ("\n".join([header, *lines]) + "\n").encode()
            rows += observations_import(actor=ACTOR, data=data, filename="demo.csv", demo=demo).rows
    return rows
