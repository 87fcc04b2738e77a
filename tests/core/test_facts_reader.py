import io

import pytest
from openpyxl import Workbook

from rainforest.core.facts.reader import MAX_BYTES, ReadError, read_table

CSV = "uscc,name,founded_on,fiscal_year\n91350100M000100Y43,杭州甲科技有限公司,2022-03-01,2025\n"


def test_utf8_utf8_bom_and_gb18030_read_the_same():
    for data in (CSV.encode("utf-8"), CSV.encode("utf-8-sig"), CSV.encode("gb18030")):
        sheet = read_table(data)
        assert sheet.header == ["uscc", "name", "founded_on", "fiscal_year"]
        assert sheet.rows[0][1] == "杭州甲科技有限公司"


def test_empty_file_is_refused():
    for data in (b"", b"   \n\n"):
        with pytest.raises(ReadError) as err:
            read_table(data)
        assert err.value.code == "empty"


def test_wrong_encoding_is_refused():
    with pytest.raises(ReadError) as err:
        read_table(CSV.encode("utf-16"))
    assert err.value.code == "encoding"


def test_file_over_the_limit_is_refused():
    with pytest.raises(ReadError) as err:
        read_table(b"a" * (50 * 1024 * 1024))
    assert err.value.code == "too_large"
    assert MAX_BYTES < 50 * 1024 * 1024


def test_xlsx_first_sheet_is_read_with_formulas_kept_as_text():
    book = Workbook()
    ws = book.active
    ws.append(["uscc", "name", "founded_on", "fiscal_year"])
    ws.append(["91350100M000100Y43", '=HYPERLINK("x")', "2022-03-01", 2025])
    buf = io.BytesIO()
    book.save(buf)
    sheet = read_table(buf.getvalue(), "facts.xlsx")
    assert sheet.rows[0][1].startswith("=")
    assert sheet.rows[0][3] == "2025"


def test_broken_xlsx_is_refused():
    with pytest.raises(ReadError) as err:
        read_table(b"PK\x03\x04garbage", "facts.xlsx")
    assert err.value.code == "format"
