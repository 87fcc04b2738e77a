"""The quarterly report as an LP reads it: ILPA order, in the reader's language only, figures
formatted, and a PDF that carries its own font."""

import base64
import datetime as dt
import re
import zlib
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from rainforest.fund import reports, selectors, services
from tests.conftest import sign_in
from tests.fund.conftest import as_actor
from tests.fund.test_deals import founded_table, invested

pytestmark = pytest.mark.django_db

REPORT_ON = dt.date(2026, 12, 31)


@pytest.fixture
def fund(fund_manager, company, committee):
    """One company: the fund's angel round of 4,000,000 at 40,000,000 pre-money (an 8 % stake),
    a relay round by others at three times the price, a write-down and a distribution in the quarter."""
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="university", referrer="浙江大学")
    founded_table(fm, deal)
    invested(fm, committee, deal, dt.date(2025, 12, 1), "4000000", "40000000", name="天使轮")
    later = services.round_propose(
        actor=fm,
        deal=deal,
        name="A轮",
        on=dt.date(2026, 6, 1),
        pre_money="150000000",
        investors=[{"name": "杭州科创基金", "amount": "30000000", "city_fund": True}],
    )
    services.round_record(actor=fm, round=later)
    services.mark_write_down(actor=fm, deal=deal, on=dt.date(2026, 11, 15), value="10500000", reason="收入不及预期")
    services.flow_record(actor=fm, deal=deal, on=dt.date(2026, 12, 10), amount="500000")
    return fm, deal


def _streams(pdf: bytes) -> dict[int, bytes]:
    """Every stream object of the PDF by object number, inflated."""
    out = {}
    for m in re.finditer(rb"\n(\d+) 0 obj\n<<((?:(?!endobj).)*?)>>\s*stream\r?\n", pdf, re.S):
        length = int(re.search(rb"/Length (\d+)", m.group(2)).group(1))
        data = pdf[m.end() : m.end() + length]
        if b"ASCII85Decode" in m.group(2):
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        out[int(m.group(1))] = zlib.decompress(data) if b"FlateDecode" in m.group(2) else data
    return out


def _unescape(raw: bytes) -> bytes:
    def one(m):
        code = m.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def pdf_text(pdf: bytes) -> str:
    """The text a reader shows: each string of each page decoded through its font subset's ToUnicode
    map (reportlab writes one per subset); the built-in fonts' strings as Latin-1."""
    streams = _streams(pdf)
    cmaps = {}
    for m in re.finditer(rb"/Name /(F\d+\+\d+) .*?/ToUnicode (\d+) 0 R", pdf, re.S):
        pairs = re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4,})>", streams[int(m.group(2))])
        cmaps[m.group(1)] = {int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be") for a, b in pairs}
    pages = [int(n) for n in re.findall(rb"/Contents (\d+) 0 R", pdf)]
    words = []
    for number in pages:
        font = None
        for token in re.finditer(rb"/(F[\d+]+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", streams[number], re.S):
            if token.group(1):
                font = token.group(1)
            else:
                raw = _unescape(token.group(2))
                table = cmaps.get(font)
                words.append("".join(table.get(b, "\ufffd") for b in raw) if table else raw.decode("latin-1"))
    return "\n".join(words)


LATIN_ALLOWED = {"IRR", "XIRR", "TVPI", "DPI", "RVPI", "x"}  # the metrics' names and multiples (2.75x)
DATA = ("杭州灵犀机器人有限公司", "天使轮", "收入不及预期")  # what the fund's records hold, printed as written


def portfolio_in(fm, language):
    with translation.override(language):
        p = selectors.portfolio(actor=fm, on=REPORT_ON)
        return p, reports.report_pdf(p), reports.build(p)


def test_the_pdf_embeds_its_font_and_speaks_chinese_only(fund):
    fm, _deal = fund
    _p, pdf, _r = portfolio_in(fm, "zh-hans")
    assert b"/FontFile2" in pdf and b"NotoSansSC" in pdf and b"STSong" not in pdf
    text = pdf_text(pdf)
    with translation.override("zh-hans"):
        title = gettext("Seedling fund quarterly report")
    assert title in text and "2026年第四季度" in text
    words = set(re.findall(r"[A-Za-z]+", text))
    assert words <= LATIN_ALLOWED, words - LATIN_ALLOWED
    # Figures as a finance reader writes them: 万元 with grouping, percentages, multiples, dates.
    assert "400.00" in text and "1,050.00" in text and "万元" in text
    assert "7.58 %" in text and "2.75x" in text and "2025年12月1日" in text
    assert not re.search(r"\d{5,}", text.replace(",", ",")), "an ungrouped number"
    assert not re.search(r"\b0\.\d{4}\b", text), "a ratio as the database holds it"


def test_the_pdf_in_english_has_no_chinese_but_the_records(fund):
    fm, _deal = fund
    _p, pdf, _r = portfolio_in(fm, "en")
    text = pdf_text(pdf)
    for name in DATA:
        text = text.replace(name, "")
    assert "Seedling fund quarterly report" in text and "Q4 2026" in text and "CNY" in text
    assert not re.search(r"[\u3400-\u9fff]", text), re.findall(r"[\u3400-\u9fff]+", text)[:10]


def test_the_report_rolls_the_net_asset_value_forward(fund):
    fm, _deal = fund
    p = selectors.portfolio(actor=fm, on=REPORT_ON)
    c = p.changes
    assert (c.start, c.end) == (dt.date(2026, 10, 1), REPORT_ON)
    assert c.nav_start == Decimal("13636363.64") and c.nav_end == Decimal("10500000.00")
    assert c.paid_in == 0 and c.distributed == Decimal("500000")
    assert c.nav_start + c.paid_in + c.value_change == c.nav_end
    assert [(m.on, m.kind) for m in c.movements] == [
        (dt.date(2026, 11, 15), "write_down"),
        (dt.date(2026, 12, 10), "distribution"),
    ]
    (x,) = p.positions
    assert x.ownership == Decimal("0.0758") and x.first_on == dt.date(2025, 12, 1)
    assert [(q.year, q.quarter, q.deployed) for q in p.quarters] == [
        (2025, 4, Decimal("4000000")),
        (2026, 1, Decimal("4000000")),
        (2026, 2, Decimal("4000000")),
        (2026, 3, Decimal("4000000")),
        (2026, 4, Decimal("4000000")),
    ]
    assert p.quarters[2].value == Decimal("13636363.64")


def test_an_approved_round_not_yet_closed_counts_as_committed(fund_manager, company, committee, make_org):
    from rainforest.accounts.choices import OrganisationKind
    from tests.seedling.conftest import facts

    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    founded_table(fm, deal)
    invested(fm, committee, deal, dt.date(2025, 12, 1), "4000000", "40000000")
    other = facts(make_org("杭州另一家机器人公司", OrganisationKind.ENTERPRISE, "西湖区"))
    second = services.deal_create(actor=fm, enterprise=other, source="self")
    founded_table(fm, second)
    type(second).objects.filter(pk=second.pk).update(stage="closing")
    proposed = services.round_propose(
        actor=fm,
        deal=second,
        name="种子轮",
        on=dt.date(2027, 1, 15),
        pre_money="20000000",
        investors=[{"name": "x", "amount": "3000000", "is_fund": True}],
    )
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=dt.date(2026, 12, 1))
    for user in committee[:5]:
        services.ballot_cast(actor=as_actor(user), meeting=meeting, vote="for")
    services.meeting_decide(actor=fm, meeting=meeting, minutes="同意")
    last = selectors.portfolio(actor=fm, on=REPORT_ON).quarters[-1]
    assert (last.deployed, last.committed) == (Decimal("4000000"), Decimal("7000000"))


