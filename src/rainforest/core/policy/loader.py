"""Read and validate rule files. A malformed file is refused whole, with the file, the place
in it and the reason, e.g. ``seed.yaml: criteria[2].test.op: unknown operator '=<'``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from rainforest.core.policy.fields import FIELDS
from rainforest.core.policy.model import (
    CONFIDENCE,
    OPS,
    ORDERING,
    SCORE_FIELDS,
    STRICTNESS,
    AllOf,
    AnyOf,
    Band,
    Compare,
    Criterion,
    Measure,
    RuleSet,
    Score,
    ScorePart,
    Source,
    Tier,
    Unpublished,
    is_score_field,
)

RULES_DIR = Path(__file__).parent / "rules"


class RuleFileError(ValueError):
    def __init__(self, path: str, where: str, message: str):
        super().__init__(f"{path}: {where}: {message}")
        self.path, self.where, self.message = path, where, message


class _Reader:
    """Walks one file's data, remembering where it is for error messages."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, message: str):
        raise RuleFileError(self.path, where or "(top)", message)

    def keys(self, data, where: str, required: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(data, dict):
            self.fail(where, "expected a mapping")
        unknown = set(data) - required - set(optional)
        if unknown:
            self.fail(where, f"unknown key(s) {sorted(unknown)}")
        missing = required - set(data)
        if missing:
            self.fail(where, f"missing key(s) {sorted(missing)}")
        return data

    def date(self, value, where: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(where, f"not a date: {value!r}")

    def number(self, value, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"not a number: {value!r}")
        return float(value)

    def points(self, value, where: str) -> tuple[int, int]:
        if isinstance(value, int) and not isinstance(value, bool):
            return (value, value)
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) for v in value)
            and value[0] <= value[1]
        ):
            return (value[0], value[1])
        self.fail(where, f"points must be an integer or [min, max], not {value!r}")

    def field(self, name, where: str, score_parts: set[str]) -> str:
        if name in FIELDS:
            return name
        if name in SCORE_FIELDS or (isinstance(name, str) and name.startswith("score.") and name[6:] in score_parts):
            return name
        self.fail(where, f"unknown field {name!r}")

    def source(self, data, where: str) -> Source:
        data = self.keys(data, where, {"document"}, {"clause", "refs"})
        return Source(str(data["document"]), str(data.get("clause", "")), tuple(data.get("refs", ())))

    def bands(self, data, where: str, kind: str) -> tuple[Band, ...]:
        if not isinstance(data, list) or not data:
            self.fail(where, "expected a non-empty list of bands")
        bands = []
        for i, raw in enumerate(data):
            at = f"{where}[{i}]"
            raw = self.keys(raw, at, {kind}, {"ge", "gt", "le", "lt"})
            if "ge" in raw and "gt" in raw or "le" in raw and "lt" in raw:
                self.fail(at, "a band has at most one lower and one upper bound")
            bounds = {k: self.number(raw[k], f"{at}.{k}") for k in ("ge", "gt", "le", "lt") if k in raw}
            if kind == "points":
                bands.append(Band(**bounds, points=self.points(raw["points"], f"{at}.points")))
            else:
                bands.append(Band(**bounds, value=self.number(raw["value"], f"{at}.value")))
        self._no_overlap(bands, where)
        return tuple(bands)

    def _no_overlap(self, bands: list[Band], where: str) -> None:
        def low(b):
            return (
                (float("-inf"), True)
                if b.ge is None and b.gt is None
                else ((b.ge, True) if b.ge is not None else (b.gt, False))
            )

        def high(b):
            return (
                (float("inf"), True)
                if b.le is None and b.lt is None
                else ((b.le, True) if b.le is not None else (b.lt, False))
            )

        ordered = sorted(bands, key=lambda b: (low(b)[0], not low(b)[1]))
        for a, b in zip(ordered, ordered[1:], strict=False):
            (ahi, a_closed), (blo, b_closed) = high(a), low(b)
            if ahi > blo or (ahi == blo and a_closed and b_closed):
                self.fail(where, f"bands overlap: [{a.describe()}] and [{b.describe()}]")

    def test(self, data, where: str, parts: set[str]):
        if not isinstance(data, dict):
            self.fail(where, "expected a test")
        if "any_of" in data or "all_of" in data:
            key = "any_of" if "any_of" in data else "all_of"
            self.keys(data, where, {key})
            if not isinstance(data[key], list) or len(data[key]) < 2:
                self.fail(f"{where}.{key}", "needs at least two tests")
            tests = tuple(self.test(t, f"{where}.{key}[{i}]", parts) for i, t in enumerate(data[key]))
            return AnyOf(tests) if key == "any_of" else AllOf(tests)
        if "unpublished" in data:
            self.keys(data, where, {"unpublished"})
            text = self.text(data["unpublished"], f"{where}.unpublished")
            return Unpublished(text["en"], text if len(text) > 1 else {})
        data = self.keys(data, where, {"field", "op"}, {"value", "threshold_by"})
        field = self.field(data["field"], f"{where}.field", parts)
        op = data["op"]
        if op not in OPS:
            self.fail(f"{where}.op", f"unknown operator {op!r}")
        if is_score_field(field) and (op not in ORDERING or "threshold_by" in data):
            # a score is a range, decided when both of its ends are on the same side of a fixed value
            self.fail(f"{where}.op", f"a score takes one of {', '.join(ORDERING)} and a fixed value")
        if op in ("is_true", "is_false"):
            if "value" in data or "threshold_by" in data:
                self.fail(where, f"{op} takes no value")
            return Compare(field, op)
        if op in ("in", "not_in", "any_in"):
            if not isinstance(data.get("value"), list) or not data["value"]:
                self.fail(f"{where}.value", f"{op} needs a non-empty list")
            return Compare(field, op, tuple(str(v) for v in data["value"]))
        if "threshold_by" in data:
            spec = self.keys(data["threshold_by"], f"{where}.threshold_by", {"field", "bands"})
            by = self.field(spec["field"], f"{where}.threshold_by.field", parts)
            return Compare(field, op, None, by, self.bands(spec["bands"], f"{where}.threshold_by.bands", "value"))
        if "value" not in data:
            self.fail(where, f"{op} needs a value or threshold_by")
        return Compare(field, op, self.number(data["value"], f"{where}.value"))

    def score_part(self, data, where: str) -> ScorePart:
        data = self.keys(data, where, {"id", "max"}, {"bands", "field", "max_of", "first_match", "expert", "sum_of"})
        kinds = [k for k in ("bands", "max_of", "first_match", "expert", "sum_of") if k in data]
        if len(kinds) != 1:
            self.fail(where, "a score part is exactly one of bands, max_of, first_match, expert, sum_of")
        kind, pid = kinds[0], str(data["id"])
        maximum = int(self.number(data["max"], f"{where}.max"))
        if kind == "bands":
            field = self.field(data.get("field"), f"{where}.field", set())
            return ScorePart(
                pid, kind, maximum, field=field, bands=self.bands(data["bands"], f"{where}.bands", "points")
            )
        if kind in ("max_of", "sum_of"):
            options = tuple(self.score_part(p, f"{where}.{kind}[{i}]") for i, p in enumerate(data[kind]))
            return ScorePart(pid, kind, maximum, options=options)
        if kind == "expert":
            return ScorePart(pid, kind, maximum, expert=self.points(data["expert"], f"{where}.expert"))
        matches = []
        for i, raw in enumerate(data["first_match"]):
            at = f"{where}.first_match[{i}]"
            raw = self.keys(raw, at, {"points"}, {"field", "op", "value"})
            test = (
                None
                if "field" not in raw
                else self.test({k: raw[k] for k in ("field", "op", "value") if k in raw}, at, set())
            )
            matches.append((test, self.points(raw["points"], f"{at}.points")))
        if matches[-1][0] is not None:
            self.fail(f"{where}.first_match", "the last entry must be the fallback (points only)")
        return ScorePart(pid, kind, maximum, matches=tuple(matches))

    def criterion(self, data, where: str, parts: set[str]) -> Criterion:
        data = self.keys(
            data, where, {"id", "title", "strictness", "source", "confidence"},
            {"test", "readings", "in_force", "relaxation_grounds"},
        )  # fmt: skip
        if ("test" in data) == ("readings" in data):
            self.fail(where, "give either test or readings")
        if data["strictness"] not in STRICTNESS:
            self.fail(f"{where}.strictness", f"unknown strictness {data['strictness']!r}")
        if data["confidence"] not in CONFIDENCE:
            self.fail(f"{where}.confidence", f"unknown confidence grade {data['confidence']!r}")
        if "test" in data:
            tests, default = {"default": self.test(data["test"], f"{where}.test", parts)}, "default"
        else:
            readings = self.keys(data["readings"], f"{where}.readings", {"default", "options"})
            tests = {
                str(k): self.test(v, f"{where}.readings.options.{k}", parts) for k, v in readings["options"].items()
            }
            default = readings["default"]
            if default not in tests or len(tests) < 2:
                self.fail(f"{where}.readings", "needs two or more options and a default among them")
        window = self.keys(data.get("in_force", {}), f"{where}.in_force", set(), {"from", "to"})
        return Criterion(
            id=str(data["id"]), title=self.title(data["title"], f"{where}.title"), tests=tests,
            default_reading=default, strictness=data["strictness"],
            source=self.source(data["source"], f"{where}.source"), confidence=data["confidence"],
            in_force_from=self.date(window.get("from"), f"{where}.in_force.from"),
            in_force_to=self.date(window.get("to"), f"{where}.in_force.to"),
            relaxation_grounds=tuple(data.get("relaxation_grounds", ())),
        )  # fmt: skip

    def text(self, data, where: str) -> dict[str, str]:
        """A display text: English alone, or {en, zh-hans[, zh-hant]} for people reading Chinese."""
        if isinstance(data, str):
            return {"en": data}
        return self.title(data, where)

    def title(self, data, where: str) -> dict[str, str]:
        data = self.keys(data, where, {"zh-hans", "en"}, {"zh-hant"})
        return {k: str(v) for k, v in data.items()}


