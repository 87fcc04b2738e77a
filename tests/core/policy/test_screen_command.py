import json

import pytest
from django.core.management import CommandError, call_command

from rainforest.core.facts.writer import to_csv
from tests.core.policy.helpers import BASE

pytestmark = pytest.mark.django_db


@pytest.fixture
def facts_file(tmp_path):
    rows = [{**BASE, "uscc": "91330106MA2B2Y6X2A", "name": "甲公司", "founded_on": "2023-03-01", "fiscal_year": y}
            for y in (2024, 2025)]  # fmt: skip
    import datetime as dt

    for r in rows:
        r["founded_on"] = dt.date(2023, 3, 1)
    path = tmp_path / "facts.csv"
    path.write_bytes(to_csv(rows))
    return path


def test_jsonl_records_follow_the_contract(facts_file, capsys):
    call_command("screen", str(facts_file), "--as-of", "2026-11-28")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"uscc", "name", "fiscal_year", "tiers"}
    assert record["fiscal_year"] == 2025
    assert set(record["tiers"]) == {"tech_sme", "seed", "good_seedling", "hnte", "young_eagle", "tech_leader",
                                    "fund_target"}  # fmt: skip
    seed = record["tiers"]["seed"]
    assert seed["verdict"] == "eligible"
    assert set(seed["criteria"][0]) == {"id", "result", "value", "threshold", "strictness", "source"}
    assert record["tiers"]["tech_sme"]["score"] == 20 + 50 + 30
    assert set(record["tiers"]["hnte"]["score"]) == {"min", "max"}


def test_tiers_and_csv_format(facts_file, tmp_path):
    out = tmp_path / "out.csv"
    call_command("screen", str(facts_file), "--tiers", "seed,fund_target", "--format", "csv", "-o", str(out))
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("uscc,name,fiscal_year,seed.verdict") and "hnte" not in header


def test_xlsx_needs_an_output_file(facts_file, tmp_path):
    with pytest.raises(CommandError, match="needs -o"):
        call_command("screen", str(facts_file), "--format", "xlsx")
    call_command("screen", str(facts_file), "--format", "xlsx", "-o", str(tmp_path / "o.xlsx"))
    assert (tmp_path / "o.xlsx").read_bytes().startswith(b"PK")


def test_bad_file_lists_every_problem_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("uscc,name,founded_on,fiscal_year,employees\n91350100M000100Y44,x,2020-01-01,2025,-1\n")
    with pytest.raises(CommandError, match="2 problem"):
        call_command("screen", str(bad))
    err = capsys.readouterr().err
    assert "uscc" in err and "employees" in err


def test_unknown_tier_and_bad_date_are_refused(facts_file):
    with pytest.raises(CommandError, match="unknown tier"):
        call_command("screen", str(facts_file), "--tiers", "unicorn")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("screen", str(facts_file), "--as-of", "28/11/2026")


def test_the_console_script_exits_non_zero_on_a_bad_file(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.csv"
    bad.write_text("")
    result = subprocess.run([sys.executable, "-m", "rainforest", "screen", str(bad)], capture_output=True, text=True,
                            env={**__import__("os").environ, "SECRET_KEY": "x" * 50,
                                 "RAINFOREST_VAR_DIR": str(tmp_path)})  # fmt: skip
    assert result.returncode != 0 and "problem" in result.stderr


def test_the_console_script_runs_without_any_configuration(facts_file, tmp_path):
    """Other tools call `rainforest screen` from anywhere: no SECRET_KEY, no database set up."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["RAINFOREST_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run([sys.executable, "-m", "rainforest", "screen", str(facts_file), "--tiers", "seed"],
                            capture_output=True, text=True, env=env, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"seed"' in result.stdout


# ---------------------------------------------------------------- not_in_force in every format (issue 17, item 4)


def test_jsonl_says_not_in_force_with_the_date(facts_file, capsys):
    call_command("screen", str(facts_file), "--as-of", "2025-11-28", "--tiers", "seed,fund_target,tech_sme")
    tiers = json.loads(capsys.readouterr().out)["tiers"]
    seed = tiers["seed"]
    assert seed["verdict"] == "not_in_force" and seed["in_force_from"] == "2025-11-29"
    assert {c["id"] for c in seed["criteria"]} >= {"RM-SEED-01"}  # still shown, for information
    assert tiers["fund_target"]["verdict"] != "not_in_force" and "in_force_from" not in tiers["fund_target"]
    assert set(tiers["tech_sme"]) == {"verdict", "score", "criteria"}  # tiers in force keep their shape
    call_command("screen", str(facts_file), "--as-of", "2025-11-29", "--tiers", "seed")
    assert json.loads(capsys.readouterr().out)["tiers"]["seed"]["verdict"] == "eligible"


def test_the_fund_is_not_in_force_before_its_launch(facts_file, capsys):
    call_command("screen", str(facts_file), "--as-of", "2025-11-17", "--tiers", "fund_target")
    fund = json.loads(capsys.readouterr().out)["tiers"]["fund_target"]
    assert (fund["verdict"], fund["in_force_from"]) == ("not_in_force", "2025-11-18")


def test_csv_says_not_in_force_with_the_date(facts_file, tmp_path):
    import csv

    out = tmp_path / "out.csv"
    call_command("screen", str(facts_file), "--as-of", "2025-11-28", "--tiers", "seed,tech_sme", "--format", "csv",
                 "-o", str(out))  # fmt: skip
    (row,) = csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
    assert list(row) == ["uscc", "name", "fiscal_year", "seed.verdict", "seed.not_passed", "tech_sme.verdict",
                         "tech_sme.score", "tech_sme.not_passed"]  # fmt: skip
    assert row["seed.verdict"] == "not_in_force" and row["seed.not_passed"] == "in_force_from:2025-11-29"
    assert row["tech_sme.verdict"] == "eligible"


def test_xlsx_says_not_in_force_with_the_date(facts_file, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    call_command("screen", str(facts_file), "--as-of", "2025-11-28", "--tiers", "good_seedling", "--format", "xlsx",
                 "-o", str(out))  # fmt: skip
    header, row = load_workbook(out).active.iter_rows(values_only=True)
    cells = dict(zip(header, row, strict=True))
    assert cells["good_seedling.verdict"] == "not_in_force"
    assert cells["good_seedling.not_passed"].startswith("in_force_from:2025-11-29")


def test_a_score_the_known_parts_decide_is_a_range_in_the_record(tmp_path, capsys):
    import datetime as dt

    rows = [{**BASE, "uscc": "91330106MA2B2Y6X2A", "name": "甲公司", "founded_on": dt.date(2023, 3, 1),
             "fiscal_year": 2025, "revenue": 0}]  # fmt: skip
    path = tmp_path / "facts.csv"
    path.write_bytes(to_csv(rows))
    call_command("screen", str(path), "--as-of", "2026-11-28", "--tiers", "tech_sme")
    tech_sme = json.loads(capsys.readouterr().out)["tiers"]["tech_sme"]
    assert tech_sme["score"] == {"min": 60, "max": 100} and tech_sme["verdict"] == "eligible"
    assert next(c for c in tech_sme["criteria"] if c["id"] == "TS-05")["result"] == "pass"
