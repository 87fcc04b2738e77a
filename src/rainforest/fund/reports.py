"""The quarterly fund report, laid out as an institutional LP report (ILPA order): summary of
commitments, paid-in and distributed capital; the portfolio table; performance since inception;
changes in the quarter; valuation notes. One structure, written in the reader's language with the
shared formatting module, feeds the page, the PDF and the XLSX, so the three say the same thing.

Figures are gross (between the fund and its companies): the platform keeps no LP capital calls, so
paid-in capital is the cash the fund has put into companies."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rainforest import formatting as f
from rainforest.fund.choices import FlowKind, MarkKind, Stage
from rainforest.fund.selectors import Portfolio, quarter_end
from rainforest.pdf import cjk_font, plain
from rainforest.seedling.exports import workbook

__all__ = ["Report", "build", "chart_specs", "quarter_end", "report_pdf", "report_xlsx"]

MILLION = Decimal(1_000_000)
WAN = Decimal(10_000)


def _nm(text: str) -> str:
    # "n/m": not meaningful (no return yet, or less than a year), as fund reports write it.
    return text or pgettext("metric", "n/m")


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def money_unit() -> tuple[Decimal, str]:
    """The scale tables and charts show money in, named in their headers and axes: 万元 for Chinese
    readers, millions for English ones."""
    return (MILLION, _("CNY million")) if _english() else (WAN, _("10,000 yuan"))


def _money(value) -> str:
    """An amount for a cell whose header names the unit (money_unit)."""
    scale, _unit = money_unit()
    return f.number(None if value is None else Decimal(value) / scale, 2)


def _in(label: str) -> str:
    return _("%(label)s (%(unit)s)") % {"label": label, "unit": money_unit()[1]}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # columns aligned right
    links: list[int | None] = field(default_factory=list)  # the deal each row is about, for the page

    @property
    def linked(self) -> list[tuple[int | None, list[str]]]:
        return list(zip(self.links or [None] * len(self.rows), self.rows, strict=True))


@dataclass
class Report:
    title: str
    period: str  # 2026年第四季度
    as_of: str  # 截至 2026年12月31日
    basis: str
    summary: list[tuple[str, str]]
    portfolio: Table
    performance: list[tuple[str, str]]
    performance_note: str
    changes: list[tuple[str, str]]
    movements: Table
    valuation_notes: list[str]
    deployment: Table
    stages: Table


def _status(stage: str) -> str:
    return {Stage.EXITED: _("exited"), Stage.WRITTEN_OFF: _("written off")}.get(stage, "")


def _movement(kind: str) -> str:
    return {
        FlowKind.INVESTMENT: _("First investment"),
        FlowKind.FOLLOW_ON: _("Follow-on investment"),
        FlowKind.DISTRIBUTION: _("Distribution"),
        MarkKind.ROUND: _("Revalued at a new round's price"),
        MarkKind.WRITE_DOWN: _("Written down"),
    }.get(kind, kind)


def build(p: Portfolio) -> Report:
    """The report of the quarter that ends on ``p.on``, in the active language."""
    t = p.totals
    counts = p.status_counts
    year, quarter = p.on.year, (p.on.month - 1) // 3 + 1
    summary = [
        (_("Fund size (commitments)"), f.yi(p.size)),
        (_("Paid in to portfolio companies"), f.wan(p.deployed)),
        (_("Paid in, share of commitments"), f.percent(p.paid_in_ratio)),
        (_("Remaining to invest"), f.wan(p.left)),
        (_("Distributed"), f.wan(t.distributed)),
        (_("Net asset value (fair value of holdings)"), f.wan(t.residual)),
        (
            _("Companies"),
            _("%(total)s in all: %(active)s held, %(exited)s exited, %(written_off)s written off")
            % {
                "total": f.whole(len(p.positions)),
                "active": f.whole(counts.get(Stage.PORTFOLIO, 0)),
                "exited": f.whole(counts.get(Stage.EXITED, 0)),
                "written_off": f.whole(counts.get(Stage.WRITTEN_OFF, 0)),
            },
        ),
    ]
    rows, links = [], []
    for x in sorted(p.positions, key=lambda x: (x.first_on, x.deal.enterprise.organisation.name)):
        name = x.deal.enterprise.organisation.name
        status = _status(x.deal.stage)
        rows.append(
            [
                _("%(company)s (%(status)s)") % {"company": name, "status": status} if status else name,
                f.date_cn(x.first_on),
                _money(x.cost),
                _money(x.distributed),
                _money(x.value),
                _nm(f.multiple(x.multiples.moic)),
                f.percent(x.ownership, 2) or "—",
                _nm(f.percent(x.irr)),
            ]
        )
        links.append(x.deal.pk)
    portfolio = Table(
        [
            _("Company"),
            _("First investment"),
            _in(_("Cost")),
            _in(_("Distributed")),
            _in(_("Fair value")),
            _("Multiple of cost"),
            _("Fund's stake (fully diluted)"),
            pgettext("column", "IRR"),
        ],
        rows,
        numeric={2, 3, 4, 5, 6, 7},
        links=links,
    )
    performance = [
        (_("IRR since inception (gross, XIRR)"), _nm(f.percent(p.irr))),
        (_("TVPI (total value to paid-in)"), _nm(f.multiple(t.tvpi))),
        (_("DPI (distributed to paid-in)"), _nm(f.multiple(t.dpi))),
        (_("RVPI (residual value to paid-in)"), _nm(f.multiple(t.rvpi))),
        (_("Companies still operating"), _nm(f.percent(p.survival))),
        (
            _("New companies per year (target %(n)s)") % {"n": f.whole(p.deals_per_year_target)},
            "；".join(
                _("%(year)s: %(n)s") % {"year": year_label(y), "n": f.whole(n)} for y, n in p.deals_by_year.items()
            )
            or "—",
        ),
    ]
    c = p.changes
    changes = [
        (
            _("Net asset value at the start of the quarter (%(date)s)") % {"date": f.date_cn(c.start)},
            f.wan(c.nav_start),
        ),
        (_("Paid in during the quarter"), f.wan(c.paid_in)),
        (_("Distributed during the quarter"), f.wan(c.distributed)),
        (_("Change in fair value"), f.wan(c.value_change)),
        (_("Net asset value at the end of the quarter (%(date)s)") % {"date": f.date_cn(c.end)}, f.wan(c.nav_end)),
        (_("New companies in the quarter"), f.whole(len(c.new_companies))),
    ]
    movements = Table(
        [_("Date"), _("Company"), pgettext("fund report", "Change"), _in(_("Amount"))],
        [
            [
                f.date_cn(m.on),
                m.deal.enterprise.organisation.name,
                _("%(change)s: %(reason)s") % {"change": _movement(m.kind), "reason": m.reason}
                if m.reason
                else _movement(m.kind),
                _money(m.amount),
            ]
            for m in c.movements
        ],
        numeric={3},
        links=[m.deal.pk for m in c.movements],
    )
    notes = [
        _(
            "Holdings are carried at the price per share of the company's latest recorded round times the "
            "fund's units, or at the value of a fund manager's write-down with its reason; a holding with "
            "neither is carried at cost."
        )
    ]
    for x in sorted(p.positions, key=lambda x: (x.first_on, x.deal.enterprise.organisation.name)):
        name = x.deal.enterprise.organisation.name
        if x.mark is None:
            notes.append(_("%(company)s: at cost.") % {"company": name})
        elif x.mark.kind == MarkKind.WRITE_DOWN:
            notes.append(
                _("%(company)s: written down to %(value)s on %(date)s: %(reason)s")
                % {"company": name, "value": f.wan(x.mark.value), "date": f.date_cn(x.mark.on), "reason": x.mark.reason}
            )
        else:
            notes.append(
                _("%(company)s: %(value)s at the round price of %(date)s.")
                % {"company": name, "value": f.wan(x.mark.value), "date": f.date_cn(x.mark.on)}
            )
    scale, unit = money_unit()
    deployment = Table(
        [_("Quarter"), _in(pgettext("capital", "Committed")), _in(_("Paid in")), _in(_("Fair value"))],
        [
            [f.quarter_cn(q.year, q.quarter), _money(q.committed), _money(q.deployed), _money(q.value)]
            for q in p.quarters
        ],
        numeric={1, 2, 3},
    )
    stages = Table(
        [_("Entry round"), _("Companies"), _in(_("Cost")), _("Share of cost")],
        [
            [s.name, f.whole(s.companies), _money(s.cost), f.percent(s.cost / p.deployed if p.deployed else None)]
            for s in p.stages
        ],
        numeric={1, 2, 3},
    )
    return Report(
        title=_("Seedling fund quarterly report"),
        period=f.quarter_cn(year, quarter),
        as_of=_("As of %(date)s") % {"date": f.date_cn(p.on)},
        basis=_(
            "Gross figures, between the fund and its companies: paid-in capital is the cash invested in "
            "companies (the platform keeps no capital calls to the fund's investors); fair value is the latest "
            "round price times the fund's units, or a fund manager's write-down."
        ),
        summary=summary,
        portfolio=portfolio,
        performance=performance,
        performance_note=_(
            "IRR is XIRR on actual days over 365 with the fair value as a last inflow; it is not meaningful "
            "(n/m) before a year has passed or while there is no return."
        ),
        changes=changes,
        movements=movements,
        valuation_notes=notes,
        deployment=deployment,
        stages=stages,
    )


def year_label(year: int) -> str:
    # The context lets Chinese add 年 while English keeps the bare year.
    return pgettext("year", "%(year)s") % {"year": year}


def chart_specs(p: Portfolio) -> dict:
    """The page's two charts (static/rainforest/charts.js specs); their tables are the report's."""
    scale, unit = money_unit()

    def scaled(amount: Decimal, text: str) -> dict:
        return {"value": float((amount / scale).quantize(Decimal("0.01"))), "text": text}

    return {
        "deployment": {
            "kind": "line",
            "categories": [f.quarter_cn(q.year, q.quarter) for q in p.quarters],
            "series": [
                {
                    "name": pgettext("capital", "Committed"),
                    "data": [scaled(q.committed, f.wan(q.committed)) for q in p.quarters],
                },
                {"name": _("Paid in"), "data": [scaled(q.deployed, f.wan(q.deployed)) for q in p.quarters]},
                {"name": _("Fair value"), "data": [scaled(q.value, f.wan(q.value)) for q in p.quarters]},
            ],
            "y_name": unit,
            "height": 320,
        },
        "stages": {
            "kind": "bar",
            "horizontal": True,
            "categories": [s.name for s in p.stages],
            "series": [
                {
                    "name": _("Companies"),
                    "data": [{"value": s.companies, "text": f.whole(s.companies)} for s in p.stages],
                }
            ],
            "height": 80 + 48 * max(1, len(p.stages)),
        },
    }


def report_xlsx(p: Portfolio) -> bytes:
    """The portfolio as numbers a spreadsheet can add up (yuan, ratios as fractions), headed in the
    reader's language; the report's summary follows the table."""
    headers = [
        _("Company"),
        _("Unified social credit code"),
        _("Status"),
        _("Entry round"),
        _("First investment"),
        _("Cost (yuan)"),
        _("Distributed (yuan)"),
        _("Fair value (yuan)"),
        _("Multiple of cost"),
        _("Fund's stake (fully diluted)"),
        pgettext("column", "IRR"),
    ]
    rows = [
        [
            x.deal.enterprise.organisation.name,
            x.deal.enterprise.organisation.uscc,
            x.deal.get_stage_display(),
            x.stage_name,
            x.first_on,
            x.cost,
            x.distributed,
            x.value,
            None if x.multiples.moic is None else float(x.multiples.moic),
            None if x.ownership is None else float(x.ownership),
            None if x.irr is None else float(x.irr),
        ]
        for x in p.positions
    ]
    r = build(p)
    note = "\n".join(f"{k}: {v}" for k, v in [(r.title, f"{r.period} · {r.as_of}"), *r.summary, *r.performance])
    return workbook(r.period, headers, rows, note=note)


def report_pdf(p: Portfolio) -> bytes:
    """The report as an A4 PDF set in the embedded Noto Sans SC (rainforest.pdf.cjk_font), in the
    active language, with two charts whose axes say what they count and in which unit."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as Grid

    r = build(p)
    regular, bold = cjk_font(), cjk_font(bold=True)
    # Chinese breaks between any two characters; English only at spaces, never inside a word.
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=12, wordWrap=None if _english() else "CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=10)
    cell_right = ParagraphStyle("cell-right", parent=cell, alignment=2)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=22)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=11.5, leading=16, spaceBefore=10, spaceAfter=4)
    sub = ParagraphStyle("sub", parent=body, textColor=colors.HexColor("#555555"))
    width = A4[0] - 36 * mm
    grid = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b0b0b0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    series_colours = [colors.HexColor("#1f6f4a"), colors.HexColor("#2b6cb0"), colors.HexColor("#c05621")]

    def pairs(rows: list[tuple[str, str]]) -> Grid:
        grid_rows = [[Paragraph(plain(k), cell), Paragraph(plain(v), cell_right)] for k, v in rows]
        table = Grid(grid_rows, colWidths=[width * 0.62, width * 0.38])
        table.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f5f3"))]))
        return table

    def table(t: Table, widths: list[float]) -> Grid:
        header = [Paragraph(plain(h), ParagraphStyle("th", parent=cell, fontName=bold)) for h in t.headers]
        rows = [header] + [
            [Paragraph(plain(v), cell_right if i in t.numeric else cell) for i, v in enumerate(row)] for row in t.rows
        ]
        if not t.rows:
            rows.append([Paragraph("—", cell)] + [""] * (len(t.headers) - 1))
        out = Grid(rows, repeatRows=1, colWidths=[width * w for w in widths])
        out.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4ece7"))]))
        return out

    def axis_title(d: Drawing, x: float, y: float, text: str, angle: int = 0) -> None:
        label = String(0, 0, text, fontName=regular, fontSize=7.5, textAnchor="middle")
        from reportlab.graphics.shapes import Group

        g = Group(label)
        g.translate(x, y)
        g.rotate(angle)
        d.add(g)

    def deployment_chart() -> Drawing:
        scale, unit = money_unit()
        quarters = p.quarters
        d = Drawing(width, 200)
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 55, 45, width - 80, 120
        chart.data = [
            [float(q.committed / scale) for q in quarters],
            [float(q.deployed / scale) for q in quarters],
            [float(q.value / scale) for q in quarters],
        ] or [[0]]
        names = [f.quarter_cn(q.year, q.quarter) for q in quarters]
        # Every label is drawn only while they fit side by side; otherwise every n-th one.
        step = max(1, -(-len(names) // 8))
        chart.categoryAxis.categoryNames = [n if i % step == 0 else "" for i, n in enumerate(names)]
        chart.categoryAxis.labels.fontName = regular
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.angle = 25 if len(names) > 4 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(names) > 4 else "n"
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontName = regular
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.labelTextFormat = lambda v: f.number(v, 0)
        for i, colour in enumerate(series_colours):
            chart.lines[i].strokeColor = colour
            chart.lines[i].strokeWidth = 1.5
        d.add(chart)
        axis_title(d, 14, 45 + 60, unit, 90)
        axis_title(d, 55 + (width - 80) / 2, 6, _("Quarter"))
        legend = Legend()
        legend.x, legend.y = 60, 192
        legend.fontName, legend.fontSize = regular, 7.5
        legend.columnMaximum, legend.alignment = 1, "right"
        legend.dx, legend.dy, legend.deltax = 8, 6, 80
        legend.colorNamePairs = list(
            zip(series_colours, [pgettext("capital", "Committed"), _("Paid in"), _("Fair value")], strict=True)
        )
        d.add(legend)
        return d

    def stage_chart() -> Drawing:
        names = [s.name for s in p.stages] or ["—"]
        height = 50 + 22 * len(names)
        d = Drawing(width, height)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 80, 30, width - 120, height - 45
        chart.data = [[s.companies for s in p.stages] or [0]]
        chart.categoryAxis.categoryNames = names
        chart.categoryAxis.labels.fontName = regular
        chart.categoryAxis.labels.fontSize = 7.5
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueStep = 1 if max(chart.data[0]) <= 10 else None
        chart.valueAxis.labels.fontName = regular
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.labelTextFormat = lambda v: f.whole(v)
        chart.bars[0].fillColor = series_colours[0]
        chart.barLabelFormat = lambda v: f.whole(v)
        chart.barLabels.fontName = regular
        chart.barLabels.fontSize = 7
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
        d.add(chart)
        axis_title(d, 80 + (width - 120) / 2, 6, _("Companies"))
        axis_title(d, 12, 30 + (height - 45) / 2, _("Entry round"), 90)
        return d

    def captioned(caption: str, drawing, data: Table, widths: list[float]):
        return KeepTogether([Paragraph(plain(caption), sub), drawing, table(data, widths)])

    story = [
        Paragraph(plain(f"{r.title} · {r.period}"), title),
        Paragraph(plain(r.as_of), sub),
        Paragraph(plain(r.basis), sub),
        Paragraph(plain(_("1. Summary")), head),
        pairs(r.summary),
        Spacer(1, 6),
        captioned(
            _("Deployment and value by quarter (%(unit)s)") % {"unit": money_unit()[1]},
            deployment_chart(),
            r.deployment,
            [0.31, 0.23, 0.23, 0.23],
        ),
        Paragraph(plain(_("2. Portfolio")), head),
        table(r.portfolio, [0.24, 0.14, 0.1, 0.1, 0.1, 0.1, 0.12, 0.1]),
        Spacer(1, 6),
        captioned(_("Companies by entry round"), stage_chart(), r.stages, [0.31, 0.23, 0.23, 0.23]),
        Paragraph(plain(_("3. Performance since inception")), head),
        pairs(r.performance),
        Spacer(1, 3),
        Paragraph(plain(r.performance_note), sub),
        Paragraph(plain(_("4. Changes in the quarter")), head),
        pairs(r.changes),
        Spacer(1, 4),
        table(r.movements, [0.16, 0.3, 0.39, 0.15]),
        Paragraph(plain(_("5. Valuation notes")), head),
        *[Paragraph(plain(n), body) for n in r.valuation_notes],
    ]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(18 * mm, 10 * mm, f"{r.title} · {r.period}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("Page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{r.title} · {r.period}",
        author=_("Seedling fund"),
        lang=translation.get_language() or "zh-hans",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
