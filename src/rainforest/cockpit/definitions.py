"""Indicator definitions: the published catalogue (catalogue.yaml) and officers' own, versioned.

A definition is a plain dict (the catalogue's entry) stored whole in each ``IndicatorVersion``; the
latest version of each indicator is in force. ``sync_catalogue`` writes a new version of every
catalogue indicator whose entry changed, on each ``migrate``: like the rule set, the catalogue is part
of a release, and each version names the catalogue version it came with (not an audit event: a
release is no one's action on the platform). An officer's own definition is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils import translation

from rainforest.accounts.permissions import Principal
from rainforest.audit import trail
from rainforest.core.cockpit.trajectory import TargetKind
from rainforest.core.hant import converter

CATALOGUE = Path(__file__).with_name("catalogue.yaml")
UNITS = ("count", "yuan", "percent", "growth")
KINDS = ("computed", "entered")
BREAKDOWNS = ("district", "cluster", "domain", "measure")
GROUPS = ("seedling", "exchange", "fund", "carriers", "city")
SYSTEM = Principal.system("system:cockpit")


@dataclass(frozen=True)
class Definition:
    code: str
    version: int
    raw: dict
    origin: str = "catalogue"  # or "officer": defined on the cockpit's page

    def text(self, field: str) -> str:
        """A three-language field in the reader's language (Traditional from Simplified if absent)."""
        values = self.raw.get(field) or {}
        lang = (translation.get_language() or "zh-hans").lower()
        if lang.startswith("en"):
            return values.get("en") or values.get("zh-hans", "")
        if lang == "zh-hant":
            return values.get("zh-hant") or _to_traditional(values.get("zh-hans", ""))
        return values.get("zh-hans") or values.get("en", "")

    @property
    def name(self) -> str:
        return self.text("name")

    @property
    def department(self) -> str:
        return self.text("department")

    @property
    def counting(self) -> str:
        return self.text("counting")

    @property
    def unit(self) -> str:
        return self.raw["unit"]

    @property
    def kind(self) -> str:
        return self.raw["kind"]

    @property
    def computation(self) -> str:
        return self.raw.get("computation", "")

    @property
    def target(self) -> Decimal | None:
        value = self.raw.get("target")
        return None if value is None else Decimal(str(value))

    @property
    def target_kind(self) -> TargetKind:
        return TargetKind(self.raw.get("target_kind", "none"))

    @property
    def target_date(self) -> dt.date | None:
        value = self.raw.get("target_date")
        return dt.date.fromisoformat(str(value)) if value else None

    @property
    def target_ref(self) -> str:
        return self.raw.get("target_ref", "")

    @property
    def direction(self) -> str:
        return self.raw.get("direction", "up")

    @property
    def breakdowns(self) -> list[str]:
        return list(self.raw.get("breakdowns") or [])

    @property
    def group(self) -> str:
        return self.raw.get("group") or "city"

    @property
    def public(self) -> bool:
        return bool(self.raw.get("public"))

    @property
    def sources(self) -> list[str]:
        return list((self.raw.get("source") or {}).get("refs") or [])

    @property
    def source_documents(self) -> list[str]:
        """The documents behind the source ids, in the reader's language, each with its id."""
        names = catalogue_sources()
        out = []
        for ref in self.sources:
            doc = names.get(ref.split("-")[0], {})
            lang = (translation.get_language() or "zh-hans").lower()
            if lang.startswith("en"):
                text = doc.get("en")
            elif lang == "zh-hant":
                text = _to_traditional(doc.get("zh-hans", ""))
            else:
                text = doc.get("zh-hans")
            out.append(f"{text}（{ref}）" if text and not lang.startswith("en") else f"{text} ({ref})" if text else ref)
        return list(dict.fromkeys(out))

    @property
    def grade(self) -> str:
        return (self.raw.get("source") or {}).get("grade", "")


def _to_traditional(text: str) -> str:
    return converter().convert(text) if text else ""


class CatalogueError(ValueError):
    pass


