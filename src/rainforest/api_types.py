"""Bounded field types for the ninja schemas of /api/v1/, and request errors in the user's language.

Every number an API schema accepts is bounded to what its database column holds (and money is
never negative unless the column says so), so a bad value is a 422 that names the field, never a
database error. Years are the platform's years (``core.years``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

from rainforest.core.years import PLATFORM_YEARS

FIRST_YEAR, LAST_YEAR = PLATFORM_YEARS[0], PLATFORM_YEARS[-1]

# Django's integer columns: PositiveSmallIntegerField, PositiveIntegerField.
SMALL_MAX = 32_767
INT_MAX = 2_147_483_647

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
SmallCount = Annotated[int, Field(ge=0, le=SMALL_MAX)]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]
Trl = Annotated[int, Field(ge=1, le=9)]
# A date the platform can speak of: from its first year to the end of its last.
PlatformDate = Annotated[dt.date, Field(ge=dt.date(FIRST_YEAR, 1, 1), le=dt.date(LAST_YEAR, 12, 31))]
# A founding date may lie before the platform's first year, never before 1900.
PastDate = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(LAST_YEAR, 12, 31))]
PlatformDateTime = Annotated[
    dt.datetime,
    Field(
        ge=dt.datetime(FIRST_YEAR, 1, 1, tzinfo=dt.UTC), le=dt.datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    ),
]


def money(max_digits: int, decimal_places: int, *, signed: bool = False):
    """A ``DecimalField(max_digits, decimal_places)`` amount; never negative unless ``signed``."""
    return Annotated[Decimal, Field(ge=None if signed else 0, max_digits=max_digits, decimal_places=decimal_places)]


def text(max_length: int):
    return Annotated[str, Field(max_length=max_length)]


class Pages(LimitOffsetPagination):
    """Ninja's limit/offset pages with both bounded: an offset past any table is a 422, not a
    database error (SQLite and PostgreSQL refuse an OFFSET beyond 64 bits)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=10_000)
        offset: int = Field(0, ge=0, le=INT_MAX)


# --- request errors in the user's language ------------------------------------------------------

_WHOLE = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}
_NUMBER = {"float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number", "number_type"}
_DATE = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_past"}
_DATETIME = {"datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"}
_CHOICE = {"literal_error", "enum"}
_LIST = {"list_type", "tuple_type", "set_type"}


def _message(error: dict) -> str:
    """One pydantic error as Django's own validation message (translated in every language the
    platform speaks); pydantic's English where there is none."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in _WHOLE:
        return _("Enter a whole number.")
    if kind in _NUMBER:
        return _("Enter a number.")
    if kind in _DATE:
        return _("Enter a valid date.")
    if kind in _DATETIME:
        return _("Enter a valid date/time.")
    if kind in _CHOICE:
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind in _LIST:
        return _("Enter a list of values.")
    if kind == "greater_than_equal" and "ge" in ctx:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx["ge"]}
    if kind == "less_than_equal" and "le" in ctx:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx["le"]}
    if kind == "too_short" and ctx.get("min_length") == 1:
        return _("This field is required.")
    if kind == "string_too_long" and "max_length" in ctx:
        limit = ctx["max_length"]
        return ngettext(
            "Ensure this value has at most %(limit_value)d character.",
            "Ensure this value has at most %(limit_value)d characters.",
            limit,
        ) % {"limit_value": limit}
    if kind == "decimal_max_digits" and "max_digits" in ctx:
        n = ctx["max_digits"]
        return ngettext(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
            n,
        ) % {"max": n}
    if kind == "decimal_max_places" and "decimal_places" in ctx:
        n = ctx["decimal_places"]
        return ngettext(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
            n,
        ) % {"max": n}
    if kind == "decimal_whole_digits" and "whole_digits" in ctx:
        n = ctx["whole_digits"]
        return ngettext(
            "Ensure that there are no more than %(max)s digit before the decimal point.",
            "Ensure that there are no more than %(max)s digits before the decimal point.",
            n,
        ) % {"max": n}
    return str(error.get("msg", ""))


def request_errors(errors: list[dict]) -> list[dict]:
    """Ninja's request errors (type, where, message), the message in the user's language."""
    return [{"type": e.get("type", ""), "loc": list(e.get("loc", ())), "msg": _message(e)} for e in errors]