def _score_ids(part: ScorePart) -> set[str]:
    return {part.id}.union(*(_score_ids(p) for p in part.options)) if part.options else {part.id}


def load_tier(path: Path) -> Tier:
    r = _Reader(path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        r.fail("", f"not valid YAML ({exc})")
    data = r.keys(
        data, "", {"tier", "name", "document", "criteria"},
        {"in_force", "score", "notes", "unresolved"},
    )  # fmt: skip
    score = None
    if "score" in data:
        raw = r.keys(data["score"], "score", {"id", "parts", "source"})
        parts = tuple(r.score_part(p, f"score.parts[{i}]") for i, p in enumerate(raw["parts"]))
        score = Score(str(raw["id"]), parts, r.source(raw["source"], "score.source"))
    part_ids = set().union(*(_score_ids(p) for p in score.parts)) if score else set()
    if not isinstance(data["criteria"], list) or not data["criteria"]:
        r.fail("criteria", "expected a non-empty list")
    criteria = tuple(r.criterion(c, f"criteria[{i}]", part_ids) for i, c in enumerate(data["criteria"]))
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        r.fail("criteria", "criterion ids repeat")
    window = r.keys(data.get("in_force", {}), "in_force", set(), {"from", "to", "source"})
    return Tier(
        id=str(data["tier"]), name=r.title(data["name"], "name"), document=str(data["document"]),
        in_force_from=r.date(window.get("from"), "in_force.from"),
        in_force_to=r.date(window.get("to"), "in_force.to"),
        criteria=criteria, score=score,
        notes=tuple(r.text(n, f"notes[{i}]") for i, n in enumerate(data.get("notes", ()))),
        unresolved=tuple(r.text(n, f"unresolved[{i}]") for i, n in enumerate(data.get("unresolved", ()))),
        in_force_source=r.source(window["source"], "in_force.source") if "source" in window else None,
    )  # fmt: skip


def _measures(r: _Reader, data) -> tuple[Measure, ...]:
    out = []
    for i, m in enumerate(data or ()):
        at = f"measures[{i}]"
        m = r.keys(
            m, at, {"id", "action", "title", "kind", "strictness", "tiers", "frequency", "source", "confidence"},
            {"amount_cny", "parameters"},
        )  # fmt: skip
        out.append(Measure(
            id=str(m["id"]), action=int(m["action"]), title=r.title(m["title"], f"{at}.title"), kind=m["kind"],
            strictness=m["strictness"], amount_cny=m.get("amount_cny"), tiers=tuple(m["tiers"]),
            frequency=m["frequency"], source=r.source(m["source"], f"{at}.source"), confidence=m["confidence"],
            parameters=dict(m.get("parameters", {})),
        ))  # fmt: skip
    return tuple(out)


def load_ruleset(directory: Path = RULES_DIR) -> RuleSet:
    """The rule set in ``directory``: ruleset.yaml plus one tiers/<tier>.yaml per tier."""
    r = _Reader("ruleset.yaml")
    data = r.keys(
        yaml.safe_load((directory / "ruleset.yaml").read_text(encoding="utf-8")), "",
        {"id", "version", "published", "sources"}, {"targets", "measures"},
    )  # fmt: skip
    tiers = {}
    for path in sorted((directory / "tiers").glob("*.yaml")):
        tier = load_tier(path)
        if tier.id in tiers:
            raise RuleFileError(path.name, "tier", f"tier {tier.id!r} defined twice")
        tiers[tier.id] = tier
    return RuleSet(
        id=str(data["id"]), version=str(data["version"]), published=r.date(data["published"], "published"),
        tiers=tiers, measures=_measures(r, data.get("measures")), targets=dict(data.get("targets", {})),
        sources={str(k): str(v) for k, v in data["sources"].items()},
    )  # fmt: skip
