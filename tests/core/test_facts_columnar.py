"""Validation in batches (rainforest.core.facts.columnar) is validate_rows, exactly: the same
problems in the same order, and for a good file the same typed rows, however the file is cut."""

import datetime as dt
import random

import polars as pl
import pytest

from rainforest.core import uscc
from rainforest.core.facts import stream
from rainforest.core.facts.columnar import SCHEMA, BatchValidator, SortedRuns, uscc_accepted
from rainforest.core.facts.reader import read_table
from rainforest.core.facts.schema import COLUMNS, Kind
from rainforest.core.facts.validate import validate_rows
from rainforest.core.policy import batch

TODAY = dt.date(2026, 11, 28)
CODES = [uscc.build("9", "1", "330106", f"{n:08d}") for n in range(40)]


def in_batches(path):
    facts = stream.open_facts(path)
    validator = BatchValidator(facts.header, TODAY)
    if validator.header_problems:
        return validator.header_problems, None
    problems, frames = [], []
    for rows in facts.batches:
        typed, found = validator.check(rows)
        problems += found
        frames.append(typed)
    return problems, (pl.concat(frames) if frames and not problems else None)


def at_once(path):
    sheet = read_table(path.read_bytes(), path.name)
    result = validate_rows(sheet.header, sheet.rows, TODAY)
    return result.problems, (batch.frame_from_rows(result.rows) if result.ok and result.rows else None)


def assert_same(path):
    (problems, typed), (expected, frame) = in_batches(path), at_once(path)
    assert problems == expected
    assert (typed is None) == (frame is None)
    if frame is not None:
        assert typed.equals(frame), path.read_text()