def test_the_page_follows_the_lp_report_order_in_the_readers_language(fund, client, fund_manager):
    sign_in(client, fund_manager)
    page = client.get("/fund/portfolio/", {"on": REPORT_ON.isoformat()}).content.decode()
    with translation.override("zh-hans"):
        headings = [
            gettext(h)
            for h in (
                "1. Summary",
                "2. Portfolio",
                "3. Performance since inception",
                "4. Changes in the quarter",
                "5. Valuation notes",
            )
        ]
    positions = [page.index(f"<h2>{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert 'data-chart="fund-deployment"' in page and 'id="fund-deployment"' in page
    assert 'data-chart="fund-stages"' in page and "echarts.min.js" in page and "charts.js" in page
    assert "1,050.00" in page and "7.58 %" in page and "2.75x" in page and "2026年11月15日" in page
    assert "13636363.64" not in page and "0.0758" not in page and "/ As of" not in page
    client.cookies["django_language"] = "en"
    english = client.get("/fund/portfolio/", {"on": REPORT_ON.isoformat()}).content.decode()
    assert "<h2>1. Summary</h2>" in english and "Q4 2026" in english and "基金规模" not in english


def test_the_workbook_is_headed_in_the_readers_language(fund, client, fund_manager):
    import io

    from openpyxl import load_workbook

    sign_in(client, fund_manager)
    body = client.get("/fund/portfolio/", {"on": REPORT_ON.isoformat(), "format": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[1]]
    with translation.override("zh-hans"):
        assert header[0] == gettext("Company") and header[5] == gettext("Cost (yuan)")
    assert sheet.cell(2, 6).value == 4000000  # numbers stay numbers a spreadsheet can add up


def test_the_charts_draw_the_tables_beneath_them(fund):
    fm, _deal = fund
    p = selectors.portfolio(actor=fm, on=REPORT_ON)
    with translation.override("zh-hans"):
        specs, report = reports.chart_specs(p), reports.build(p)
        unit = gettext("10,000 yuan")
        names = [pgettext("capital", "Committed"), gettext("Paid in"), gettext("Fair value")]
    deployment = specs["deployment"]
    assert deployment["categories"] == [row[0] for row in report.deployment.rows]
    assert deployment["y_name"] == unit and [s["name"] for s in deployment["series"]] == names
    fair_value = [point["value"] for point in deployment["series"][2]["data"]]
    assert fair_value == [400.0, 400.0, 1363.64, 1363.64, 1050.0]  # 万元, as the table's column
    assert [row[3] for row in report.deployment.rows] == ["400.00", "400.00", "1,363.64", "1,363.64", "1,050.00"]
    stages = specs["stages"]
    assert stages["categories"] == ["天使轮"] and stages["series"][0]["data"][0]["value"] == 1
