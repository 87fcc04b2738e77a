"""Fuzzing as tests: every file reader, fed arbitrary bytes and near-valid files, either gives valid
output or raises its documented refusal listing problems — never any other exception.

Readers: facts CSV (UTF-8, BOM, GB18030) and XLSX (reader.ReadError / validate problems), the match
CSVs (items.ItemsError), deal JSON (deal.DealError), OCF packages (ocf.OcfError). The registry
import with a database is in tests/registry/test_fuzz_import.py. Examples are bounded so that the
whole file runs in well under a minute; deadline=None because the first XLSX is slow to import.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rainforest.core.captable.deal import MAX_MONEY, MAX_UNITS, DealError, check, parse
from rainforest.core.captable.ocf import OcfError, export_package, import_package
from rainforest.core.captable.table import CapTable, Event
from rainforest.core.facts.reader import ReadError, read_table
from rainforest.core.facts.schema import BY_NAME, NAMES, REQUIRED, Kind
from rainforest.core.facts.validate import INT_LIMIT, MONEY_LIMIT, validate_rows
from rainforest.core.matching.items import ItemsError, read_items
from rainforest.core.uscc import build
from rainforest.registry.problems import MESSAGES

TODAY = dt.date(2026, 6, 30)
# The same examples on every run, so CI is reproducible; RAINFOREST_FUZZ_RANDOM=1 searches anew.
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not os.environ.get("RAINFOREST_FUZZ_RANDOM"),
)


def fuzz(examples: int):
    """Bounded for the suite; RAINFOREST_FUZZ_SCALE=50 runs fifty times as many, for a deeper search."""
    return settings(FUZZ, max_examples=examples * int(os.environ.get("RAINFOREST_FUZZ_SCALE", "1")))


# --- strategies -------------------------------------------------------------------------------

codes = st.integers(0, 99_999_999).map(lambda n: build("9", "1", "330108", f"{n:08d}"))
NEAR_LIMITS = [
    "", "0", "-0", "-1", "1", "20", str(INT_LIMIT), str(INT_LIMIT + 1), "2147483647", "2147483648",
    "3000000000", "9" * 40, "9" * 5000, "1e400", "1E+999999999", "NaN", "sNaN", "Infinity", "-Infinity",
    "1_000", "１２", "٣", "²", "1.5", "0.001", "9999999999999999.99", "10000000000000000", "-5000000",
    "0E-2", "1E+5", "0." + "0" * 60 + "1", "true", "否", "2024-02-30", "2025-01-01", "9999-12-31", "2025",
    "1948", "²⁰²⁴", "=1+1", "+1", "@x", "\t1", "HZ296X.T.AI", "HZ296X.X.ABC;HZ296X.H.IC",
    ";".join(f"HZ296X.X.C{i}" for i in range(40)), "F1", "seed", "x" * 300, "杭州甲科技有限公司",
    "a\x00b", "a\x07b", "名\u200b称", "\u3000",
]  # fmt: skip
cells = st.one_of(
    st.sampled_from(NEAR_LIMITS),
    codes,
    st.text(max_size=20),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(dt.date.isoformat),
)
OPTIONAL = [n for n in NAMES if n not in REQUIRED]


@st.composite
def headers(draw):
    header = list(REQUIRED) + draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=10))
    header = draw(st.permutations(header))
    if draw(st.integers(0, 9)) == 0:  # now and then an unknown or repeated column
        header.append(draw(st.sampled_from(["junk", "uscc", "", "Employees"])))
    return header


def valid_cells(name: str):
    """Values the column accepts, up to its limits: most rows of a near-valid file are valid."""
    col = BY_NAME.get(name)
    if col is None:
        return st.just("")
    money_max = MONEY_LIMIT - Decimal("0.01")
    return {
        Kind.USCC: codes,
        Kind.TEXT: st.text(st.sampled_from("杭州甲乙丙科技有限公司 AB1"), min_size=1, max_size=50),
        Kind.DATE: st.dates(dt.date(1990, 1, 1), dt.date(2020, 1, 1)).map(dt.date.isoformat),
        Kind.YEAR: st.integers(2020, TODAY.year).map(str),
        Kind.BOOL: st.sampled_from(["true", "false", "是", "否", "1", "0", ""]),
        Kind.INT: st.one_of(st.integers(0, INT_LIMIT).map(str), st.sampled_from(["0", str(INT_LIMIT), ""])),
        Kind.MONEY: st.one_of(
            st.decimals(-money_max if col.signed else 0, money_max, places=2).map(str),
            st.sampled_from([str(money_max), "0", "1E+5", ""]),
        ),
        Kind.CHOICE: st.sampled_from([*col.choices, ""]),
        Kind.CODES: st.sampled_from(["HZ296X.T.AI", "HZ296X.H.IC;HZ296X.X.NEW_THING", ""]),
    }[col.kind]


@st.composite
def tables(draw, cell=cells, valid_share: int = 0):
    """A header and rows of cells; with ``valid_share`` (out of 10) most cells are valid for their column."""
    header = draw(headers())
    n = len(header)
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        if valid_share and draw(st.integers(0, 9)) < valid_share:
            row = [draw(valid_cells(h) if draw(st.integers(0, 19)) else cell) for h in header]
        else:
            row = draw(st.lists(cell, min_size=max(0, n - 1), max_size=n + 1))
        rows.append(row)
    return header, rows


def as_csv(header, rows) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def assert_valid_or_problems(result) -> None:
    """The validator's contract: all rows, typed and within the database's bounds, or problems only."""
    if not result.ok:
        assert result.rows == []
        for p in result.problems:
            assert p.code in MESSAGES or p.code.startswith("uscc_"), p.code
            assert isinstance(p.row, int) and isinstance(p.column, str) and isinstance(p.value, str)
        return
    for row in result.rows:
        for name in NAMES:
            value, kind = row[name], BY_NAME[name].kind
            if value is None:
                continue
            if kind is Kind.INT:
                assert type(value) is int and 0 <= value <= INT_LIMIT
            elif kind is Kind.YEAR:
                assert 1949 <= value <= TODAY.year
            elif kind is Kind.MONEY:
                assert isinstance(value, Decimal) and value.is_finite() and abs(value) < MONEY_LIMIT
                assert value.as_tuple().exponent >= -2
            elif kind is Kind.TEXT:
                assert len(value) <= 200 and "\x00" not in value
            elif kind is Kind.CODES:
                assert len(value) <= 300


def read_and_validate(data: bytes, filename: str = "") -> None:
    try:
        sheet = read_table(data, filename)
    except ReadError as exc:
        assert f"file_{exc.code}" in MESSAGES
        return
    assert all(isinstance(h, str) for h in sheet.header)
    assert_valid_or_problems(validate_rows(sheet.header, sheet.rows, TODAY))


# --- facts: CSV and XLSX ----------------------------------------------------------------------


@fuzz(150)
@given(data=st.binary(max_size=400), xlsx_name=st.booleans())
def test_facts_reader_on_arbitrary_bytes(data, xlsx_name):
    read_and_validate(data, "f.xlsx" if xlsx_name else "f.csv")
    read_and_validate(b"PK\x03\x04" + data)


@fuzz(200)
@given(table=tables(valid_share=7), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_facts_csv_near_valid_in_every_encoding(table, encoding):
    read_and_validate(as_csv(*table).encode(encoding))


def test_a_field_over_the_csv_limit_is_a_format_refusal():
    read_and_validate(("uscc,name,founded_on,fiscal_year\n1," + "x" * 200_000 + ",2020-01-01,2025\n").encode())


xlsx_cells = st.one_of(
    cells.filter(lambda s: not any(ord(c) < 32 for c in s)),  # openpyxl cannot write control characters
    st.none(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(2100, 1, 1)),
)


@fuzz(25)
@given(table=tables(cell=xlsx_cells, valid_share=5))
def test_facts_xlsx_near_valid(table):
    from openpyxl import Workbook

    header, rows = table
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    read_and_validate(out.getvalue(), "f.xlsx")


@fuzz(40)
@given(members=st.dictionaries(
    st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels",
                     "_rels/.rels", "xl/sharedStrings.xml"]),
    st.one_of(st.binary(max_size=200), st.just(b"<?xml version='1.0'?><a/>")), max_size=6,
))  # fmt: skip
def test_facts_xlsx_from_zips_of_random_parts(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members.items():
            z.writestr(name, body)
    read_and_validate(out.getvalue(), "f.xlsx")


# --- match CSVs -------------------------------------------------------------------------------

item_cells = st.one_of(st.text(max_size=30), st.sampled_from(["", "1", "1", "x" * 140_000, "\x00", '"', "\r"]))


def read_items_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.csv"
        path.write_bytes(data)
        try:
            docs = read_items(path)
        except ItemsError as exc:
            assert str(exc).startswith(str(path))
            return None
    assert len({d.id for d in docs}) == len(docs) and all(d.id for d in docs)
    return docs


@fuzz(100)
@given(data=st.binary(max_size=400))
def test_match_items_on_arbitrary_bytes(data):
    read_items_bytes(data)


@fuzz(100)
@given(
    header=st.permutations(["id", "title", "description", "domain"]).flatmap(
        lambda h: st.lists(st.sampled_from([*h, "ID", "other", ""]), min_size=0, max_size=5)
    ),
    rows=st.lists(st.lists(item_cells, max_size=5), max_size=5),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_match_items_near_valid(header, rows, encoding):
    read_items_bytes(as_csv(header, rows).encode(encoding))


# --- deal JSON --------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.sampled_from([10**400, -(10**400), 2**63, "1e400", "1e-99999", "-0", "NaN", "1,000", "", " 5 ", 0, 1, 100]),
)  # fmt: skip
json_trees = st.recursive(
    json_scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12,
)  # fmt: skip
DEAL = {
    "as_of": "2026-11-28",
    "company": {"uscc": "91330106MA2KXXXX05", "name": "杭州测试科技有限公司", "founded_on": "2023-05-01",
                "fiscal_year": 2025, "employees": 30, "industries": "HZ296X.H.ROBOT"},
    "holders": [{"name": "Founder A", "shares": 6_000_000}, {"name": "Founder B", "shares": 3_000_000}],
    "options_outstanding": 0, "pool_unallocated": 1_000_000, "pool_top_up_post_pct": 0,
    "round": {"pre_money": 40_000_000, "investors": [{"name": "润苗基金", "amount": 4_000_000, "is_fund": True},
                                                      {"name": "VC", "amount": 6_000_000}]},
    "convertibles": [{"holder": "SAFE", "amount": 500_000, "cap": 20_000_000, "discount": 0.2,
                      "issued_on": "2025-01-01", "kind": "note", "interest_rate": 0.05}],
}  # fmt: skip
DEAL_PATHS = [
    (), ("as_of",), ("company",), ("company", "employees"), ("company", "name"), ("company", "industries"),
    ("holders",), ("holders", 0), ("holders", 0, "name"), ("holders", 0, "shares"), ("holders", 1, "city_fund"),
    ("options_outstanding",), ("pool_unallocated",), ("pool_top_up_post_pct",), ("round",), ("round", "pre_money"),
    ("round", "investors"), ("round", "investors", 0), ("round", "investors", 0, "amount"),
    ("round", "investors", 1, "name"), ("convertibles",), ("convertibles", 0), ("convertibles", 0, "amount"),
    ("convertibles", 0, "cap"), ("convertibles", 0, "discount"), ("convertibles", 0, "interest_rate"),
    ("convertibles", 0, "issued_on"), ("convertibles", 0, "cap_basis"), ("convertibles", 0, "kind"),
]  # fmt: skip


def _set(tree, path, value):
    if not path:
        return value
    node = tree
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return tree


@st.composite
def near_valid_deals(draw):
    deal = copy.deepcopy(DEAL)
    for path in draw(st.lists(st.sampled_from(DEAL_PATHS), max_size=3)):
        try:
            deal = _set(deal, path, draw(json_trees))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed the place
    return deal


def no_company_check(company, as_of, pre_money):
    return []


def check_or_refuse(deal) -> None:
    try:
        report = check(deal, no_company_check)
    except DealError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
        return
    assert report["verdict"] in {"eligible", "review", "ineligible", "unknown"}
    assert 0 < report["round"]["fd_post"]


@fuzz(250)
@given(deal=near_valid_deals())
def test_deal_near_valid(deal):
    check_or_refuse(deal)


@fuzz(100)
@given(deal=json_trees)
def test_deal_arbitrary_json(deal):
    check_or_refuse(deal)


@fuzz(100)
@given(shares=st.integers(0, 2 * MAX_UNITS), money=st.integers(0, 2 * MAX_MONEY), pct=st.floats(0, 200))
def test_deal_numbers_at_and_beyond_the_limits(shares, money, pct):
    deal = copy.deepcopy(DEAL)
    deal["holders"][0]["shares"] = shares
    deal["round"]["pre_money"] = money
    deal["round"]["investors"][0]["amount"] = money
    deal["pool_top_up_post_pct"] = pct
    check_or_refuse(deal)


def test_the_real_company_criteria_refuse_a_wrong_company_with_their_own_exception():
    from rainforest.fund.company import CompanyFactsInvalid, company_criteria

    for company in ({"uscc": 5}, {"employees": 10**400}, {"name": "x\x00"}, {"industries": ["a", "b"]}, {}):
        try:
            check({**DEAL, "company": {**DEAL["company"], **company}}, company_criteria)
        except (DealError, CompanyFactsInvalid) as exc:
            assert exc.problems


# --- OCF packages -----------------------------------------------------------------------------


def _table() -> CapTable:
    t = CapTable()
    for e in [
        Event(dt.date(2023, 1, 1), "issue", "创始人甲", 1_000_000),
        Event(dt.date(2024, 1, 1), "pool", units=100_000),
        Event(dt.date(2024, 6, 1), "transfer", "创始人甲", 200_000, to="天使"),
        Event(dt.date(2024, 7, 1), "grant", units=40_000),
        Event(dt.date(2025, 1, 1), "exercise", "员工A", 10_000),
        Event(dt.date(2025, 2, 1), "cancel", "创始人甲", 50_000),
    ]:
        t.apply(e)
    return t


_PACKAGE = zipfile.ZipFile(
    io.BytesIO(export_package(_table(), issuer={"legal_name": "X"}, as_of=dt.date(2025, 12, 31)))
)
OCF_FILES = {name: json.loads(_PACKAGE.read(name)) for name in _PACKAGE.namelist()}


def pack(files: dict, raw: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, json.dumps(body, ensure_ascii=False))
        for name, blob in (raw or {}).items():
            z.writestr(name, blob)
    return out.getvalue()


def import_or_refuse(data: bytes) -> None:
    try:
        table, issuer = import_package(data)
    except OcfError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
        return
    assert isinstance(issuer, dict) and table.unit in {"shares", "registered_capital_cny"}
    for e in table.events:
        assert 0 < e.units <= 10**15 and len(e.holder) <= 200 and len(e.to) <= 200 and len(e.price) <= 40
    table.at(dt.date.max)


@fuzz(100)
@given(data=st.binary(max_size=300), zip_magic=st.booleans())
def test_ocf_arbitrary_bytes(data, zip_magic):
    import_or_refuse((b"PK\x03\x04" if zip_magic else b"") + data)


ocf_names = st.sampled_from(["Manifest.ocf.json", "stakeholders.ocf.json", "stock_classes.ocf.json",
                             "stock_plans.ocf.json", "transactions.ocf.json", "other.json"])  # fmt: skip


@fuzz(100)
@given(members=st.dictionaries(ocf_names, st.one_of(json_trees.map(json.dumps), st.binary(max_size=50)), max_size=5))
def test_ocf_zips_of_random_members(members):
    import_or_refuse(pack({}, members))


@st.composite
def mutated_packages(draw):
    files = copy.deepcopy(OCF_FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        body = files[name]
        if name == "Manifest.ocf.json" or not body.get("items"):
            target = body
        else:
            target = draw(st.sampled_from(body["items"]))
        key = draw(st.sampled_from(sorted(target)))
        action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete":
            del target[key]
        elif action == "duplicate" and target is not body:
            body["items"].append(copy.deepcopy(target))
        else:
            target[key] = draw(
                st.one_of(json_trees, st.sampled_from(["-5", "0", "1" + "0" * 30, "1.5", "x", "", "sh-9999", []]))
            )
    if draw(st.booleans()):  # keep the manifest's md5 sums, which the change now contradicts
        return pack(files)
    for key in ("stakeholders_files", "stock_classes_files", "stock_plans_files", "transactions_files"):
        refs = files["Manifest.ocf.json"].get(key)
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict):
                ref.pop("md5", None)
    return pack(files)


@fuzz(200)
@given(data=mutated_packages())
def test_ocf_mutated_packages(data):
    import_or_refuse(data)


def test_the_unmutated_package_still_loads():
    files = copy.deepcopy(OCF_FILES)
    for key in ("stakeholders_files", "stock_classes_files", "stock_plans_files", "transactions_files"):
        files["Manifest.ocf.json"][key][0].pop("md5")
    table, _ = import_package(pack(files))
    assert table.at(dt.date(2025, 12, 31)) == _table().at(dt.date(2025, 12, 31))


def test_parse_of_the_base_deal_is_valid():
    assert parse(copy.deepcopy(DEAL))[0] == dt.date(2026, 11, 28)
