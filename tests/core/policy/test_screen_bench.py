"""`rainforest bench screen` measures what it says: a file the command accepts, the same records on
both sides, the command's own peak memory. (Its timings are the benchmark's business, not a test's.)"""

import datetime as dt
import json

from rainforest.core.policy import screen_bench
from rainforest.core.policy.batch import evaluate_frame
from rainforest.core.policy.screen import FileScreen
from tests.core.policy.helpers import RULES


def test_the_synthetic_file_is_a_valid_facts_file(tmp_path):
    path = tmp_path / "facts.csv"
    facts = screen_bench.write_facts(path, 2000, seed=3, last_year=2025)
    with FileScreen(path, dt.date(2026, 11, 28)) as run:
        assert not run.header_problems
        assert list(run.problems()) == []
        assert run.rows == facts.height == 2000


def test_the_floor_writes_the_same_records(tmp_path):
    facts = screen_bench.write_facts(tmp_path / "facts.csv", 600, seed=4, last_year=2025)
    result = evaluate_frame(RULES, facts, dt.date(2026, 11, 28), details=True)
    tiers = list(RULES.tiers)
    frame = screen_bench.records_frame(RULES, result, tiers)
    frame.write_ndjson(tmp_path / "floor.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "floor.jsonl").read_text().splitlines()]
    assert len(lines) == result.height == facts.get_column("uscc").n_unique()
    first = lines[0]
    assert list(first) == ["uscc", "name", "fiscal_year", "tiers"] and list(first["tiers"]) == tiers
    criteria = first["tiers"]["seed"]["criteria"]
    assert set(criteria[0]) == {"id", "result", "value", "threshold", "strictness", "source"}
    assert first["tiers"]["seed"]["verdict"] == result.get_column("seed")[0]


def test_a_run_reports_both_sides_and_the_child_s_memory(tmp_path):
    said = []
    measure = screen_bench.run(RULES, said.append, rows=300, repeat=1, seed=5, folder=tmp_path)
    assert measure.enterprises > 0 and len(measure.floor) == len(measure.screen) == 1
    # the command's own peak, not this process's: a Python with Django and polars loaded, well under 1 GiB
    assert 50 < measure.peak_mib[0] < screen_bench.TARGET_MIB
    report = "\n".join(said + screen_bench.lines(measure))
    assert "floor" in report and "ratio" in report and "peak memory" in report
