import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from rainforest.core.facts.reader import read_table
from rainforest.core.facts.validate import validate_rows
from rainforest.core.facts.writer import defuse, to_csv, to_xlsx

ROW = {
    "uscc": "91350100M000100Y43", "name": "杭州甲科技有限公司", "founded_on": dt.date(2022, 3, 1),
    "fiscal_year": 2025, "revenue": Decimal("1000000.50"), "net_assets": Decimal("-20"),
    "registered_in_hangzhou": True, "employees": None,
}  # fmt: skip


def test_formula_cells_are_defused_but_negative_numbers_are_not():
    assert defuse("=SUM(A1:A2)") == "'=SUM(A1:A2)"
    assert defuse("@cmd") == "'@cmd"
    assert defuse("-20") == "-20"
    assert defuse("-x") == "'-x"


def test_csv_round_trip_through_the_importer():
    sheet = read_table(to_csv([ROW]))
    result = validate_rows(sheet.header, sheet.rows, dt.date(2026, 11, 28))
    assert result.ok
    back = result.rows[0]
    assert back["revenue"] == Decimal("1000000.50")
    assert back["net_assets"] == Decimal("-20")
    assert back["employees"] is None


def test_xlsx_cells_are_never_formulas():
    data = to_xlsx([{**ROW, "name": "=cmd|' /C calc'!A0"}])
    ws = load_workbook(io.BytesIO(data)).active
    cells = [c for r in ws.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == "'=cmd|' /C calc'!A0" for c in cells)
