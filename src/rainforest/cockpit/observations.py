"""Entered observations: imported from CSV or XLSX all-or-nothing with every problem listed, or
corrected one at a time. A changed figure is a new version; the old one stays, no longer current.
Each change is one audit event in the same transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import COCKPIT_ENTER, Principal
from rainforest.audit import trail
from rainforest.cockpit.definitions import Definition, current_definitions
from rainforest.cockpit.models import Indicator, Observation
from rainforest.core.facts.reader import ReadError, read_table
from rainforest.core.years import PLATFORM_YEARS

COLUMNS = ("indicator", "period", "value", "source_document", "note")
REQUIRED = ("indicator", "period", "value", "source_document")
PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
MAX_ROWS = 5000
VALUE_LIMIT = Decimal("1e17")  # the column keeps 18 digits before the point


@dataclass(frozen=True)
class Problem:
    row: int  # 1 is the header; 0 the file itself
    column: str
    message: str


class ObservationsRefused(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class ImportReport:
    sha256: str
    rows: int
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    codes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Entry:
    row: int
    code: str
    year: int
    month: int
    value: Decimal
    source_document: str
    note: str


def parse_value(text: str, unit: str) -> Decimal:
    """A figure as people write it: ``1,234.5``; a percentage with or without ``%`` (4.5 → 0.045 for a
    ratio unit; a growth is kept as the percentage, 26.3)."""
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "").strip()
    percent_sign = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    if unit == "percent":
        return value / 100
    if percent_sign and unit != "growth":
        raise InvalidOperation
    return value


def read_observations(data: bytes, filename: str, *, today=None) -> list[Entry]:
    """The file's rows as entries, or ObservationsRefused listing every problem in it."""
    today = today or timezone.localdate()
    try:
        sheet = read_table(data, filename)
    except ReadError as exc:
        raise ObservationsRefused([Problem(0, "", _file_message(exc.code))]) from exc
    header = [h.strip().lower() for h in sheet.header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ObservationsRefused(
            [Problem(1, c, _("The column “%(column)s” is missing.") % {"column": c}) for c in missing]
        )
    unknown = [h for h in header if h and h not in COLUMNS]
    problems = [Problem(1, h, _("The column “%(column)s” is not one of ours.") % {"column": h}) for h in unknown]
    if len(sheet.rows) > MAX_ROWS:
        raise ObservationsRefused([Problem(0, "", _("At most %(n)s rows in one file.") % {"n": f"{MAX_ROWS:,}"})])
    definitions = {d.code: d for d in current_definitions()}
    entries, seen = [], {}
    for n, cells in enumerate(sheet.rows, start=2):
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        entry, row_problems = _entry(n, row, definitions, today)
        problems += row_problems
        if entry is None:
            continue
        key = (entry.code, entry.year, entry.month)
        if key in seen:
            problems.append(
                Problem(
                    n, "period", _("The same indicator and period are on row %(row)s already.") % {"row": seen[key]}
                )
            )
            continue
        seen[key] = n
        entries.append(entry)
    if not entries and not problems:
        problems.append(Problem(0, "", _("The file has no rows.")))
    if problems:
        raise ObservationsRefused(problems)
    return entries


def _entry(n: int, row: dict, definitions: dict[str, Definition], today) -> tuple[Entry | None, list[Problem]]:
    problems = []
    code = row.get("indicator", "")
    d = definitions.get(code)
    if d is None:
        problems.append(Problem(n, "indicator", _("No indicator has the code “%(code)s”.") % {"code": code}))
    elif d.kind != "entered":
        problems.append(
            Problem(
                n, "indicator", _("“%(name)s” is counted by the platform; it cannot be entered.") % {"name": d.name}
            )
        )
    year = month = None
    match = PERIOD.match(row.get("period", ""))
    if not match:
        problems.append(Problem(n, "period", _("Write the period as a year (2025) or a year and month (2025-10).")))
    else:
        year, month = int(match.group(1)), int(match.group(2) or 0)
        if not PLATFORM_YEARS[0] <= year <= today.year or month > 12 or (match.group(2) and month == 0):
            problems.append(Problem(n, "period", _("The period must be a past or current year and month 1 to 12.")))
        elif (year, month or 12) > (today.year, today.month):
            problems.append(Problem(n, "period", _("The period has not ended yet.")))
    value = None
    if not row.get("value"):
        problems.append(Problem(n, "value", _("The value is missing.")))
    elif d is not None:
        try:
            value = parse_value(row["value"], d.unit)
        except (InvalidOperation, ValueError):
            problems.append(Problem(n, "value", _("“%(value)s” is not a number.") % {"value": row["value"][:40]}))
        else:
            if abs(value) >= VALUE_LIMIT:
                problems.append(Problem(n, "value", _("The value is too large.")))
            elif d.unit in ("count", "yuan") and value < 0:
                problems.append(Problem(n, "value", _("The value cannot be negative.")))
    source = row.get("source_document", "")
    if not source:
        problems.append(Problem(n, "source_document", _("Name the document the figure comes from.")))
    elif len(source) > 300:
        problems.append(Problem(n, "source_document", _("At most 300 characters.")))
    note = row.get("note", "")
    if len(note) > 500:
        problems.append(Problem(n, "note", _("At most 500 characters.")))
    if problems:
        return None, problems
    return Entry(n, code, year, month, value, source, note), []


def _file_message(code: str) -> str:
    return {
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than 20 MiB."),
        "encoding": _("The file is not UTF-8 or GB18030 text, nor an XLSX workbook."),
        "format": _("The file cannot be read as CSV or XLSX."),
        "no_header": _("The first row must name the columns."),
    }.get(code, _("The file cannot be read."))


def observations_import(*, actor: Principal, data: bytes, filename: str = "", demo: bool = False) -> ImportReport:
    """Import a file of observations: every row or none; re-importing the same file changes nothing."""
    actor.require(COCKPIT_ENTER)
    entries = read_observations(data, filename)
    report = ImportReport(sha256=hashlib.sha256(data).hexdigest(), rows=len(entries))
    with transaction.atomic():
        _write(actor, entries, report, demo=demo)
    return report


def observation_correct(
    *, actor: Principal, code: str, year: int, month: int, value: Decimal, source_document: str, note: str = ""
) -> ImportReport:
    """Enter or correct one figure (the page's form), with the same checks as a file's row."""
    actor.require(COCKPIT_ENTER)
    definitions = {d.code: d for d in current_definitions()}
    period = f"{year}" if not month else f"{year}-{month:02d}"
    d = definitions.get(code)
    text = str(value * 100) if d is not None and d.unit == "percent" else str(value)
    row = {"indicator": code, "period": period, "value": text, "source_document": source_document, "note": note}
    entry, problems = _entry(2, row, definitions, timezone.localdate())
    if problems:
        raise ObservationsRefused(problems)
    report = ImportReport(sha256="", rows=1)
    with transaction.atomic():
        _write(actor, [entry], report, demo=False)
    return report


def _write(actor: Principal, entries: list[Entry], report: ImportReport, *, demo: bool) -> None:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={e.code for e in entries})}
    current = {
        (o.indicator_id, o.year, o.month): o
        for o in Observation.objects.select_for_update().filter(indicator__in=indicators.values(), current=True)
    }
    names = {d.code: (d.raw.get("name") or {}).get("zh-hans", d.code) for d in current_definitions()}
    changes = []
    for e in entries:
        indicator = indicators[e.code]
        held = current.get((indicator.pk, e.year, e.month))
        if held is not None and (held.value, held.source_document, held.note) == (e.value, e.source_document, e.note):
            report.unchanged += 1
            continue
        if held is not None:
            held.current = False
            held.save(update_fields=["current"])
        created = Observation.objects.create(
            indicator=indicator, year=e.year, month=e.month, value=e.value, source_document=e.source_document,
            note=e.note, version=(held.version + 1) if held else 1, supersedes=held, demo=demo,
            entered_by=actor.user, file_sha256=report.sha256,
        )  # fmt: skip
        report.codes.add(e.code)
        if held is None:
            report.created += 1
        else:
            report.corrected += 1
        changes.append(
            trail.Change(
                "cockpit.observation.corrected" if held else "cockpit.observation.entered",
                "observation", f"{e.code}:{e.year}-{e.month:02d}", _subject_label(names, e),
                before=_snapshot(held), after=_snapshot(created),
            )
        )  # fmt: skip
    if changes:
        trail.record_many(actor, changes)


def _subject_label(names: dict[str, str], entry: Entry) -> str:
    """The figure as the audit page names it: the indicator's Chinese name and its period."""
    period = f"{entry.year}年" if not entry.month else f"{entry.year}年1—{entry.month}月"
    return f"{names.get(entry.code, entry.code)}（{period}）"


def _snapshot(obs: Observation | None) -> dict | None:
    if obs is None:
        return None
    return {
        "value": str(Decimal(obs.value).quantize(Decimal("0.000001"))),
        "version": obs.version,
        "source_document": obs.source_document,
        "note": obs.note,
        "demo": obs.demo,
    }
