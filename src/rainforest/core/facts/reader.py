"""Turn an uploaded CSV or XLSX file into a header and rows of raw strings.

Only decoding happens here; every value check lives in :mod:`validate`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

MAX_BYTES = 20 * 1024 * 1024  # 20 MiB: a whole city's register is a few MiB.
MAX_UNPACKED = 200 * 1024 * 1024  # an XLSX inflates about tenfold; more is a zip bomb
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ReadError(ValueError):
    """A file-level refusal: ``code`` is empty, too_large, encoding, format or no_header."""

    code: str
    detail: str = ""


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[str]]  # each row as strings, "" for a blank cell
    encoding: str


def read_table(data: bytes, filename: str = "") -> Sheet:
    """Read CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX (first sheet)."""
    if not data.strip():
        raise ReadError("empty")
    if len(data) > MAX_BYTES:
        raise ReadError("too_large", str(len(data)))
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        sheet = _read_xlsx(data)
    else:
        sheet = _read_csv(data)
    if not sheet.header or not any(sheet.header):
        raise ReadError("no_header")
    return sheet


def _decode(data: bytes) -> tuple[str, str]:
    # utf-8-sig accepts plain UTF-8 too; GB18030 is a superset of GBK and GB2312.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # UTF-16 or a binary file decoded by accident
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise ReadError("encoding")


def _read_csv(data: bytes) -> Sheet:
    text, encoding = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ReadError("format", str(exc)) from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ReadError("empty")
    header = [h.strip() for h in rows[0]]
    return Sheet(header=header, rows=[[c.strip() for c in r] for r in rows[1:]], encoding=encoding)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime from a date cell
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError("format", str(exc)) from exc
    if unpacked > MAX_UNPACKED:  # a zip bomb is refused before anything is inflated
        raise ReadError("too_large", str(unpacked))
    # openpyxl parses an untrusted archive of XML: whatever it raises (a broken archive, bad
    # XML, a missing part, a workbook without sheets) means the file is not a readable workbook.
    try:
        # data_only=False keeps formulas as text so the validator can refuse them.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 (see above)
        raise ReadError("format", str(exc)) from exc
    try:
        ws = book.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001 (see above)
        raise ReadError("format", str(exc)) from exc
    finally:
        book.close()
    rows = [r for r in rows if any(rows_cell for rows_cell in r)]
    if not rows:
        raise ReadError("empty")
    header = rows[0]
    while header and not header[-1]:
        header = header[:-1]
    width = len(header)
    # A missing cell at the end of an XLSX row is a blank one; cells beyond the header are kept
    # so that the validator refuses them rather than dropping their values unseen.
    return Sheet(header=header, rows=[r + [""] * (width - len(r)) for r in rows[1:]], encoding="xlsx")
