"""Every change to the registry: imports and edits, each in one transaction with its audit."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.choices import OrganisationKind
from rainforest.accounts.errors import StaleEdit
from rainforest.accounts.models import Organisation
from rainforest.accounts.permissions import (
    REGISTRY_EDIT_OWN,
    REGISTRY_IMPORT,
    Principal,
)
from rainforest.audit import trail
from rainforest.core.facts.reader import ReadError, read_table
from rainforest.core.facts.schema import BY_NAME, YEAR_COLUMNS
from rainforest.core.facts.validate import Problem, cross_checks, parse_cell, validate_rows
from rainforest.core.facts.writer import cell_text
from rainforest.registry.models import Enterprise, FinancingRound, Recognition, YearlyFacts
from rainforest.registry.signals import inputs_changed

FACT_FIELDS = tuple(c for c in YEAR_COLUMNS if c != "fiscal_year")


class ImportRefused(Exception):
    """The file was refused as a whole; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class FactsInvalid(Exception):
    """An edit breaks a rule of the facts schema; ``problems`` say which."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    sha256: str
    rows: int = 0
    enterprises_created: int = 0
    enterprises_updated: int = 0
    facts_created: int = 0
    facts_updated: int = 0
    facts_unchanged: int = 0


def facts_import(*, actor: Principal, data: bytes, filename: str = "", today: dt.date | None = None) -> ImportReport:
    """Import a facts table all-or-nothing; re-importing the same file changes nothing."""
    actor.require(REGISTRY_IMPORT)
    today = today or timezone.localdate()
    try:
        sheet = read_table(data, filename)
    except ReadError as exc:
        raise ImportRefused([Problem(0, "", "", f"file_{exc.code}")]) from exc
    result = validate_rows(sheet.header, sheet.rows, today)
    if not result.ok:
        raise ImportRefused(result.problems)
    present = [c for c in FACT_FIELDS if c in sheet.header]
    report = ImportReport(sha256=hashlib.sha256(data).hexdigest(), rows=len(result.rows))
    with transaction.atomic():
        _apply(actor, result.rows, present, report, filename)
    return report


def _organisations(rows: list[dict], actor: Principal, report: ImportReport, changes: list):
    """Create or update the enterprise organisations the rows name; return uscc -> Enterprise."""
    latest: dict[str, dict] = {}
    for row in rows:
        if row["uscc"] not in latest or row["fiscal_year"] > latest[row["uscc"]]["fiscal_year"]:
            latest[row["uscc"]] = row
    orgs = {o.uscc: o for o in Organisation.objects.filter(uscc__in=list(latest))}
    wrong_kind = [
        Problem(latest[c]["_row"], "uscc", c, "not_an_enterprise")
        for c, o in orgs.items()
        if o.kind != OrganisationKind.ENTERPRISE
    ]
    if wrong_kind:
        raise ImportRefused(wrong_kind)
    new_orgs = [
        Organisation(uscc=c, name=r["name"], kind=OrganisationKind.ENTERPRISE, district=r["district"] or "")
        for c, r in latest.items()
        if c not in orgs
    ]
    Organisation.objects.bulk_create(new_orgs, batch_size=500)
    orgs.update({o.uscc: o for o in Organisation.objects.filter(uscc__in=[o.uscc for o in new_orgs])})
    enterprises = {
        e.organisation.uscc: e
        for e in Enterprise.objects.filter(organisation__uscc__in=list(latest)).select_related("organisation")
    }
    missing = [Enterprise(organisation=orgs[c], founded_on=latest[c]["founded_on"])
               for c in latest if c not in enterprises]  # fmt: skip
    Enterprise.objects.bulk_create(missing, batch_size=500)
    for e in missing:
        enterprises[e.organisation.uscc] = e
        report.enterprises_created += 1
        changes.append(trail.Change(
            "registry.enterprise.created", "enterprise", e.organisation.uscc, e.organisation.name,
            after={"name": e.organisation.name, "founded_on": e.founded_on},
        ))  # fmt: skip
    changed_orgs, changed_ents = [], []
    for c, row in latest.items():
        org, ent = orgs[c], enterprises[c]
        before = {"name": org.name, "founded_on": ent.founded_on, "district": org.district}
        after = {
            "name": row["name"], "founded_on": row["founded_on"],
            "district": row["district"] or org.district,  # a blank cell does not erase it
        }  # fmt: skip
        if before != after:
            org.name, org.district, org.version = after["name"], after["district"], org.version + 1
            changed_orgs.append(org)
            if ent.founded_on != after["founded_on"]:
                ent.founded_on, ent.version = after["founded_on"], ent.version + 1
                changed_ents.append(ent)
            report.enterprises_updated += 1
            changes.append(trail.Change(
                "registry.enterprise.updated", "enterprise", c, row["name"], before=before,
                after=after,
            ))  # fmt: skip
    Organisation.objects.bulk_update(changed_orgs, ["name", "district", "version"], batch_size=500)
    Enterprise.objects.bulk_update(changed_ents, ["founded_on", "version"], batch_size=500)
    return enterprises


def _apply(actor, rows, present, report, filename) -> None:
    changes: list[trail.Change] = []
    enterprises = _organisations(rows, actor, report, changes)
    existing = {
        (f.enterprise_id, f.fiscal_year): f
        for f in YearlyFacts.objects.filter(enterprise__in=list(enterprises.values()))
    }
    to_create, to_update = [], []
    for row in rows:
        ent = enterprises[row["uscc"]]
        label = f"{row['name']} {row['fiscal_year']}"
        subject = f"{row['uscc']}/{row['fiscal_year']}"
        facts = existing.get((ent.pk, row["fiscal_year"]))
        if facts is None:
            values = {c: row[c] for c in present}
            to_create.append(YearlyFacts(enterprise=ent, fiscal_year=row["fiscal_year"], **values))
            report.facts_created += 1
            changes.append(trail.Change("registry.facts.created", "facts", subject, label,
                                        after=values))  # fmt: skip
            continue
        before = {c: getattr(facts, c) for c in present if getattr(facts, c) != row[c]}
        if not before:
            report.facts_unchanged += 1
            continue
        after = {c: row[c] for c in before}
        for c, v in after.items():
            setattr(facts, c, v)
        facts.version += 1
        to_update.append(facts)
        report.facts_updated += 1
        changes.append(trail.Change("registry.facts.updated", "facts", subject, label,
                                    before=before, after=after))  # fmt: skip
    YearlyFacts.objects.bulk_create(to_create, batch_size=500)
    YearlyFacts.objects.bulk_update(to_update, [*present, "version"], batch_size=500)
    if to_create or to_update or report.enterprises_updated:
        inputs_changed(e.pk for e in enterprises.values())
    summary = asdict(report)
    summary["file"] = filename[:200]
    changes.append(trail.Change("registry.import.completed", "import", report.sha256[:16],
                                filename[:200], after=summary))  # fmt: skip
    trail.record_many(actor, changes)


def _require_own(actor: Principal, enterprise: Enterprise) -> None:
    if actor.is_system:
        return
    actor.require(REGISTRY_EDIT_OWN)
    if enterprise.organisation_id != actor.organisation_id:
        raise PermissionDenied


def _check_values(enterprise: Enterprise, year: int, values: dict, today: dt.date) -> None:
    """The import's own cell and row rules, so a form, the API and a file agree."""
    problems = []
    for name in FACT_FIELDS:
        raw = cell_text(values.get(name))
        _value, code, params = parse_cell(BY_NAME[name], raw, today)
        if code:
            problems.append(Problem(0, name, raw, code, params))
    row = {**values, "fiscal_year": year, "founded_on": enterprise.founded_on}
    problems += [Problem(0, col, str(row[col]), code) for col, code in cross_checks(row)]
    if year > today.year:
        problems.append(Problem(0, "fiscal_year", str(year), "year_future", {"year": today.year}))
    if problems:
        raise FactsInvalid(problems)


