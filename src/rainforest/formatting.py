"""How numbers, money, dates and ratios are written for people: one place for pages, exports and PDFs.

The conventions are those a Chinese government or finance reader expects
(../shared/experience-reference.md): exact amounts in 元 with thousands separators, programme figures
in 万元, city figures in 亿元, ratios as percentages with one decimal, multiples as ``1.63x``, loan rates
with two decimals, whole numbers for people and firms, dates as ``2026年12月4日`` and times in Beijing
time without an offset. English readers get the same figures with English units and dates.

Every function takes ``None`` (and the empty string) and returns ``""``: a figure the platform does not
have is left blank, never shown as 0. Amounts are rounded half-up, as the fen is rounded everywhere
else on the platform; binary floats are read through their shortest decimal form.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

BEIJING = ZoneInfo("Asia/Shanghai")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)
MILLION = Decimal(1_000_000)
BILLION = Decimal(1_000_000_000)

_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = repr(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def colon() -> str:
    """The colon between a label and its value: full-width in Chinese, ``: `` in English."""
    return ": " if _english() else "："


def bracketed(text) -> str:
    """An aside after a value: full-width brackets in Chinese, `` (...)`` in English."""
    return f" ({text})" if _english() else f"（{text}）"


def _unit(simplified: str) -> str:
    """万元 and 亿元 as a Traditional reader writes them (萬元, 億元)."""
    if (translation.get_language() or "").lower() == "zh-hant":
        return simplified.replace("万", "萬").replace("亿", "億")
    return simplified


def _grouped(number: Decimal, places: int) -> str:
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    return f"{rounded:,.{places}f}"


def number(value, places: int = 0) -> str:
    """``value`` with thousands separators and ``places`` decimals: ``1,234,567``."""
    n = _decimal(value)
    return "" if n is None else _grouped(n, places)


def whole(value) -> str:
    """A count of people or firms: a whole number with separators (``1,234``)."""
    return number(value, 0)


def at_least_whole(value) -> str:
    """The smallest whole count that meets a threshold ("at least 6.8 people" is at least 7)."""
    n = _decimal(value)
    if n is None:
        return ""
    return _grouped(n.to_integral_value(rounding="ROUND_CEILING"), 0)


def yuan_number(value, places: int = 2) -> str:
    """An exact amount in yuan for a cell whose header states the unit: ``1,250,000.00``."""
    return number(value, places)


def yuan(value, places: int = 2) -> str:
    """An exact amount with its unit: ``1,250,000.00 元`` (English: ``CNY 1,250,000.00``)."""
    n = _decimal(value)
    if n is None:
        return ""
    text = _grouped(n, places)
    return f"CNY {text}" if _english() else f"{text} 元"


def wan_number(value, places: int = 2) -> str:
    """A programme figure in units of 10,000 yuan for a cell headed 万元: ``125.00``."""
    n = _decimal(value)
    return "" if n is None else _grouped(n / WAN, places)


def wan_entry(value) -> str:
    """An amount in yuan as a 万元 input holds it, every decimal kept: 1255000 -> ``125.5``."""
    n = _decimal(value)
    return "" if n is None else format((n / WAN).normalize(), "f")


def wan(value, places: int = 2) -> str:
    """A programme figure: ``125.00 万元`` (English: ``CNY 1.25 million``)."""
    n = _decimal(value)
    if n is None:
        return ""
    if _english():
        return f"CNY {_grouped(n / MILLION, places)} million"
    return f"{_grouped(n / WAN, places)} {_unit('万元')}"


def yi(value, places: int = 2) -> str:
    """A city-scale figure: ``20 亿元`` (English: ``CNY 2 billion``); decimals only where they carry."""
    n = _decimal(value)
    if n is None:
        return ""
    scaled, unit = (n / BILLION, "billion") if _english() else (n / YI, _unit("亿元"))
    text = _grouped(scaled, places)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"CNY {text} {unit}" if _english() else f"{text} {unit}"


def wan_range(low, high, places: int = 2) -> str:
    """A budget range in 万元, to two decimals where they carry: ``200–1,000 万元``, ``0.3–120.5 万元``
    (as the publisher entered it); an open end reads "at least" or "at most". English readers get
    millions (0.5–1 million yuan)."""
    lo, hi = _decimal(low), _decimal(high)
    if lo is None and hi is None:
        return ""
    unit, scale = ("million yuan", MILLION) if _english() else (_unit("万元"), WAN)

    def text(n: Decimal) -> str:
        shown = _grouped(n / scale, places)
        return shown.rstrip("0").rstrip(".") if "." in shown else shown

    if lo is not None and hi is not None:
        if lo == hi:
            return f"{text(lo)} {unit}"
        return f"{text(lo)}–{text(hi)} {unit}"
    if lo is not None:
        return _("at least %(amount)s") % {"amount": f"{text(lo)} {unit}"}
    return _("at most %(amount)s") % {"amount": f"{text(hi)} {unit}"}


def percent(ratio, places: int = 1) -> str:
    """A ratio (0.1471) as a percentage: ``14.7 %``."""
    n = _decimal(ratio)
    return "" if n is None else f"{_grouped(n * 100, places)} %"


def percent_points(value, places: int = 1) -> str:
    """A figure already in percent (14.71) written as one: ``14.7 %``."""
    n = _decimal(value)
    return "" if n is None else f"{_grouped(n, places)} %"


def rate(ratio, places: int = 2) -> str:
    """A loan or interest rate (0.0345) as ``3.45 %``."""
    return percent(ratio, places)


def multiple(value, places: int = 2) -> str:
    """A multiple of invested capital: ``1.63x``."""
    n = _decimal(value)
    return "" if n is None else f"{_grouped(n, places)}x"


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _beijing(value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _beijing(moment: dt.datetime) -> dt.datetime:
    # Naive times are the platform's own local time already (USE_TZ stores aware ones).
    return moment.astimezone(BEIJING) if moment.tzinfo else moment


def date_cn(value) -> str:
    """``2026年12月4日`` (English: ``4 December 2026``)."""
    day = _as_date(value)
    if day is None:
        return ""
    if _english():
        return f"{day.day} {day:%B} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def datetime_cn(value) -> str:
    """A moment in Beijing time, to the minute, with no offset: ``2026年12月4日 18:21``."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return date_cn(value)
    moment = _beijing(value)
    return f"{date_cn(moment.date())} {moment:%H:%M}"


def quarter_cn(year, quarter) -> str:
    """``2026年第四季度`` (English: ``Q4 2026``)."""
    if year in (None, "") or quarter in (None, ""):
        return ""
    q = int(quarter)
    if _english():
        return f"Q{q} {year}"
    return f"{year}年第{_QUARTER_ZH[q]}季度"


def year_cn(year) -> str:
    """A whole year: ``2026年`` (English: ``2026``)."""
    if year in (None, ""):
        return ""
    return str(year) if _english() else f"{year}年"


def months_cn(year, first, last) -> str:
    """A span of months within a year: ``2026年1—10月`` (English: ``January–October 2026``)."""
    if _english():
        start = dt.date(int(year), int(first), 1)
        end = dt.date(int(year), int(last), 1)
        return f"{start:%B}–{end:%B} {year}" if first != last else f"{start:%B} {year}"
    if first == last:
        return f"{year}年{first}月"
    return f"{year}年{first}—{last}月"


def yes_no(value) -> str:
    """A yes/no fact as a word, never ``True``."""
    if value is None:
        return ""
    return pgettext("answer", "Yes") if value else pgettext("answer", "No")
