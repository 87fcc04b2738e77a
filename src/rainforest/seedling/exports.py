"""Every seedling list and decision as an XLSX sheet (text cells defused; amounts as numbers)."""

from __future__ import annotations

import io
import math
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from rainforest import formatting
from rainforest.core.facts.writer import defuse
from rainforest.policy import labels
from rainforest.policy.templatetags.policy_tags import verdict_label

# The ranking's tie rules (core.seedling.ranking), written under the candidates for their readers.
TIE_RULES = [
    gettext_noop("Candidates are ranked by, in order:"),
    gettext_noop("the higher mean weighted expert score;"),
    gettext_noop("the higher R&D intensity (R&D expense / operating revenue) in the latest fiscal year, unknown last;"),
    gettext_noop("the earlier submission;"),
    gettext_noop("the unified social credit code, ascending (only so that the order is complete and reproducible)."),
    gettext_noop("Candidates with no expert score are not ranked. The top candidates within the quota are selected."),
]


def _cell(value):
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, str):
        return defuse(value)
    return value


def workbook(title: str, headers: list[str], rows, note: str = "") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    if note:
        sheet.append([])
        for line in note.strip().splitlines():
            sheet.append([defuse(line)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pyramid_xlsx(rows, year: int) -> bytes:
    years = sorted(rows[0].by_year) if rows else []
    headers = [_("Tier"), _("Count"), _("2027 target"), _("Gap"), _("Needed per year"), *years]
    data = [
        [
            labels.tier_name(r.tier),
            r.count,
            r.target,
            r.gap,
            None if r.per_year_needed is None else math.ceil(r.per_year_needed),  # whole enterprises
            *(r.by_year[y] for y in years),
        ]
        for r in rows
    ]
    return workbook(f"pyramid {year}", headers, data)


def candidates_xlsx(selection, candidacies) -> bytes:
    headers = [
        _("Rank"),
        _("Unified social credit code"),
        _("Enterprise"),
        _("Route"),
        _("Pre-check"),
        _("Relaxation ground"),
        _("Mean score"),
        _("Status"),
        _("Submitted at"),
    ]
    data = [
        [
            c.rank,
            c.enterprise.organisation.uscc,
            c.enterprise.organisation.name,
            c.get_route_display(),
            verdict_label(c.precheck_verdict),
            c.get_ground_display() if c.ground else "",
            c.mean_score,
            c.get_status_display(),
            formatting.datetime_cn(c.submitted_at),
        ]
        for c in candidacies
    ]
    note = "\n".join(_(line) for line in TIE_RULES)
    return workbook(f"good seedlings {selection.year}", headers, data, note=note)


def applications_xlsx(applications) -> bytes:
    headers = [
        _("Measure"),
        _("Year"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Requested (yuan)"),
        _("Computed (yuan)"),
        _("Approved (yuan)"),
        _("Months"),
        _("Status"),
        _("Reason"),
        _("Decided at"),
        _("Paid on"),
        _("Payment reference"),
    ]
    data = []
    for a in applications:
        paid = getattr(a, "disbursement", None) if a.status == "disbursed" else None
        data.append(
            [
                f"{a.measure} {labels.measure_name(a.measure)}",
                a.year,
                a.enterprise.organisation.name,
                a.enterprise.organisation.uscc,
                a.amount_requested,
                a.amount_computed,
                a.amount_approved,
                a.months,
                a.get_status_display(),
                a.reason,
                formatting.datetime_cn(a.decided_at),
                formatting.date_cn(paid.paid_on) if paid else "",
                paid.reference if paid else "",
            ]
        )
    return workbook("measure decisions", headers, data)


def needs_xlsx(items, today) -> bytes:
    headers = [
        _("Enterprise"),
        _("Unified social credit code"),
        _("Raised on"),
        _("Category"),
        _("Description"),
        _("Due on"),
        _("Status"),
        _("Resolved on"),
        _("Resolution"),
        _("Overdue"),
    ]
    data = [
        [
            n.enterprise.organisation.name,
            n.enterprise.organisation.uscc,
            formatting.date_cn(n.raised_on),
            n.category,
            n.description,
            formatting.date_cn(n.due_on),
            n.get_status_display(),
            formatting.date_cn(n.resolved_on),
            n.resolution,
            formatting.yes_no((n.resolved_on or today) > n.due_on),
        ]
        for n in items
    ]
    return workbook("needs", headers, data)