@transaction.atomic
def facts_save(
    *,
    actor: Principal,
    enterprise: Enterprise,
    fiscal_year: int,
    values: dict,
    version: int | None,
    today: dt.date | None = None,
) -> YearlyFacts:
    """Create or edit one year; ``version`` is what the editor saw (None for a new year)."""
    _require_own(actor, enterprise)
    _check_values(enterprise, fiscal_year, values, today or timezone.localdate())
    facts = YearlyFacts.objects.select_for_update().filter(enterprise=enterprise, fiscal_year=fiscal_year).first()
    subject = f"{enterprise.organisation.uscc}/{fiscal_year}"
    label = f"{enterprise.organisation.name} {fiscal_year}"
    if facts is None:
        if version is not None:
            raise StaleEdit(_("This year's figures were removed after you opened them."))
        facts = YearlyFacts.objects.create(enterprise=enterprise, fiscal_year=fiscal_year, **values)
        trail.record(actor, "registry.facts.created", subject_type="facts", subject_id=subject,
                     subject_label=label, after=values)  # fmt: skip
        return facts
    if version != facts.version:
        raise StaleEdit(
            _("Someone else saved these figures after you opened them. Reload to see their "
              "changes, then apply yours again.")
        )  # fmt: skip
    before = {c: getattr(facts, c) for c in values if getattr(facts, c) != values[c]}
    if before:
        for c in before:
            setattr(facts, c, values[c])
        facts.version += 1
        facts.save()
        trail.record(actor, "registry.facts.updated", subject_type="facts", subject_id=subject,
                     subject_label=label, before=before,
                     after={c: values[c] for c in before})  # fmt: skip
    return facts


