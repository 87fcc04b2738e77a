"""The monthly brief: the cockpit as it stood, what changed since the last brief, and what is behind,
as a PDF and an XLSX a department head can forward. Made by the worker on the first working day of
each month (for the month before) and on an officer's demand."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rainforest import formatting
from rainforest.accounts.permissions import COCKPIT_ENTER, Principal
from rainforest.audit import trail
from rainforest.cockpit import presentation, selectors
from rainforest.cockpit.definitions import SYSTEM
from rainforest.cockpit.models import Brief
from rainforest.core.cockpit.trajectory import Status
from rainforest.exchange.calendar import is_working_day

LAGGING = (Status.BEHIND, Status.AT_RISK, Status.MISSED)


def first_working_day(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_month(today: dt.date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


@dataclass
class Line:
    code: str
    name: str
    latest: str
    period: str
    target: str
    status: str
    icon: str
    pace: str
    raw_latest: str | None
    lagging: bool


def _lines(rows) -> list[Line]:
    out = []
    for row in rows:
        d, t = row.definition, row.trajectory
        word, icon, _css = presentation.STATUS[t.status]
        latest = row.latest
        out.append(
            Line(
                d.code, d.name, presentation.value_text(latest.value if latest else None, d.unit),
                presentation.period_text(latest.year, latest.month) if latest else "",
                presentation.target_text(d), str(word), icon, presentation.pace_text(row),
                str(latest.value) if latest else None, t.status in LAGGING,
            )
        )  # fmt: skip
    return out


def brief_make(*, actor: Principal, year: int, month: int, language: str = "zh-hans") -> Brief:
    """Make (or make again) the brief for ``year``-``month`` in ``language``, compared with the brief
    before it."""
    if not actor.is_system:
        actor.require(COCKPIT_ENTER)
    with translation.override(language):
        rows = selectors.cockpit(actor=SYSTEM)  # every indicator, whoever asked
        lines = _lines(rows)
        earlier = Brief.objects.filter(language=language).exclude(year=year, month=month)
        earlier = earlier.filter(year__lt=year) | earlier.filter(year=year, month__lt=month)
        previous = earlier.order_by("-year", "-month", "-generated_at").first()
        before = {item["code"]: item for item in (previous.snapshot["lines"] if previous else [])}
        changes = [
            (line, before[line.code]["latest"]) for line in lines
            if line.code in before and before[line.code]["raw_latest"] != line.raw_latest
        ]  # fmt: skip
        title = _("City cockpit brief, %(period)s") % {"period": formatting.months_cn(year, month, month)}
        generated = timezone.localtime()
        pdf = _pdf(title, generated, lines, changes, previous)
        xlsx = _xlsx(title, lines, changes)
    snapshot = {"lines": [line.__dict__ for line in lines], "title": title}
    with transaction.atomic():
        brief = Brief.objects.create(
            year=year, month=month, snapshot=snapshot, pdf=pdf, xlsx=xlsx, language=language,
            generated_by=actor.user,
        )  # fmt: skip
        trail.record(actor, "cockpit.brief.made", subject_type="brief", subject_id=str(brief.pk), subject_label=title)
    return brief


def _pdf(title, generated, lines, changes, previous) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from rainforest.pdf import cjk_font, plain

    font, bold = cjk_font(), cjk_font(bold=True)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=bold, fontSize=15, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm,
        bottomMargin=12 * mm, title=title, author=_("Rainforest city cockpit"),
    )  # fmt: skip

    def p(text, style=body):
        return Paragraph(plain(text), style)

    story = [p(title, head), p(_("Made %(when)s.") % {"when": formatting.datetime_cn(generated)})]
    lagging = [line for line in lines if line.lagging]
    story += [p(_("Behind or at risk"), h2)]
    story += [p(f"{line.icon} {line.name}：{line.latest}（{line.target}）{line.pace}") for line in lagging] or [
        p(_("No indicator is behind its pace."))
    ]
    story += [p(_("Changed since the last brief"), h2)]
    if previous is None:
        story.append(p(_("This is the first brief: nothing to compare with.")))
    else:
        story += [p(f"{line.name}：{old} → {line.latest}") for line, old in changes] or [p(_("No figure changed."))]
    story += [p(_("Every indicator"), h2)]
    header = [_("Indicator"), _("Latest"), _("Period"), _("Target"), _("Status"), _("Pace")]
    data = [[p(h) for h in header]] + [
        [p(line.name), p(line.latest), p(line.period), p(line.target), p(f"{line.icon} {line.status}"), p(line.pace)]
        for line in lines
    ]
    table = Table(data, colWidths=[58 * mm, 34 * mm, 30 * mm, 42 * mm, 26 * mm, 76 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ])
    )  # fmt: skip
    story += [Spacer(1, 2 * mm), table]
    doc.build(story)
    return buffer.getvalue()


def _xlsx(title, lines, changes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Indicators")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Indicator"), _("Latest"), _("Period"), _("Target"), _("Status"), _("Pace")])
    for line in lines:
        sheet.append([line.name, line.latest, line.period, line.target, f"{line.icon} {line.status}", line.pace])
    for column, width in zip("ABCDEF", (30, 18, 16, 24, 12, 60), strict=True):
        sheet.column_dimensions[column].width = width
    changed = book.create_sheet(_("Changes")[:31])
    changed.append([_("Indicator"), _("Before"), _("Now")])
    for line, old in changes:
        changed.append([line.name, old, line.latest])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def due(today: dt.date) -> tuple[int, int] | None:
    """The month whose brief is due today (the first working day of the next month), if any and not made."""
    if today != first_working_day(today.year, today.month):
        return None
    year, month = previous_month(today)
    if Brief.objects.filter(year=year, month=month, generated_by__isnull=True).exists():
        return None
    return year, month
