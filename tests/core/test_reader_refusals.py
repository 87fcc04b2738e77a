"""Bad files that used to end in a traceback: each reader now refuses them with its problem list,
and each offline command exits 1 (CommandError) with every problem on standard error."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from rainforest.core.captable.deal import DealError, parse
from rainforest.core.captable.ocf import OcfError, export_package, import_package
from rainforest.core.captable.table import CapTable, Event
from rainforest.core.facts.reader import read_table
from rainforest.core.facts.schema import BY_NAME
from rainforest.core.facts.validate import INT_LIMIT, parse_cell, validate_rows
from rainforest.core.matching.items import ItemsError, read_items
from rainforest.core.uscc import build

TODAY = dt.date(2026, 6, 30)
USCC = build("9", "1", "330108", "10000001")
HEADER = "uscc,name,founded_on,fiscal_year,employees,tech_staff,revenue,district\n"


def problems_of(text: str):
    sheet = read_table(text.encode())
    return validate_rows(sheet.header, sheet.rows, TODAY).problems


# 1. facts: integers beyond the database column, rows shorter than the header ------------------


@pytest.mark.parametrize("value", ["3000000000", "2147483648", str(INT_LIMIT + 1), "9" * 5000])
def test_an_integer_too_large_for_the_database_is_a_cell_problem(value):
    problems = problems_of(HEADER + f"{USCC},杭州甲科技有限公司,2022-03-01,2025,{value},,,\n")
    assert [(p.row, p.column, p.value, p.code) for p in problems] == [(2, "employees", value, "int_too_large")]


def test_the_integer_limit_fits_a_postgresql_integer():
    assert parse_cell(BY_NAME["employees"], str(INT_LIMIT), TODAY)[1] is None
    assert INT_LIMIT <= 2_147_483_647


@pytest.mark.parametrize("value", ["1_000", "１２", "٣", "²", "1.0", "1e3", " 5x"])
def test_integers_are_plain_ascii_digits(value):
    assert parse_cell(BY_NAME["employees"], value, TODAY)[1] == "int_format"


@pytest.mark.parametrize("value", ["²⁰²⁴", "２０２５", "٢٠٢٥", "20251"])
def test_a_year_in_other_digits_is_a_cell_problem_not_a_traceback(value):
    assert parse_cell(BY_NAME["fiscal_year"], value, TODAY)[1] == "year_format"


def test_a_row_shorter_than_the_header_is_refused_as_a_row_problem():
    problems = problems_of(HEADER + f"{USCC},杭州甲科技有限公司,2022-03-01,2025,20\n")
    assert [(p.row, p.code, p.params) for p in problems] == [(2, "short_row", {"cells": 5, "columns": 8})]


def test_a_row_longer_than_the_header_is_refused():
    problems = problems_of(HEADER + f"{USCC},杭州甲科技有限公司,2022-03-01,2025,20,8,1,滨江区,surplus\n")
    assert [(p.row, p.code) for p in problems] == [(2, "extra_cells")]


def test_an_xlsx_row_with_cells_beyond_the_header_is_refused_not_cut():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["uscc", "name", "founded_on", "fiscal_year"])
    book.active.append([USCC, "杭州甲科技有限公司", "2022-03-01", 2025, "lost value"])
    out = io.BytesIO()
    book.save(out)
    sheet = read_table(out.getvalue(), "a.xlsx")
    assert [p.code for p in validate_rows(sheet.header, sheet.rows, TODAY).problems] == ["extra_cells"]


def test_text_with_control_characters_and_overlong_industries_are_refused():
    assert parse_cell(BY_NAME["name"], "杭州\x00甲", TODAY)[1] == "control_chars"
    codes = ";".join(f"HZ296X.X.CODE{i}" for i in range(40))
    assert parse_cell(BY_NAME["industries"], codes, TODAY)[1:] == ("too_long", {"limit": 300})


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_screen_exits_1_with_the_problems_of_a_bad_file(tmp_path):
    path = _write(tmp_path, "f.csv", (HEADER + f"{USCC},杭州甲科技有限公司,2022-03-01,2025,3000000000\n").encode())
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("screen", path, stdout=io.StringIO(), stderr=err)
    assert "row 2" in err.getvalue()


@pytest.mark.parametrize("data", [b"PK\x03\x04 not a workbook", b"\xff\xfe\x00\x00", b"a,b\n" + b"x" * 200_000])
def test_screen_refuses_unreadable_files_with_exit_1(tmp_path, data):
    with pytest.raises(CommandError):
        call_command("screen", _write(tmp_path, "f.csv", data), stdout=io.StringIO(), stderr=io.StringIO())


# 2. match CSVs: a field over the csv module's 128 KiB limit ---------------------------------


def test_a_field_over_128_kib_is_a_listed_problem(tmp_path):
    path = _write(tmp_path, "c.csv", f"id,title,description\n1,t,ok\n2,t,{'长' * 140_000}\n".encode())
    with pytest.raises(ItemsError, match="line 3: a field is longer than 128 KiB"):
        read_items(path)


def test_match_exits_1_on_a_huge_field(tmp_path):
    good = _write(tmp_path, "s.csv", b"id,title,description\n1,t,d\n")
    bad = _write(tmp_path, "c.csv", b"id,title,description\n1,t," + b"x" * 200_000 + b"\n")
    with pytest.raises(CommandError, match="128 KiB"):
        call_command("match", "--scenarios", good, "--capabilities", bad, stdout=io.StringIO())


def test_a_header_field_over_the_limit_and_nul_bytes_are_listed(tmp_path):
    with pytest.raises(ItemsError, match="line 1"):
        read_items(_write(tmp_path, "a.csv", b"id,title," + b"d" * 200_000 + b"\n"))
    with pytest.raises(ItemsError, match="NUL"):
        read_items(_write(tmp_path, "b.csv", b"id,title,description\n1,\x00,x\n"))


# 3. deal JSON: wrong shapes, huge numbers, deep nesting -------------------------------------

DEAL = {
    "as_of": "2026-11-28",
    "company": {"uscc": "91330106MA2KXXXX05", "name": "杭州测试科技有限公司", "founded_on": "2023-05-01",
                "fiscal_year": 2025},
    "holders": [{"name": "Founder A", "shares": 6_000_000}],
    "round": {"pre_money": 40_000_000, "investors": [{"name": "润苗基金", "amount": 4_000_000, "is_fund": True}]},
}  # fmt: skip


@pytest.mark.parametrize(
    "over, expected",
    [
        ({"round": "x"}, "round: an object"),
        ({"holders": 5}, "holders: a list of objects"),
        ({"holders": ["A", 7]}, "holders[0]: an object is required"),
        ({"holders": [{"name": ["A"], "shares": 1}]}, "name must be text"),
        ({"holders": [{"name": "A", "shares": {"n": 1}}]}, "not a number (an object)"),
        ({"holders": [{"name": "A", "shares": 10**400}]}, "too large"),
        ({"holders": [{"name": "A", "shares": "1e400"}]}, "too large"),
        ({"holders": [{"name": "A", "shares": "1e-99999999"}]}, "decimals"),
        ({"round": {"pre_money": 1e308, "investors": []}}, "too large"),
        ({"round": {"pre_money": "Infinity", "investors": []}}, "not a number"),
        ({"round": {"pre_money": float("nan"), "investors": []}}, "not a number"),
        ({"convertibles": [{"amount": 1, "interest_rate": "abc"}]}, "interest_rate: not a number"),
        ({"convertibles": [{"amount": 1, "discount": 500}]}, "too large"),
        ({"convertibles": [{"amount": 1, "kind": ["x"]}]}, "kind: safe or note"),
        ({"company": {"uscc": [[[]]]}}, "company.uscc: a single value"),
        ({"as_of": ["2026-01-01"]}, "as_of"),
    ],
)
def test_a_deal_of_the_wrong_shape_lists_the_reason(over, expected):
    with pytest.raises(DealError) as err:
        parse({**DEAL, **over})
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_every_reason_is_listed_at_once():
    with pytest.raises(DealError) as err:
        parse({"as_of": 5, "company": 1, "holders": 5, "round": "x"})
    assert len(err.value.problems) >= 4


def test_a_deeply_nested_value_is_refused_without_walking_it():
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(DealError):
        parse({**DEAL, "holders": [{"name": "A", "shares": nested}], "company": {"name": nested}})


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"holders": [{"name": "A", "shares": ' + "9" * 5000 + "}]}", "\xff"],
)
def test_fund_check_exits_1_on_json_it_cannot_read(tmp_path, text):
    path = _write(tmp_path, "deal.json", text.encode("utf-8", "surrogatepass") if text != "\xff" else b"\xff{")
    with pytest.raises(CommandError):
        call_command("fund", "check", path, stdout=io.StringIO(), stderr=io.StringIO())


def test_fund_check_exits_1_listing_every_reason(tmp_path):
    path = _write(tmp_path, "deal.json", json.dumps({**DEAL, "round": "x", "holders": 5}).encode())
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("fund", "check", path, stdout=io.StringIO(), stderr=err)
    assert "round:" in err.getvalue() and "holders:" in err.getvalue()


# 4. OCF packages ----------------------------------------------------------------------------


def package(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members.items():
            z.writestr(name.replace("__", "."), body if isinstance(body, bytes | str) else json.dumps(body))
    return out.getvalue()


def good_package() -> dict:
    t = CapTable()
    t.apply(Event(dt.date(2023, 1, 1), "issue", "创始人甲", 1000))
    t.apply(Event(dt.date(2024, 1, 1), "transfer", "创始人甲", 100, to="天使"))
    z = zipfile.ZipFile(io.BytesIO(export_package(t, issuer={"legal_name": "X"}, as_of=dt.date(2025, 1, 1))))
    return {name: json.loads(z.read(name)) for name in z.namelist()}


def repack(files: dict, *, md5: bool = False) -> bytes:
    """The files as a package, the manifest's md5 sums dropped unless kept (so edits still load)."""
    manifest = json.loads(json.dumps(files["Manifest.ocf.json"]))
    for key in ("stakeholders_files", "stock_classes_files", "stock_plans_files", "transactions_files"):
        for ref in manifest.get(key, []) if isinstance(manifest.get(key), list) else []:
            if not md5 and isinstance(ref, dict):
                ref.pop("md5", None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("Manifest.ocf.json", json.dumps(manifest))
        for name, body in files.items():
            if name != "Manifest.ocf.json":
                z.writestr(name, json.dumps(body, ensure_ascii=False, indent=1).encode())
    return out.getvalue()


def tx(files):
    return files["transactions.ocf.json"]["items"]


def refused(data: bytes) -> list[str]:
    with pytest.raises(OcfError) as err:
        import_package(data)
    return err.value.problems


def test_the_fixture_package_loads():
    table, _issuer = import_package(repack(good_package()))
    assert table.at(dt.date(2025, 1, 1)) == {"创始人甲": 900, "天使": 100}


def test_not_a_zip_and_a_zip_without_manifest():
    assert "not a zip" in refused(b"hello")[0]
    assert "Manifest.ocf.json is missing" in refused(package(other__json="{}"))[0]


@pytest.mark.parametrize("manifest", [b"{not json", b"[1, 2]", b'"text"', b"[" * 50_000, b"\xff\xfe"])
def test_a_manifest_that_is_not_a_json_object(manifest):
    assert refused(package(Manifest__ocf__json=manifest))


def test_a_referenced_file_that_is_missing():
    files = good_package()
    del files["stakeholders.ocf.json"]
    assert any("stakeholders.ocf.json is missing" in p for p in refused(repack(files)))


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda f: f.__setitem__("transactions.ocf.json", [1, 2]), "a list of items"),
        (lambda f: f["transactions.ocf.json"].__setitem__("items", {"a": 1}), "a list of items"),
        (lambda f: tx(f).append([1]), "not an object"),
        (lambda f: tx(f)[0].__setitem__("quantity", "many"), "not an OCF Numeric"),
        (lambda f: tx(f)[0].__setitem__("quantity", 1.5), "not an OCF Numeric"),
        (lambda f: tx(f)[0].__setitem__("quantity", "-5"), "more than zero"),
        (lambda f: tx(f)[0].__setitem__("quantity", "1" + "0" * 30), "implausibly large"),
        (lambda f: tx(f)[0].__setitem__("quantity", "10.5"), "not a whole number"),
        (lambda f: tx(f)[0].__setitem__("date", 20230101), "not a date"),
        (lambda f: tx(f)[0].__setitem__("share_price", "1.00"), "share_price"),
        (lambda f: tx(f)[0].__setitem__("stakeholder_id", ["sh-0001"]), "stakeholder_id must be"),
        (lambda f: tx(f)[1].__setitem__("resulting_security_ids", "CS"), "resulting_security_ids"),
        (lambda f: tx(f)[1].__setitem__("resulting_security_ids", []), "resulting_security_ids"),
        (lambda f: f["stakeholders.ocf.json"]["items"][0].__setitem__("name", "创始人甲"), "legal_name"),
        (lambda f: tx(f).append(dict(tx(f)[0])), "repeats an earlier transaction"),
        (lambda f: f["stakeholders.ocf.json"]["items"].append(f["stakeholders.ocf.json"]["items"][0]), "repeats"),
        (lambda f: tx(f)[0].__setitem__("stakeholder_id", "sh-9999"), "unknown stakeholder sh-9999"),
        (lambda f: f["Manifest.ocf.json"].__setitem__("issuer", "X"), "issuer must be an object"),
        (lambda f: f["Manifest.ocf.json"].__setitem__("comments", [{"a": 1}]), "comments"),
        (lambda f: f["Manifest.ocf.json"].__setitem__("transactions_files", {"a": 1}), "must be a list"),
        (lambda f: f["Manifest.ocf.json"].__setitem__("transactions_files", ["x"]), "file reference"),
    ],
)
def test_a_package_with_wrong_types_or_absurd_numbers_is_refused(edit, expected):
    files = good_package()
    edit(files)
    problems = refused(repack(files))
    assert any(expected in p for p in problems), problems


def test_an_md5_mismatch_is_refused():
    files = good_package()
    data = repack(files, md5=True)
    assert import_package(data)  # untouched, the sums match
    tx(files)[0]["custom_id"] = "changed"
    assert any("md5 does not match" in p for p in refused(repack(files, md5=True)))


def test_an_ocf_package_refused_by_the_page_shows_its_problems_as_messages():
    """fund/views.py's OCF import runs through page_actions.attempt: the service turns OcfError into
    a ValidationError, whose messages are the problems (no traceback, nothing saved)."""
    from django.core.exceptions import ValidationError

    try:
        import_package(b"hello")
    except OcfError as exc:
        assert ValidationError(exc.problems).messages == exc.problems