def load_catalogue(path: Path = CATALOGUE) -> tuple[str, list[dict]]:
    """(version, entries), each entry checked: a bad catalogue stops the release, not a page."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data["indicators"]
    codes = [e["code"] for e in entries]
    if len(set(codes)) != len(codes):
        raise CatalogueError("duplicate indicator code in the catalogue")
    for entry in entries:
        check(entry, known=set(codes))
    return str(data["version"]), entries


def check(entry: dict, known: set[str]) -> None:
    code = entry.get("code", "?")
    if entry.get("unit") not in UNITS:
        raise CatalogueError(f"{code}: unit must be one of {UNITS}")
    if entry.get("kind") not in KINDS:
        raise CatalogueError(f"{code}: kind must be one of {KINDS}")
    if entry["kind"] == "computed":
        from rainforest.cockpit.computations import SERIES

        if entry.get("computation") not in SERIES:
            raise CatalogueError(f"{code}: unknown computation {entry.get('computation')!r}")
    kind = TargetKind(entry.get("target_kind", "none"))
    if kind in (TargetKind.LEVEL, TargetKind.PER_YEAR) and entry.get("target") is None:
        raise CatalogueError(f"{code}: a {kind} target needs a value")
    if kind == TargetKind.LEVEL and not entry.get("target_date"):
        raise CatalogueError(f"{code}: a level target needs a date")
    if kind == TargetKind.EXCEEDS and entry.get("target_ref") not in known:
        raise CatalogueError(f"{code}: target_ref must name another indicator")
    if entry.get("group", "city") not in GROUPS:
        raise CatalogueError(f"{code}: group must be one of {GROUPS}")
    if any(b not in BREAKDOWNS for b in entry.get("breakdowns") or []):
        raise CatalogueError(f"{code}: breakdowns must be among {BREAKDOWNS}")
    for field in ("name", "department", "counting"):
        if not (entry.get(field) or {}).get("zh-hans") or not (entry.get(field) or {}).get("en"):
            raise CatalogueError(f"{code}: {field} needs zh-hans and en")


def _normal(entry: dict) -> dict:
    """The entry as it reads back from a JSON column (dates as ISO text), to compare versions."""
    return trail.jsonable(entry)


def sync_catalogue(path: Path = CATALOGUE) -> list[str]:
    """Write a new version of every catalogue indicator whose definition changed; return their codes."""
    from rainforest.cockpit.models import Indicator, IndicatorVersion

    version, entries = load_catalogue(path)
    changed: list[str] = []
    with transaction.atomic():
        indicators = {i.code: i for i in Indicator.objects.select_for_update()}
        latest = _latest_versions()
        for entry in entries:
            entry = _normal(entry)
            indicator = indicators.get(entry["code"])
            if indicator is None:
                indicator = Indicator.objects.create(code=entry["code"], origin=Indicator.Origin.CATALOGUE)
            current = latest.get(indicator.pk)
            if current is not None and current.definition == entry:
                continue
            number = current.version + 1 if current else 1
            IndicatorVersion.objects.create(
                indicator=indicator, version=number, definition=entry, catalogue_version=version
            )
            changed.append(entry["code"])
    return changed


def on_post_migrate(sender, **kwargs) -> None:
    sync_catalogue()


def _latest_versions():
    from rainforest.cockpit.models import IndicatorVersion

    newest = IndicatorVersion.objects.values("indicator_id").annotate(v=Max("version"))
    wanted = {(row["indicator_id"], row["v"]) for row in newest}
    rows = IndicatorVersion.objects.filter(version__in={v for _, v in wanted})
    return {r.indicator_id: r for r in rows if (r.indicator_id, r.version) in wanted}


@cache
def catalogue_sources(path: Path = CATALOGUE) -> dict[str, dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("sources") or {}


@cache
def _catalogue_order() -> dict[str, int]:
    return {e["code"]: n for n, e in enumerate(load_catalogue()[1])}


def current_definitions() -> tuple[Definition, ...]:
    """Every indicator's definition in force, in catalogue order then officers' in creation order
    (three queries; read fresh each time, so every web process sees an officer's edit at once)."""
    from rainforest.cockpit.models import Indicator

    latest = _latest_versions()
    order = _catalogue_order()
    indicators = sorted(Indicator.objects.all(), key=lambda i: (order.get(i.code, len(order)), i.pk))
    return tuple(
        Definition(i.code, latest[i.pk].version, latest[i.pk].definition, i.origin)
        for i in indicators
        if i.pk in latest
    )


def definition(code: str) -> Definition | None:
    return next((d for d in current_definitions() if d.code == code), None)


CODE = re.compile(r"^[a-z][a-z0-9_]{2,63}$")


class DefinitionRefused(ValueError):
    pass


def indicator_define(
    *, actor: Principal, code: str, name_zh_hans: str, name_en: str, unit: str, target_kind: str,
    target: Decimal | None, target_date: dt.date | None, department_zh_hans: str, department_en: str,
    counting_zh_hans: str, counting_en: str, public: bool,
) -> Definition:  # fmt: skip
    """An officer's own entered indicator, or a new version of one: the published catalogue's
    indicators change only with a release."""
    from django.utils.translation import gettext as _

    from rainforest.accounts.permissions import COCKPIT_ENTER
    from rainforest.cockpit.models import Indicator, IndicatorVersion

    actor.require(COCKPIT_ENTER)
    if not CODE.match(code):
        raise DefinitionRefused(_("The code is 3 to 64 lower-case letters, digits or “_”, starting with a letter."))
    if target_kind not in (TargetKind.LEVEL, TargetKind.PER_YEAR, TargetKind.NONE):
        raise DefinitionRefused(_("Choose how the target is judged."))
    entry = {
        "code": code, "name": {"zh-hans": name_zh_hans, "en": name_en}, "unit": unit, "kind": "entered",
        "target_kind": target_kind, "department": {"zh-hans": department_zh_hans, "en": department_en},
        "counting": {"zh-hans": counting_zh_hans, "en": counting_en}, "source": {"refs": [], "grade": ""},
        "breakdowns": [], "public": public,
    }  # fmt: skip
    if target_kind != TargetKind.NONE:
        if target is None:
            raise DefinitionRefused(_("A target needs its value."))
        entry["target"] = float(target) if unit in ("percent", "growth") else int(target)
    if target_kind == TargetKind.LEVEL:
        if target_date is None:
            raise DefinitionRefused(_("A target to reach needs its date."))
        entry["target_date"] = target_date.isoformat()
    try:
        check(entry, known=set())
    except CatalogueError as exc:
        raise DefinitionRefused(str(exc)) from exc
    entry = _normal(entry)
    with transaction.atomic():
        indicator, created = Indicator.objects.select_for_update().get_or_create(
            code=code, defaults={"origin": Indicator.Origin.OFFICER}
        )
        if indicator.origin != Indicator.Origin.OFFICER:
            raise DefinitionRefused(_("This indicator is in the published catalogue; it changes only with a release."))
        current = _latest_versions().get(indicator.pk)
        if current is not None and current.definition == entry:
            return Definition(code, current.version, current.definition, indicator.origin)
        number = current.version + 1 if current else 1
        IndicatorVersion.objects.create(indicator=indicator, version=number, definition=entry, created_by=actor.user)
        trail.record(
            actor, "cockpit.indicator.defined", subject_type="indicator", subject_id=code,
            subject_label=name_zh_hans, before=current.definition if current else None, after=entry,
        )  # fmt: skip
    return Definition(code, number, entry, indicator.origin)
