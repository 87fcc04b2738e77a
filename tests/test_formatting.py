"""The formatting module: the conventions of ../shared/experience-reference.md, in each language."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from rainforest import formatting as f


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_exact_amounts_in_yuan_with_separators(zh):
    assert f.yuan(Decimal("1250000")) == "1,250,000.00 元"
    assert f.yuan(Decimal("17228000.00")) == "17,228,000.00 元"
    assert f.yuan_number(36541242000) == "36,541,242,000.00"
    assert f.yuan_number(Decimal("0.005")) == "0.01"  # half-up, as the fen is rounded elsewhere
    assert f.yuan(Decimal("-0.001")) == "0.00 元"  # never "-0.00"


def test_programme_figures_in_wan_and_city_figures_in_yi(zh):
    assert f.wan(1_250_000) == "125.00 万元"
    assert f.wan_number(Decimal("17228000")) == "1,722.80"
    assert f.yi(2_000_000_000) == "20 亿元"
    assert f.yi(Decimal("36541242000")) == "365.41 亿元"
    assert f.wan_range(2_000_000, 10_000_000) == "200–1,000 万元"
    assert f.wan_range(None, 5_000_000) == "不超过 500 万元"
    assert f.wan_range(3_000, 1_205_000) == "0.3–120.5 万元"  # as the publisher entered it, not 0–121


def test_english_readers_get_english_units(en):
    assert f.yuan(1250000) == "CNY 1,250,000.00"
    assert f.wan(1_250_000) == "CNY 1.25 million"
    assert f.yi(2_000_000_000) == "CNY 2 billion"
    assert f.wan_range(500_000, 10_000_000) == "0.5–10 million yuan"
    assert f.wan_range(1_250_000, None) == "at least 1.25 million yuan"
    assert f.date_cn(dt.date(2026, 12, 4)) == "4 December 2026"
    assert f.quarter_cn(2026, 4) == "Q4 2026"


def test_ratios_rates_and_multiples():
    assert f.percent(Decimal("0.1471")) == "14.7 %"
    assert f.percent(0.2) == "20.0 %"
    assert f.percent_points(Decimal("14.71")) == "14.7 %"
    assert f.rate(Decimal("0.034500")) == "3.45 %"
    assert f.multiple(Decimal("1.6349")) == "1.63x"


def test_people_are_whole_numbers():
    assert f.whole(Decimal("45")) == "45"
    assert f.at_least_whole(Decimal("6.8")) == "7"
    assert f.at_least_whole(7) == "7"


def test_dates_and_times_in_beijing_time_without_offset(zh):
    assert f.date_cn(dt.date(2026, 12, 4)) == "2026年12月4日"
    utc = dt.datetime(2026, 12, 4, 10, 21, tzinfo=dt.UTC)
    assert f.datetime_cn(utc) == "2026年12月4日 18:21"
    # Just before midnight UTC is the next day in Beijing.
    assert f.date_cn(dt.datetime(2026, 12, 31, 16, 30, tzinfo=ZoneInfo("UTC"))) == "2027年1月1日"
    assert f.quarter_cn(2026, 4) == "2026年第四季度"
    assert f.months_cn(2025, 1, 10) == "2025年1—10月"


@pytest.mark.parametrize("missing", [None, "", "not a number", float("nan")])
def test_a_missing_figure_is_blank_never_zero(missing):
    for fn in (f.yuan, f.wan, f.yi, f.percent, f.multiple, f.whole, f.date_cn, f.datetime_cn):
        assert fn(missing) == ""


def test_filters_are_built_into_every_template(zh):
    html = Template("{{ a|yuan }}|{{ r|percent }}|{{ d|date_cn }}|{{ a|wan_number:0 }}").render(
        Context({"a": Decimal("17228000.00"), "r": Decimal("0.1471"), "d": dt.date(2026, 12, 4)})
    )
    assert html == "17,228,000.00 元|14.7 %|2026年12月4日|1,723"


def test_traditional_readers_get_traditional_units():
    with translation.override("zh-hant"):
        assert f.wan(1_250_000) == "125.00 萬元"
        assert f.yi(2_000_000_000) == "20 億元"
        assert f.wan_range(2_000_000, 10_000_000) == "200–1,000 萬元"
        assert f.date_cn(dt.date(2026, 12, 4)) == "2026年12月4日"


@pytest.mark.parametrize(
    ("language", "written"), [("zh-hans", "理由：材料不全"), ("zh-hant", "理由：材料不全"), ("en", "理由: 材料不全")]
)
def test_a_label_and_its_value_take_the_readers_colon(language, written):
    with translation.override(language):
        assert Template("理由{% colon %}{{ v }}").render(Context({"v": "材料不全"})) == written
