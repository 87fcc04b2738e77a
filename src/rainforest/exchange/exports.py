"""Published lists as XLSX and PDF files: items numbered 1..n as the version printed them, figures
and dates as people write them (rainforest.formatting), the PDF set in the embedded CJK font."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rainforest import formatting
from rainforest.core.facts.writer import defuse
from rainforest.exchange.choices import Domain, FocusArea, ListKind, ScenarioKind
from rainforest.exchange.models.lists import numbered_order
from rainforest.exchange.selectors import list_separator
from rainforest.pdf import cjk_font, plain
from rainforest.place_names import district_label

# Every column a file may carry, in file order; "budget" and "period" are read from two facts each.
SCENARIO_COLUMNS = (
    "no",
    "title",
    "publisher",
    "domain",
    "focus_area",
    "kind",
    "district",
    "min_trl",
    "budget",
    "period",
    "problem",
    "contact_name",
    "contact_phone",
)
CAPABILITY_COLUMNS = (
    "no",
    "title",
    "organisation",
    "domains",
    "trl",
    "districts_served",
    "description",
    "reference_cases",
    "certifications",
)
# What fits on a landscape A4 page, with each column's share of the width.
PDF_COLUMNS = {
    ListKind.SCENARIOS: (
        ("no", 0.05),
        ("title", 0.25),
        ("publisher", 0.16),
        ("domain", 0.11),
        ("kind", 0.09),
        ("district", 0.08),
        ("min_trl", 0.07),
        ("budget", 0.10),
        ("period", 0.09),
    ),
    ListKind.CAPABILITIES: (
        ("no", 0.05),
        ("title", 0.20),
        ("organisation", 0.17),
        ("domains", 0.12),
        ("trl", 0.06),
        ("districts_served", 0.10),
        ("description", 0.30),
    ),
}

HEADERS = {
    "no": gettext_lazy("No."), "title": gettext_lazy("Title"), "publisher": gettext_lazy("Publisher"),
    "organisation": gettext_lazy("Organisation"), "domain": gettext_lazy("Domain"),
    "domains": gettext_lazy("Domains"), "focus_area": gettext_lazy("Focus area"), "kind": gettext_lazy("Kind"),
    "district": gettext_lazy("District"), "min_trl": gettext_lazy("Minimum TRL"), "trl": gettext_lazy("TRL"),
    "budget": gettext_lazy("Budget"), "period": gettext_lazy("Timetable"), "problem": gettext_lazy("The problem"),
    "contact_name": gettext_lazy("Contact"), "contact_phone": gettext_lazy("Contact phone"),
    "districts_served": gettext_lazy("Districts served"), "description": gettext_lazy("Description"),
    "reference_cases": gettext_lazy("Reference cases"), "certifications": gettext_lazy("Certifications"),
}  # fmt: skip
LABELS = {
    "domain": dict(Domain.choices), "domains": dict(Domain.choices), "focus_area": dict(FocusArea.choices),
    "kind": dict(ScenarioKind.choices),
}  # fmt: skip


def _period(item: dict) -> str:
    start, end = formatting.date_cn(item.get("starts_on")), formatting.date_cn(item.get("ends_on"))
    if start and end:
        return f"{start}—{end}"
    return start or end


def _value(item: dict, column: str) -> str:
    if column in ("district", "districts_served"):
        return _cell(district_label(item.get(column) or ""))
    if column == "budget":
        return formatting.wan_range(item.get("budget_min"), item.get("budget_max"))
    if column == "period":
        return _period(item)
    value = item.get(column)
    labels = LABELS.get(column)
    if labels and isinstance(value, list):
        value = list_separator().join(str(labels.get(v, v)) for v in value)
    elif labels and value is not None:
        value = str(labels.get(value, value))
    return _cell(value)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return list_separator().join(map(str, value))
    return defuse(str(value))


def _columns(published) -> tuple[str, ...]:
    return SCENARIO_COLUMNS if published.kind == ListKind.SCENARIOS else CAPABILITY_COLUMNS


def _published_on(published) -> str:
    return _("Published on %(date)s") % {"date": formatting.date_cn(published.published_at)}


def list_xlsx(published, items: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(f"{published.year}-{published.number}-{published.version}")
    ws.append([published.heading()])
    ws.append([f"{published.title} · {_published_on(published)}"])
    columns = _columns(published)
    ws.append([str(HEADERS[c]) for c in columns])
    for item in numbered_order(items):
        ws.append([_value(item, c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_pdf(published, items: list[dict]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = cjk_font(), cjk_font(bold=True)
    style = ParagraphStyle("cn", fontName=regular, fontSize=8, leading=11, wordWrap="CJK")
    header = ParagraphStyle("cn-header", parent=style, fontName=bold)
    title = ParagraphStyle("cn-title", parent=style, fontName=bold, fontSize=15, leading=20, alignment=1)
    subtitle = ParagraphStyle("cn-subtitle", parent=style, fontSize=10, leading=14, alignment=1)
    page_size = landscape(A4)
    margin = 36
    width = page_size[0] - 2 * margin
    columns = PDF_COLUMNS[published.kind]
    rows = [[Paragraph(plain(HEADERS[c]), header) for c, _share in columns]]
    rows += [[Paragraph(plain(_value(item, c)), style) for c, _share in columns] for item in numbered_order(items)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=page_size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=published.heading(),
        subject=published.title,
        # Every font in the file is embedded, the canvas's starting font included (else Helvetica,
        # which a preflight check reports as not embedded).
        initialFontName=regular,
    )
    footer = published.heading()

    def page_footer(canvas, document):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(margin, margin / 2, footer)
        canvas.drawRightString(page_size[0] - margin, margin / 2, _("Page %(n)d") % {"n": document.page})
        canvas.restoreState()

    table = Table(rows, colWidths=[width * share for _c, share in columns], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                # The cells are paragraphs in the CJK font; the table's own font is set too, so no
                # unembedded Helvetica enters the file.
                ("FONT", (0, 0), (-1, -1), regular, 8),
                ("GRID", (0, 0), (-1, -1), 0.3, "#999999"),
                ("BACKGROUND", (0, 0), (-1, 0), "#e8eef3"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(plain(published.heading()), title),
        Paragraph(plain(f"{published.title} · {_published_on(published)}"), subtitle),
    ]
    if published.correction_note:
        story.append(Paragraph(plain(_("Why this version: %(note)s") % {"note": published.correction_note}), subtitle))
    story += [Spacer(1, 10), table]
    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