@pytest.fixture(params=[1 << 24, 600], ids=["one batch", "many batches"])
def blocks(request, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", request.param)
    monkeypatch.setattr(stream, "EXACT_BATCH", 2)


# cells of each kind: the first few are good, the rest each break a rule (or test its edge)
CELLS = {
    Kind.USCC: [*CODES[:3], CODES[3].lower(), "91330106ABC", CODES[4][:-1] + "0", "", "=x", "913301060000000I01"],
    Kind.TEXT: ["甲", "乙公司", " 丙 ", "", "a\tb", "x" * 201, "x" * 51, "-a", "@b", "控\x01", '"q"', "a\\b", "臺灣"],
    Kind.DATE: ["2020-01-01", "2024-02-29", "2023-02-29", "2999-01-01", "2026-11-28", "2026-11-29", "", "2020/1/1",
                "0000-01-01", "2020-01-01x"],
    Kind.YEAR: ["2020", "2024", "2025", "1948", "1949", "2027", "25", "", "２０２４", "-2024"],
    Kind.BOOL: ["true", "false", "TRUE", "False", "是", "否", "1", "0", "yes", "NO", "maybe", ""],
    Kind.INT: ["0", "7", "0042", "99999999", "100000000", "100000001", "-0", "-1", "1.0", "1e3", "", "０",
               "00000000000007"],
    Kind.MONEY: ["0", "1.5", "1.", ".5", "1E+3", "1e-2", "1.234", "1.230", "-5", "-0", "-0.00", "9999999999999.99",
                 "10000000000000", "0000000000000001", "", "NaN", "1_000", "12.30", "+1", "-1.5", "Infinity"],
    Kind.CODES: ["HZ296X.T.AI", "", " HZ296X.T.AI ; HZ296X.T.AI", "HZ296X.X.SPACE", "HZ296X.X.123", "HZ296X.T.FOO"],
}  # fmt: skip


def cell(column, rnd, good):
    values = CELLS.get(column.kind) or [*column.choices, "", "bad", column.choices[0].upper()]
    value = rnd.choice(values[:3] if good else values)
    return '"' + value.replace('"', '""') + '"' if any(ch in value for ch in ',"\n') else value


def test_random_files_give_the_same_problems(tmp_path, blocks):
    """Several problems to a row, short and long rows, repeated rows, across batch boundaries."""
    rnd = random.Random(2027)
    path = tmp_path / "facts.csv"
    for _ in range(25):
        columns = [c for c in COLUMNS if c.required or rnd.random() < 0.7]
        rnd.shuffle(columns)
        lines = [",".join(c.name for c in columns)]
        for _ in range(rnd.randint(1, 10)):
            cells = [cell(c, rnd, rnd.random() < 0.85) for c in columns]
            shape = rnd.random()
            if shape < 0.05:
                cells = cells[:-1]
            elif shape < 0.1:
                cells += ["", rnd.choice(["", "z"])]
            lines.append(",".join(cells))
            if rnd.random() < 0.1:
                lines.append(lines[-1])
        path.write_text("\n".join(lines) + "\n")
        assert_same(path)


def test_random_good_files_give_the_same_typed_rows(tmp_path, blocks):
    """Every form parse_cell accepts (upper-case booleans, 1E+3, -0, padded codes...) types as it does."""
    rnd = random.Random(2028)
    path = tmp_path / "facts.csv"
    loose = {Kind.TEXT: ["滨江区", "", " 西湖区 ", "a b"], Kind.DATE: ["", "2020-01-01", " 2023-03-01"],
             Kind.BOOL: ["true", "FALSE", "是", "否", "1", "no", ""],
             Kind.INT: ["0", "7", "0042", "", " 3 ", "99999999", "100000000", "-0", "000000000000009"],
             Kind.MONEY: ["0", "1.5", "1.", ".5", "1E+3", "-0", "9999999999999.99", "", "12.30", "0.1", "1e2"],
             Kind.CODES: ["HZ296X.T.AI", "", " HZ296X.T.AI ; HZ296X.T.AI", "HZ296X.X.SPACE;HZ296X.H.IC"]}  # fmt: skip
    for _ in range(20):
        columns = [c for c in COLUMNS if c.required or rnd.random() < 0.8]
        rnd.shuffle(columns)
        lines, seen = [",".join(c.name for c in columns)], set()
        for _ in range(rnd.randint(1, 20)):
            k, year = rnd.randrange(len(CODES)), rnd.randint(2000, 2025)
            if (k, year) in seen:
                continue
            seen.add((k, year))
            fixed = {"uscc": rnd.choice([CODES[k], CODES[k].lower(), " " + CODES[k]]), "name": f'"企业,{k}"',
                     "founded_on": f"19{80 + k % 19}-0{1 + k % 9}-1{k % 9}", "fiscal_year": str(year),
                     "employees": rnd.choice(["", "5", "0005"]), "tech_staff": rnd.choice(["", "0", "1"]),
                     "rd_staff": "1", "rd_expense": rnd.choice(["", "1", "1E+3"]), "rd_expense_domestic": "0.5",
                     "total_income": "1", "high_tech_income": rnd.choice(["", "0", "0.5"])}  # fmt: skip
            lines.append(",".join(
                fixed[c.name] if c.name in fixed else rnd.choice([*c.choices, ""] if c.choices else loose[c.kind])
                for c in columns
            ))  # fmt: skip
        path.write_text("\n".join(lines) + "\n")
        assert at_once(path)[1] is not None  # a good file
        assert_same(path)


def test_a_repeated_year_and_a_second_name_are_found_across_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", 64)
    header = "uscc,name,founded_on,fiscal_year"
    rows = [f"{CODES[k]},企业{k},2020-01-01,{2020 + y}" for y in range(3) for k in range(5)]
    rows += [f"{CODES[2]},企业2,2020-01-01,2021", f"{CODES[3]},别名,2020-01-01,2024"]
    rows += [f"{CODES[4]},企业4,2020-01-02,2025"]
    path = tmp_path / "facts.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    problems, _ = in_batches(path)
    assert [(p.row, p.code, p.params) for p in problems] == [
        (17, "duplicate", {"first": 9}), (18, "conflicting_identity", {"first": 5}),
        (19, "conflicting_identity", {"first": 6}),
    ]  # fmt: skip
    assert_same(path)


def test_codes_are_accepted_as_uscc_validate_accepts_them():
    rnd = random.Random(5)
    codes = [uscc.build("9", "1", "330106", f"{n:08d}") for n in range(500)]
    candidates = codes + [c[:-1] + rnd.choice(uscc.ALPHABET) for c in codes[:200]]
    candidates += ["", "x", "I" * 18, codes[0].lower(), codes[1] + "1", " " + codes[2]]
    accepted = uscc_accepted(pl.Series("uscc", candidates)).to_list()
    assert accepted == [uscc.is_valid(c) and uscc.normalise(c) == c for c in candidates]


def test_sorted_runs_find_what_was_added_in_any_batch():
    runs = SortedRuns({"first": pl.Int64})
    for start in range(0, 100, 7):
        keys = [f"k{n:03d}" for n in range(start, min(start + 7, 100))][::-1]
        runs.add(pl.DataFrame({"key": keys, "first": [int(k[1:]) for k in keys]}))
    assert len(runs.runs) < 8  # merged as they grow
    looked = runs.lookup(pl.Series(["k050", "k000", "k099", "nope", "k1000"]))
    assert looked.get_column("first").to_list() == [50, 0, 99, None, None]
    assert runs.keys().sort().to_list() == [f"k{n:03d}" for n in range(100)]


def test_the_typed_frame_is_the_evaluator_s():
    assert SCHEMA == batch.SCHEMA
