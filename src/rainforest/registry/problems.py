"""Problems found in facts, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rainforest.core.facts.reader import MAX_BYTES
from rainforest.core.facts.validate import Problem

MESSAGES = {
    "file_empty": gettext_lazy("The file is empty."),
    "file_too_large": gettext_lazy("The file is larger than %(limit)s MiB; split it and import each part."),
    "file_encoding": gettext_lazy("The file is not in UTF-8 or GB18030. Save it again as UTF-8 CSV or as XLSX."),
    "file_format": gettext_lazy("The file is neither a readable CSV nor an XLSX workbook."),
    "file_no_header": gettext_lazy("The first row must hold the column names."),
    "unknown_column": gettext_lazy("This column is not in the facts schema (check its spelling)."),
    "missing_column": gettext_lazy("This required column is missing."),
    "duplicate_column": gettext_lazy("This column appears twice."),
    "extra_cells": gettext_lazy("This row has more cells than there are columns."),
    "short_row": gettext_lazy(
        "This row has %(cells)s cells but there are %(columns)s columns: a separator is missing, so values "
        "would land in the wrong columns."
    ),
    "required": gettext_lazy("A value is required."),
    "formula": gettext_lazy("Cells may not start with = + - @ or a tab: they would run as a spreadsheet formula."),
    "uscc_length": gettext_lazy("A unified social credit code has exactly 18 characters."),
    "uscc_charset": gettext_lazy(
        "A unified social credit code uses only digits and capital letters other than I, O, Z, S and V."
    ),
    "uscc_check": gettext_lazy("The check character of this unified social credit code should be %(expected)s."),
    "too_long": gettext_lazy("The text is longer than %(limit)s characters."),
    "control_chars": gettext_lazy("The text contains control characters; type it again without them."),
    "date_format": gettext_lazy("Write dates as YYYY-MM-DD, for example 2024-03-31."),
    "date_future": gettext_lazy("The date is in the future (today is %(today)s)."),
    "year_format": gettext_lazy("Write the fiscal year as four digits, for example 2025."),
    "year_future": gettext_lazy("The fiscal year is after the current year %(year)s."),
    "year_before_founding": gettext_lazy("The fiscal year is before the year the enterprise was founded."),
    "bool_format": gettext_lazy("Write true or false."),
    "int_format": gettext_lazy("Write a whole number."),
    "int_too_large": gettext_lazy("The number is implausibly large (at most %(limit)s); check the number of digits."),
    "negative": gettext_lazy("The value may not be negative."),
    "money_format": gettext_lazy(
        "Write an amount in yuan as a plain number with at most two decimals, without thousands separators."
    ),
    "money_too_large": gettext_lazy("The amount is implausibly large; check the number of digits."),
    "choice": gettext_lazy("Use one of: %(choices)s."),
    "industry_code": gettext_lazy("Unknown industry cluster code(s): %(codes)s."),
    "tech_staff_above_employees": gettext_lazy("Tech staff cannot exceed total employees."),
    "rd_staff_above_employees": gettext_lazy("R&D staff cannot exceed total employees."),
    "domestic_above_rd": gettext_lazy("R&D spent in China cannot exceed total R&D expense."),
    "high_tech_above_total": gettext_lazy("High-tech income cannot exceed total income."),
    "duplicate": gettext_lazy("This enterprise and fiscal year already appear in row %(first)s."),
    "conflicting_identity": gettext_lazy("The same code has a different name or founding date in row %(first)s."),
    "not_an_enterprise": gettext_lazy("This code belongs to an organisation that is not an enterprise."),
}


def problem_message(problem: Problem) -> str:
    template = MESSAGES.get(problem.code)
    if template is None:
        return problem.code
    params = {"limit": MAX_BYTES // (1024 * 1024), **problem.params}
    return str(template) % params if "%(" in str(template) else str(template)


def shown(value: str, limit: int = 60) -> str:
    """A cell's value for a problem listing: quoted, and cut short when a cell is huge."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def problem_rows(problems: list[Problem]) -> list[dict]:
    """Rows for a table of problems: row, column, value, reason."""
    return [{"row": p.row or "", "column": p.column, "value": p.value, "reason": problem_message(p)} for p in problems]


def summary(count: int) -> str:
    return _("Nothing was imported: %(n)d problem(s) must be fixed first.") % {"n": count}
