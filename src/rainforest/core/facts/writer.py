"""Write facts rows in the canonical schema, safe to open in a spreadsheet program."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from rainforest.core.facts.schema import NAMES
from rainforest.core.facts.validate import FORMULA_PREFIXES


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def defuse(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (OWASP CSV injection advice).

    Plain negative numbers stay as they are; anything else starting with a trigger
    character gets a leading apostrophe, which spreadsheets show as text.
    """
    if text.startswith(FORMULA_PREFIXES):
        try:
            Decimal(text)
        except ArithmeticError:
            return "'" + text
    return text


def to_csv(rows: Iterable[dict]) -> bytes:
    """UTF-8 with BOM, so that spreadsheet programs detect Chinese text correctly."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(NAMES)
    for row in rows:
        writer.writerow([defuse(cell_text(row.get(n))) for n in NAMES])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Iterable[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("facts")
    ws.append(list(NAMES))
    for row in rows:
        # openpyxl stores any string starting with "=" as a formula; defused text never does.
        ws.append([defuse(cell_text(row.get(n))) for n in NAMES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
