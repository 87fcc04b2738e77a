"""The streaming reader gives the rows, cells, row numbers and refusals read_table gives, whatever
the blocks it reads a file in (rainforest.core.facts.stream)."""

import codecs
import random
import sys

import pytest
from openpyxl import Workbook

from rainforest.core.facts import stream
from rainforest.core.facts.reader import ReadError, read_table


def streamed(path):
    """(header, [(row, cells, extra, stripped cells)]) or ("refused", code)."""
    try:
        facts = stream.open_facts(path)
        rows = []
        for batch in facts.batches:
            names = stream.cell_names(len(facts.header))
            rows += [(r[0], r[1], r[2], list(r[3:])) for r in batch.select("_row", "_cells", "_extra", *names).rows()]
    except ReadError as exc:
        return "refused", exc.code
    return facts.header, rows


def table(path):
    try:
        sheet = read_table(path.read_bytes(), path.name)
    except ReadError as exc:
        return "refused", exc.code
    width = len(sheet.header)
    cells = lambda r: [r[k].strip() if k < len(r) else "" for k in range(width)]  # noqa: E731
    rows = [(i + 2, len(r), any(c.strip() for c in r[width:]), cells(r)) for i, r in enumerate(sheet.rows)]
    return sheet.header, rows


@pytest.fixture(params=[1 << 24, 97, 7, 1], ids=["one block", "97-byte blocks", "7-byte blocks", "1-byte blocks"])
def blocks(request, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", request.param)
    monkeypatch.setattr(stream, "EXACT_BATCH", 2)
    return request.param


def test_it_strips_what_str_strip_strips():
    assert set(stream.WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


CASES = {
    "plain": b"uscc,name\n1,a\n2,b\n",
    "no final line feed": b"uscc,name\n1,a\n2,b",
    "BOM and CRLF": codecs.BOM_UTF8 + b"uscc,name\r\n1,a\r\n\r\n2,b\r\n",
    "old Mac line ends": b"uscc,name\r1,a\r2,b\r",
    "quoted cells over lines": b'uscc,name\n1,"a,\nb ""c"" \r\nd"\n2," x "\n',
    "a quote inside a plain cell": b'uscc,name\n1,a"b\n2,"ab"c\n',
    "an unbalanced quote": b'uscc,name\n1,"abc\n2,d\n3,e\n',
    "blank and padded rows": b"\n  ,  \nuscc , name \n\n , \n 1 ,\xe3\x80\x80a\xc2\xa0\n\t2,b\x1c\n",
    "short and long rows": b"uscc,name,x\n1\n1,2,3,4\n1,2,3,,\n,,,\n1,2\n",
    "one column": b"uscc\n1\n\n2\n",
    "GB18030": "uscc,name\n1,臺灣企業\n2,简体\n".encode("gb18030"),
    "UTF-8 then bytes only GB18030 reads": "uscc,name\n1,企业\n".encode() + "2,企業".encode("gb18030"),
    "UTF-16": "uscc,name\n1,a\n".encode("utf-16"),
    "NUL": b"uscc,name\n1,a\x00\n",
    "only whitespace": b" \r\n\t\n",
    "only blank rows": b"\n,,\n  \n",
    "a cell past the csv field limit": b"uscc,name\n1,a\n2," + b"x" * 140_000 + b"\n",
    "a quoted cell past the csv field limit": b'uscc,name\n1,"' + b"x" * 140_000 + b'"\n',
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_rows_read_table_reads(name, tmp_path, blocks):
    path = tmp_path / "facts.csv"
    path.write_bytes(CASES[name])
    assert streamed(path) == table(path)


def test_random_files_read_as_read_table_reads_them(tmp_path, blocks):
    """Cells of quotes, commas, line ends of every kind, spaces and Chinese text, in two encodings."""
    pieces = ["a", "b", " ", ",", ",", '"', "\n", "\r\n", "\r", "\t", "\u3000", "企", "\xa0", 'x"y', '""']
    rnd = random.Random(2026)
    path = tmp_path / "facts.csv"
    for _ in range(60 if blocks > 1 else 15):
        width = rnd.randint(1, 4)
        lines = [",".join(f"h{i}" for i in range(width))]
        for _ in range(rnd.randint(0, 8)):
            if rnd.random() < 0.6:
                lines.append(",".join(rnd.choice(["", "a", " b ", "企业", "1.5"]) for _ in range(width)))
            else:
                lines.append("".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12))))
        text = rnd.choice(["\n", "\r\n"]).join(lines) + rnd.choice(["", "\n"])
        path.write_bytes(text.encode("utf-8" if rnd.random() < 0.8 else "gb18030"))
        assert streamed(path) == table(path), text


def test_a_workbook_reads_as_read_table_reads_it(tmp_path, blocks):
    book = Workbook()
    ws = book.active
    for row in (["uscc", "name", None], [None], [1, " a ", None, "extra"], [2, "=SUM(A1)"], [None, " "], [3]):
        ws.append(row)
    path = tmp_path / "facts.xlsx"
    book.save(path)
    assert streamed(path) == table(path)


def test_a_broken_workbook_is_refused_as_read_table_refuses_it(tmp_path):
    path = tmp_path / "facts.xlsx"
    path.write_bytes(b"PK\x03\x04garbage")
    assert streamed(path) == table(path) == ("refused", "format")


def test_a_file_past_the_upload_cap_streams(tmp_path, monkeypatch):
    """read_table refuses more than 20 MiB (the web upload's cap); the command line's reader has none."""
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 20)
    row = b"913301060000000000,\xe4\xbc\x81\xe4\xb8\x9a," + b"1" * 60 + b"\n"
    path = tmp_path / "facts.csv"
    path.write_bytes(b"uscc,name,x\n" + row * 300_000)
    assert path.stat().st_size > 20 * 2**20
    facts = stream.open_facts(path)
    batches = list(facts.batches)
    assert len(batches) > 1 and sum(b.height for b in batches) == 300_000
    assert batches[-1].get_column("_row").to_list()[-1] == 300_001
