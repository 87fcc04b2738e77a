"""The published indicators as open data: one row per indicator and period, with its definition."""

from __future__ import annotations

import csv
import io

from django.utils import translation

from rainforest.cockpit.selectors import Row

COLUMNS = (
    "indicator", "name_zh_hans", "name_en", "unit", "year", "month", "value", "target", "target_kind",
    "target_date", "status", "definition_version", "department_zh_hans", "department_en", "sources",
)  # fmt: skip


def records(rows: list[Row]) -> list[dict]:
    out = []
    for row in rows:
        d = row.definition
        with translation.override("zh-hans"):
            zh_name, zh_department = d.name, d.department
        with translation.override("en"):
            en_name, en_department = d.name, d.department
        for point in row.points:
            out.append({
                "indicator": d.code, "name_zh_hans": zh_name, "name_en": en_name, "unit": d.unit,
                "year": point.year, "month": point.month, "value": str(point.value),
                "target": "" if d.target is None else str(d.target), "target_kind": str(d.target_kind),
                "target_date": d.target_date.isoformat() if d.target_date else "",
                "status": str(row.trajectory.status) if point is row.latest else "",
                "definition_version": d.version, "department_zh_hans": zh_department,
                "department_en": en_department, "sources": " ".join(d.sources),
            })  # fmt: skip
    return out


def as_csv(rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records(rows))
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM in Chinese correctly


def as_xlsx(rows: list[Row]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "indicators"
    sheet.append(list(COLUMNS))
    for record in records(rows):
        sheet.append([record[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