@transaction.atomic
def enterprise_profile_update(
    *, actor: Principal, enterprise: Enterprise, version: int, name: str, district: str,
    founded_on: dt.date,
) -> Enterprise:  # fmt: skip
    _require_own(actor, enterprise)
    ent = Enterprise.objects.select_for_update().select_related("organisation").get(pk=enterprise.pk)
    org = ent.organisation
    if ent.version != version:
        raise StaleEdit(_("Someone else changed this profile after you opened it."))
    if founded_on > timezone.localdate():
        raise FactsInvalid([Problem(0, "founded_on", str(founded_on), "date_future",
                                    {"today": timezone.localdate().isoformat()})])  # fmt: skip
    before = {"name": org.name, "district": org.district, "founded_on": ent.founded_on}
    after = {"name": name, "district": district, "founded_on": founded_on}
    if before == after:
        return ent
    org.name, org.district = name, district
    org.version += 1
    org.full_clean()
    org.save()
    ent.founded_on = founded_on
    ent.version += 1
    ent.save()
    trail.record(actor, "registry.enterprise.updated", subject_type="enterprise",
                 subject_id=org.uscc, subject_label=name, before=before, after=after)  # fmt: skip
    return ent


def facts_export_file(*, actor: Principal, fmt: str) -> tuple[bytes, int]:
    """The visible registry in the canonical schema, and its number of rows. Not audited here:
    ``facts_export`` records the export at once, a background export when its file is kept."""
    from rainforest.core.facts import writer
    from rainforest.registry.selectors import facts_export_rows

    rows = list(facts_export_rows(actor=actor))
    return (writer.to_xlsx(rows) if fmt == "xlsx" else writer.to_csv(rows)), len(rows)


def facts_export(*, actor: Principal, fmt: str) -> bytes:
    """The visible registry in the canonical schema; the export itself is audited."""
    body, rows = facts_export_file(actor=actor, fmt=fmt)
    with transaction.atomic():
        trail.record(actor, "registry.exported", subject_type="export", subject_label=fmt,
                     after={"rows": rows, "format": fmt, "sha256": hashlib.sha256(body).hexdigest()})  # fmt: skip
    return body


@transaction.atomic
def recognitions_record(*, actor: Principal, items: list[Recognition]) -> None:
    """Record recognitions granted by the authorities (from their published lists)."""
    actor.require(REGISTRY_IMPORT)
    Recognition.objects.bulk_create(items, batch_size=500)
    inputs_changed(r.enterprise_id for r in items)
    trail.record_many(actor, [
        trail.Change("registry.recognition.recorded", "enterprise", r.enterprise.organisation.uscc,
                     r.enterprise.organisation.name,
                     after={"kind": r.kind, "year": r.year, "valid_from": r.valid_from,
                            "valid_until": r.valid_until})
        for r in items
    ])  # fmt: skip


@transaction.atomic
def financing_rounds_record(*, actor: Principal, items: list[FinancingRound]) -> None:
    actor.require(REGISTRY_IMPORT)
    FinancingRound.objects.bulk_create(items, batch_size=500)
    trail.record_many(actor, [
        trail.Change("registry.round.recorded", "enterprise", r.enterprise.organisation.uscc,
                     r.enterprise.organisation.name,
                     after={"round": r.round, "closed_on": r.closed_on, "amount": r.amount,
                            "post_money": r.post_money})
        for r in items
    ])  # fmt: skip
