"""Published lists as XLSX and PDF files (Chinese text with a built-in CID font: no download)."""

from __future__ import annotations

import io

from django.utils.translation import gettext_lazy as _

from rainforest.core.facts.writer import defuse
from rainforest.exchange.choices import Domain, FocusArea, ListKind, ScenarioKind
from rainforest.pdf import plain

SCENARIO_COLUMNS = (
    "id",
    "title",
    "publisher",
    "domain",
    "focus_area",
    "kind",
    "district",
    "min_trl",
    "budget_min",
    "budget_max",
    "starts_on",
    "ends_on",
    "problem",
    "contact_name",
    "contact_phone",
)
CAPABILITY_COLUMNS = (
    "id",
    "title",
    "organisation",
    "domains",
    "trl",
    "districts_served",
    "description",
    "reference_cases",
    "certifications",
)


HEADERS = {
    "id": "#", "title": _("Title"), "publisher": _("Publisher"), "organisation": _("Organisation"),
    "domain": _("Domain"), "domains": _("Domains"), "focus_area": _("focus area"), "kind": _("Kind"),
    "district": _("District"), "min_trl": "TRL ≥", "trl": "TRL", "budget_min": _("budget from (yuan)"),
    "budget_max": _("budget up to (yuan)"), "starts_on": _("starts on"), "ends_on": _("ends on"),
    "problem": _("The problem"), "contact_name": _("Contact"), "contact_phone": _("contact phone"),
    "districts_served": _("Districts served"), "description": _("description"), "reference_cases": _("reference cases"),
    "certifications": _("certifications"),
}  # fmt: skip
LABELS = {
    "domain": dict(Domain.choices), "domains": dict(Domain.choices), "focus_area": dict(FocusArea.choices),
    "kind": dict(ScenarioKind.choices),
}  # fmt: skip


def _value(item: dict, column: str) -> str:
    value = item.get(column)
    labels = LABELS.get(column)
    if labels and isinstance(value, list):
        value = [str(labels.get(v, v)) for v in value]
    elif labels and value is not None:
        value = str(labels.get(value, value))
    return _cell(value)


def _columns(published) -> tuple[str, ...]:
    return SCENARIO_COLUMNS if published.kind == ListKind.SCENARIOS else CAPABILITY_COLUMNS


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return defuse(str(value))


def list_xlsx(published, items: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(f"{published.year}-{published.number}")
    ws.append([f"{published.title} ({published.year} 第{published.number}批 v{published.version})"])
    columns = _columns(published)
    ws.append([str(HEADERS.get(c, c)) for c in columns])
    for item in items:
        ws.append([_value(item, c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_pdf(published, items: list[dict]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("cn-title", parent=style, fontSize=14, leading=18)
    columns = _columns(published)[:8]
    rows = [[Paragraph(plain(HEADERS.get(c, c)), style) for c in columns]]
    rows += [[Paragraph(plain(_value(item, c)), style) for c in columns] for item in items]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=published.title)
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    heading = f"{published.title} · {published.year} 第{published.number}批 · v{published.version}"
    doc.build([Paragraph(plain(heading), title), Spacer(1, 8), table])
    return out.getvalue()
