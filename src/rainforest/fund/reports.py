"""The quarterly fund report: XLSX (companies, fund, flows) and PDF with plots of deployment, stage
and industry mix, and value over time (reportlab's own charts and CID font: nothing downloaded)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from rainforest.core.facts.industries import HZ296X
from rainforest.fund.selectors import Portfolio
from rainforest.pdf import plain
from rainforest.seedling.exports import workbook


def quarter_end(on: dt.date) -> dt.date:
    month = (on.month - 1) // 3 * 3 + 3
    nxt = dt.date(on.year + (month == 12), 1 if month == 12 else month + 1, 1)
    return nxt - dt.timedelta(days=1)


def _pct(value: Decimal | None) -> str:
    return "n/m" if value is None else f"{value * 100:.2f}%"


def _x(value: Decimal | None) -> str:
    return "n/m" if value is None else f"{value:.2f}x"


def summary_rows(p: Portfolio) -> list[tuple[str, str]]:
    t = p.totals
    return [
        ("报告日 / As of", p.on.isoformat()),
        ("基金规模 / Fund size (yuan)", f"{p.size:,.0f}"),
        ("已投资 / Deployed (yuan)", f"{p.deployed:,.2f}"),
        ("剩余可投 / Left (yuan)", f"{p.left:,.2f}"),
        ("已分配 / Distributed (yuan)", f"{t.distributed:,.2f}"),
        ("公允价值 / Fair value (yuan)", f"{t.residual:,.2f}"),
        ("DPI", _x(t.dpi)),
        ("RVPI", _x(t.rvpi)),
        ("TVPI (gross)", _x(t.tvpi)),
        ("IRR (gross, XIRR)", _pct(p.irr)),
        ("存活率 / Survival", _pct(p.survival)),
        (
            f"年度投资项目 / Deals per year (target {p.deals_per_year_target})",
            ", ".join(f"{y}: {n}" for y, n in p.deals_by_year.items()) or "—",
        ),
    ]


def report_xlsx(p: Portfolio) -> bytes:
    headers = [
        "企业 Company",
        "代码 Code",
        "阶段 Stage",
        "成本 Cost",
        "已分配 Distributed",
        "公允价值 Value",
        "MOIC",
        "IRR",
    ]
    rows = [
        [
            x.deal.enterprise.organisation.name,
            x.deal.enterprise.organisation.uscc,
            x.deal.get_stage_display(),
            x.cost,
            x.distributed,
            x.value,
            None if x.multiples.moic is None else float(x.multiples.moic),
            _pct(x.irr),
        ]
        for x in p.positions
    ]
    note = "\n".join(f"{k}: {v}" for k, v in summary_rows(p))
    return workbook(f"fund {p.on.isoformat()}", headers, rows, note=note)


def report_pdf(p: Portfolio) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("cn-title", parent=style, fontSize=15, leading=20)
    head = ParagraphStyle("cn-head", parent=style, fontSize=11, leading=15)

    def chart_title(d: Drawing, text: str) -> None:
        d.add(String(10, d.height - 12, text, fontName="STSong-Light", fontSize=10))

    def timeline(points, label: str) -> Drawing:
        d = Drawing(460, 170)
        chart_title(d, label)
        if len(points) >= 1:
            plot = LinePlot()
            plot.x, plot.y, plot.width, plot.height = 50, 20, 380, 120
            base = points[0][0].toordinal()
            plot.data = [
                [(day.toordinal() - base, float(a) / 1e6) for day, a, _v in points],
                [(day.toordinal() - base, float(v) / 1e6) for day, _a, v in points],
            ]
            plot.lines[0].strokeColor, plot.lines[1].strokeColor = colors.darkgreen, colors.orange
            d.add(plot)
            d.add(String(440, 130, "cost", fontSize=7, fillColor=colors.darkgreen))
            d.add(String(440, 120, "value", fontSize=7, fillColor=colors.orange))
        return d

    def bars(counts: dict, label: str) -> Drawing:
        d = Drawing(460, 160)
        chart_title(d, label)
        if counts:
            chart = VerticalBarChart()
            chart.x, chart.y, chart.width, chart.height = 50, 30, 380, 100
            chart.data = [list(counts.values())]
            chart.categoryAxis.categoryNames = [str(k) for k in counts]
            chart.categoryAxis.labels.fontName = "STSong-Light"
            chart.valueAxis.valueMin = 0
            d.add(chart)
        return d

    def pie(counts: dict, label: str) -> Drawing:
        d = Drawing(460, 180)
        chart_title(d, label)
        if counts:
            chart = Pie()
            chart.x, chart.y, chart.width, chart.height = 150, 15, 140, 140
            chart.data = list(counts.values())
            chart.labels = [HZ296X.get(k, k) for k in counts]
            chart.slices.fontName = "STSong-Light"
            d.add(chart)
        return d

    summary = Table(
        [[Paragraph(plain(k), style), Paragraph(plain(v), style)] for k, v in summary_rows(p)], colWidths=[220, 240]
    )
    summary.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#999999")]))
    rows = [[Paragraph(h, style) for h in ("企业", "成本", "公允价值", "MOIC", "IRR")]]
    rows += [
        [
            Paragraph(plain(x.deal.enterprise.organisation.name), style),
            f"{x.cost:,.0f}",
            f"{x.value:,.0f}",
            _x(x.multiples.moic),
            _pct(x.irr),
        ]
        for x in p.positions
    ]
    companies = Table(rows, repeatRows=1, colWidths=[190, 80, 80, 50, 60])
    companies.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#999999"), ("FONTSIZE", (0, 0), (-1, -1), 8)]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"润苗基金季度报告 {p.on}")
    doc.build(
        [
            Paragraph(f"润苗基金季度报告 Seedling fund quarterly report · {p.on.isoformat()}", title),
            Spacer(1, 8),
            summary,
            Spacer(1, 10),
            timeline(p.value_over_time, "投资部署与价值（百万元） Deployment and value over time (m yuan)"),
            bars(p.stage_mix, "投资轮次分布 Stage mix"),
            pie(p.industry_mix, "产业分布 Industry mix"),
            Paragraph("被投企业 Portfolio companies", head),
            companies,
        ]
    )
    return out.getvalue()
