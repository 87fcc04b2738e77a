"""What the policy engine's codes say to people, in the user's language: the quantities rules test,
their operators and readings, the values of coded fields (stages, rounds, clusters), the 2027 target
keys, and the engine's explanations (notes, what is missing, advice).

One place per kind: every page of the policy engine and of the Seedling programme reads them here.
The engine itself (core.policy) keeps its codes and English notes: they are the `rainforest screen`
contract. Its notes are rebuilt here from their fixed wording; one this module does not know is
shown as the engine wrote it.
"""

from __future__ import annotations

import math
import re

from django.utils.translation import get_language, gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rainforest import formatting, place_names
from rainforest.core.facts.industries import HZ296X, OPEN_PREFIX
from rainforest.core.policy.fields import RATIOS
from rainforest.registry.choices import HnteField, Round, Stage
from rainforest.registry.models import YearlyFacts

DERIVED = {
    "age_years": _("years since founding"),
    "is_tech_sme_any": _("on the national or provincial tech-SME register"),
    "hnte_certificate_valid": _("holds a valid high-tech certificate"),
    "ip_total": _("IP held (class I and II)"),
    "rd_to_revenue_3y": _("R&D / revenue over three years"),
    "rd_domestic_share_3y": _("R&D in China / all R&D over three years"),
    "conversions_avg_3y": _("results converted per year (three-year average)"),
    "net_asset_growth": _("net asset growth"),
    "sales_growth": _("sales growth"),
    "years_of_data": _("years of figures"),
    "mainland_registered": _("registered in mainland China"),
    "tech_staff_ratio": _("tech staff / employees"),
    "rd_staff_ratio": _("R&D staff / employees"),
    "rd_to_revenue": _("R&D expense / revenue"),
    "rd_to_total_costs": _("R&D expense / total costs"),
    "high_tech_income_share": _("high-tech income / total income"),
    "score": _("score"),
    "score_range": _("score range"),
    "score.staff": _("tech-staff sub-score"),
    "founded_on": _("founding date"),
    "uscc": _("unified social credit code"),
}

# How a quantity's value is written: money in 元/万元/亿元, ratios as percentages, people and items
# as whole numbers, points as points.
MONEY = frozenset({
    "revenue", "total_costs", "rd_expense", "rd_expense_domestic", "high_tech_income", "total_income",
    "total_assets", "net_assets", "financing_total", "valuation",
})  # fmt: skip
PEOPLE = frozenset({"employees", "tech_staff", "rd_staff"})
ITEMS = frozenset({"ip_class1", "ip_class2", "ip_total", "conversions"})
PERCENT = frozenset(RATIOS) | {"rd_to_revenue_3y", "rd_domestic_share_3y", "net_asset_growth", "sales_growth"}
SCORES = frozenset({"score", "score_range", "score.staff"})
NUMBERS = MONEY | PEOPLE | ITEMS | PERCENT | SCORES | {"age_years", "years_of_data", "conversions_avg_3y"}
CHOICES = {"stage": Stage, "last_round": Round, "hnte_field": HnteField}

# Comparisons, as the condition a value must meet.
OPERATORS = {
    "<=": _("at most %(value)s"),
    "<": _("below %(value)s"),
    ">=": _("at least %(value)s"),
    ">": _("above %(value)s"),
    "==": _("equal to %(value)s"),
    "!=": _("other than %(value)s"),
    "in": _("one of: %(value)s"),
    "not_in": _("none of: %(value)s"),
    "any_in": _("includes one of: %(value)s"),
}

# The named readings of an ambiguous rule (rule files' readings.options).
READINGS = {
    "default": pgettext_lazy("reading of a rule", "as written"),
    "within_100m": _("valuation up to and including 100 million yuan"),
    "below_100m": _("valuation below 100 million yuan"),
    "national_or_provincial": _("either the national or the provincial tech-SME register"),
    "national_only": _("the national tech-SME register only"),
}

# The 2027 targets and yearly numbers of ruleset.yaml: the name, and the unit the number counts.
TARGETS = {
    "tech_sme": _("Tech SMEs"),
    "good_seedling": _("Good seedlings"),
    "hnte": _("High-tech enterprises"),
    "young_eagle": _("Young eagles"),
    "tech_leader": _("Tech leaders"),
    "seed_pool": _("Seed enterprise pool"),
    "good_seedling_per_year": _("Good seedlings selected each year"),
    "exchange_scenarios_per_year": _("Scenarios published each year"),
    "exchange_projects_per_year": _("Projects started each year"),
    "exchange_landings_per_year": _("Results landed each year"),
    "exchange_notice_working_days": _("Public notice of call results"),
}
TARGET_UNITS = {
    "exchange_scenarios_per_year": _("%(n)s scenarios"),
    "exchange_projects_per_year": _("%(n)s projects"),
    "exchange_landings_per_year": _("%(n)s results"),
    "exchange_notice_working_days": _("%(n)s working days"),
}
ENTERPRISES_UNIT = _("%(n)s enterprises")

# The confidence grades of policy-spec §0.1: how the rule's text was read.
CONFIDENCE = {
    "A": _("A: read on a government site"),
    "B": _("B: read in consistent copies of the official text"),
    "C": _("C: only in the press or commentary"),
    "D": _("D: inferred or not verified"),
}
# The five actions of 杭政办函〔2025〕40号 (policy-spec §2.4), by number.
ACTIONS = {
    1: _("Action 1: select and nurture the best seedlings"),
    2: _("Action 2: tend the soil"),
    3: _("Action 3: root and strengthen"),
    4: _("Action 4: help them grow"),
    5: _("Action 5: accompany and protect"),
}

# The tiers measures name that have no rule file of their own.
OTHER_TIERS = {"incubator": _("Ministry or provincial incubator"), "seed_pool": _("Seed enterprise pool")}


def field_label(name: str) -> str:
    if name in DERIVED:
        return str(DERIVED[name])
    try:
        return str(YearlyFacts._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a name that is no model field is shown as it is
        return name


def cluster_label(code: str) -> str:
    """An industry cluster code, or a pattern of them (``HZ296X.*``), in words."""
    code = code.strip()
    if code in HZ296X:
        return place_names.cluster_label(code)
    if code.endswith("*"):
        group = CLUSTER_GROUPS.get(code[:-1])
        if group is not None:
            return str(group)
    if code.startswith(OPEN_PREFIX):
        return gettext("future industry “%(name)s”") % {"name": code.removeprefix(OPEN_PREFIX)}
    return code


def choice_label(field: str, code) -> str:
    choices = CHOICES.get(field)
    if choices is not None and code in choices.values:
        return str(choices(code).label)
    if field == "industries":
        return cluster_label(str(code))
    return str(code)


def listed(items) -> str:
    """Names in a run of text: 、 between them in Chinese, commas in English."""
    return pgettext("list separator", ", ").join(items)


def _number(value) -> str:
    """A plain number: whole ones grouped, others to the precision they need (at most two places)."""
    if isinstance(value, float) and not value.is_integer():
        text = formatting.number(value, 2)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return formatting.number(value, 0)


def money_text(value) -> str:
    """An amount in the unit a reader of a rule expects: 亿元 from a hundred million, 万元 from ten
    thousand (no decimals where none carry), 元 below; in English billions, millions and yuan."""
    amount = float(value)
    english = (get_language() or "").startswith("en")
    large, small = (1_000_000_000, 1_000_000) if english else (100_000_000, 10_000)
    if abs(amount) >= large:
        return formatting.yi(value)
    if abs(amount) >= small:
        return formatting.wan(value, 0 if amount % small == 0 else 2)
    return formatting.yuan(value, 0 if amount.is_integer() else 2)


def value_text(field: str | None, value) -> str:  # noqa: C901, PLR0911 - one branch per kind of quantity
    """A value the engine read or compared, written for people according to what it measures."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and field in NUMBERS:
        try:  # a snapshot kept as JSON holds its numbers as text (audit.trail.jsonable)
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return group_text(value)
    if isinstance(value, bool):
        return formatting.yes_no(value)
    if field in ("score", "score_range") or (field or "").startswith("score."):
        if isinstance(value, list | tuple) and len(value) == 2:
            return gettext("%(low)s to %(high)s points") % {"low": value[0], "high": value[1]}
        return gettext("%(n)s points") % {"n": _number(value)}
    if isinstance(value, list | tuple):
        return listed(value_text(field, v) for v in value)
    if field == "district" and isinstance(value, str):
        return place_names.district_label(value)
    if field == "industries" and isinstance(value, str):
        return listed(cluster_label(c) for c in value.split(";") if c) or "—"
    if field in CHOICES or isinstance(value, str):
        return choice_label(field or "", value)
    if field in MONEY:
        return money_text(value)
    if field in PERCENT:
        return formatting.percent(value)
    if field in PEOPLE:
        return people(value)
    if field in ITEMS:
        return items(value)
    if field == "conversions_avg_3y":
        return gettext("%(n)s a year") % {"n": _number(value)}
    if field in ("age_years", "years_of_data"):
        places = 0 if float(value).is_integer() else 1  # an age to a tenth of a year, a limit as written
        return gettext("%(n)s years") % {"n": formatting.number(value, places)}
    return _number(value)


def people(n, text: str | None = None) -> str:
    """A count of people: "8 人", "8 people", "1 person"."""
    count = int(n) if float(n).is_integer() else 2
    return ngettext("%(n)s person", "%(n)s people", count) % {"n": text or formatting.whole(n)}


def items(n, text: str | None = None) -> str:
    count = int(n) if float(n).is_integer() else 2
    return ngettext("%(n)s item", "%(n)s items", count) % {"n": text or _number(n)}


def group_text(values: dict) -> str:
    """The values a group of tests read ({field: value}), each with its name."""
    parts = []
    for name, value in values.items():
        if name.startswith("#"):  # a nested group: its own values, unnamed
            parts.append(value_text(None, value))
        else:
            parts.append(pgettext("label and value", "%(label)s: %(value)s") % {
                "label": field_label(name), "value": value_text(name, value),
            })  # fmt: skip
    return pgettext("list of conditions", "; ").join(parts)


def condition_text(op: str, field: str | None, value) -> str:
    """What a value must be, without the quantity's name: "at least 10.0 %"."""
    if op in ("is_true", "is_false"):
        return formatting.yes_no(op == "is_true")
    template = OPERATORS.get(op)
    if template is None:
        return f"{op} {value}"
    return str(template) % {"value": value_text(field, value)}


def _quantity(field: str, condition: str) -> str:
    return pgettext("quantity and condition", "%(label)s %(condition)s") % {
        "label": field_label(field), "condition": condition,
    }  # fmt: skip


def _band_text(band, field: str) -> str:
    bounds = [
        condition_text(op, field, getattr(band, key))
        for key, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
        if getattr(band, key) is not None
    ]
    return _quantity(field, pgettext("joining conditions", " and ").join(bounds))


def describe(test) -> str:
    """A rule's test in words, e.g. "employees at most 100 people" or "any of: (…); (…)"."""
    from rainforest.core.policy.model import AllOf, AnyOf, Compare, Unpublished

    if isinstance(test, Unpublished):
        from rainforest.policy.templatetags.policy_tags import loc

        return (
            gettext("Not published: %(reason)s") % {"reason": loc(test.text)} if test.text else str(_("not published"))
        )
    if isinstance(test, AnyOf | AllOf):
        template = _("any of: %(tests)s") if isinstance(test, AnyOf) else _("all of: %(tests)s")
        parts = pgettext("list of conditions", "; ").join(describe(t) for t in test.tests)
        return str(template) % {"tests": parts}
    assert isinstance(test, Compare)
    label = field_label(test.field)
    if test.threshold_bands:
        bands = pgettext("list of conditions", "; ").join(
            gettext("%(band)s: %(condition)s")
            % {"band": _band_text(b, test.threshold_field), "condition": condition_text(test.op, test.field, b.value)}
            for b in test.threshold_bands
        )
        return gettext("%(field)s, by %(by)s: %(bands)s") % {
            "field": label, "by": field_label(test.threshold_field), "bands": bands,
        }  # fmt: skip
    value = list(test.value) if isinstance(test.value, tuple) else test.value
    condition = condition_text(test.op, test.field, value)
    if test.op in ("is_true", "is_false"):
        return pgettext("label and value", "%(label)s: %(value)s") % {"label": label, "value": condition}
    return _quantity(test.field, condition)


def formula(test) -> str:
    """A rule's test as the API has always stated it: 'employees <= 100' with the quantity named."""
    from rainforest.core.policy.model import AllOf, AnyOf, Compare, Unpublished

    if isinstance(test, Unpublished):
        return str(_("not published"))
    if isinstance(test, AnyOf | AllOf):
        word = _("any of") if isinstance(test, AnyOf) else _("all of")
        return f"{word} (" + "; ".join(formula(t) for t in test.tests) + ")"
    assert isinstance(test, Compare)
    label = field_label(test.field)
    if test.op in ("is_true", "is_false"):
        return f"{label} = {_('yes') if test.op == 'is_true' else _('no')}"
    if test.threshold_bands:
        bands = ", ".join(f"{b.describe()} → {b.value:g}" for b in test.threshold_bands)
        return f"{label} {test.op} [{field_label(test.threshold_field)}: {bands}]"
    if isinstance(test.value, tuple):
        return f"{label} {test.op} {', '.join(test.value)}"
    return f"{label} {test.op} {test.value:,.10g}"


def threshold_text(test, threshold) -> str:
    """The threshold column of a result: the condition the value had to meet."""
    from rainforest.core.policy.model import AllOf, AnyOf, Compare, Unpublished

    if test is None:
        return value_text(None, threshold)
    if isinstance(test, Unpublished):
        return str(_("not published"))
    if isinstance(test, AnyOf | AllOf):
        return describe(test)
    assert isinstance(test, Compare)
    if threshold is None:
        return describe(test) if test.threshold_bands else "—"
    return condition_text(test.op, test.field, threshold)


# English left in rule files' source clauses, which `rainforest screen` writes as they are.
SOURCE_WORDS = {"(thresholds not retrieved)": _("(thresholds not retrieved)")}


def source_text(source: str) -> str:
    for words, label in SOURCE_WORDS.items():
        source = source.replace(words, str(label))
    return source


def reading_label(name: str) -> str:
    return str(READINGS.get(name, name))


# The relaxation grounds rule files name (relaxation_grounds); the Seedling round's choices use these.
GROUNDS = {
    "owns_independent_ip": _("Owns independent intellectual property"),
    "fills_market_gap": _("Fills a gap in the market"),
    "disruptive_technology": _("Disruptive technology"),
}


def ground_label(code: str) -> str:
    return str(GROUNDS.get(code, code))


# ------------------------------------------------------------------ the engine's explanations

_YEARS = r"(?P<first>\d{4})–(?P<last>\d{4})"
NOTES = [
    (r"experts decide: the score can be (?P<low>\d+) to (?P<high>\d+)",
     _("experts decide: the score can be %(low)s to %(high)s points")),
    (r"the score can be (?P<low>\d+) to (?P<high>\d+): the known parts do not decide it",
     _("the score can be %(low)s to %(high)s points: the figures given do not decide it")),
    (r"may be relaxed on grounds: (?P<grounds>.+)", _("may be relaxed on one of these grounds: %(grounds)s")),
    (rf"(?P<field>\w+) over {_YEARS} is 0", _("%(field)s over %(first)s–%(last)s is 0")),
    (r"(?P<field>\w+) is 0", _("%(field)s is 0, so the ratio cannot be computed")),
    (r"founded after the as-of date", _("founded after the date checked")),
    (r"no accounting year since founding \((?P<year>\d{4})\)", _("no accounting year since founding (%(year)s)")),
    (r"one accounting year: growth cannot be measured", _("one accounting year only: growth cannot be measured")),
    (r"first year is 0: growth scores 0 points", _("the first year is 0: growth scores 0 points")),
    (r"second year is 0: growth scores 0 points", _("the second year is 0: growth scores 0 points")),
    (r"first year is 0: the last two years are used", _("the first year is 0: the last two years are used")),
    (r"two years of data: actual period used", _("two years of figures: the actual period is used")),
    (rf"operated under three years: the actual period {_YEARS} is used",
     _("in business under three years: the actual period %(first)s–%(last)s is used")),
    (rf"operated under three years: its actual period runs without a gap to the latest year \({_YEARS}\)",
     _("in business under three years: every year from %(first)s to %(last)s is needed")),
    (rf"the founding date decides whether fewer than three accounting years may be used \({_YEARS}\)",
     _("the founding date decides whether fewer than three years may be used (%(first)s–%(last)s)")),
    (rf"operated three years or more at the as-of date: needs all three accounting years \({_YEARS}\)",
     _("in business three years or more: all three years %(first)s–%(last)s are needed")),
]  # fmt: skip
NOTES = [(re.compile(pattern + r"\Z"), template) for pattern, template in NOTES]
MISSING = [
    (re.compile(r"fiscal year (?P<year>\d{4})\Z"), _("the figures for %(year)s")),
    (re.compile(r"(?P<field>\w+) (?P<year>\d{4})\Z"), _("%(field)s for %(year)s")),
    (re.compile(r"\(criteria not published\)\Z"), _("the criteria themselves, which are not published")),
]


def _unpublished_texts() -> dict[str, dict]:
    """Unpublished criteria's reasons (the engine's note) -> the rule file's text in each language."""
    from rainforest.core.policy.model import Unpublished
    from rainforest.policy.rules import current_ruleset

    out = {}
    for tier in current_ruleset().tiers.values():
        for criterion in tier.criteria:
            for test in criterion.tests.values():
                if isinstance(test, Unpublished) and test.text:
                    out[test.reason] = test.text
    return out


def note_text(note: str) -> str:
    """The engine's note (parts joined by "; ") in the user's language."""
    from rainforest.policy.templatetags.policy_tags import loc

    if not note:
        return ""
    # An unpublished criterion's reason may hold "; " itself: it is taken out whole before the split.
    texts = {}
    for i, (reason, text) in enumerate(_unpublished_texts().items()):
        if reason in note:
            token = f"\0{i}\0"
            note, texts[token] = note.replace(reason, token), text
    parts = []
    for part in note.split("; "):
        if part in texts:
            parts.append(loc(texts[part]))
            continue
        for pattern, template in NOTES:
            found = pattern.match(part)
            if found:
                names = found.groupdict()
                if "field" in names:
                    names["field"] = field_label(names["field"])
                if "grounds" in names:
                    names["grounds"] = listed(ground_label(g.strip()) for g in names["grounds"].split(","))
                parts.append(str(template) % names)
                break
        else:
            parts.append(part)
    return pgettext("list of conditions", "; ").join(parts)


def missing_label(item: str) -> str:
    for pattern, template in MISSING:
        found = pattern.match(item)
        if found:
            names = found.groupdict()
            if "field" in names:
                names["field"] = field_label(names["field"])
            return str(template) % names
    if re.fullmatch(r"[a-z_0-9.]+", item):
        return field_label(item)
    return note_text(item)


def missing_text(items) -> str:
    """ "Missing: …." for a criterion the data cannot decide."""
    if not items:
        return ""
    return gettext("Missing: %(items)s.") % {"items": listed(dict.fromkeys(missing_label(m) for m in items))}


WHOLE_FIELDS = PEOPLE | ITEMS


def advice_text(advice) -> str:
    """What would just pass, in words: people and items are whole (at least 6.8 people is at least 7)."""
    if advice is None:
        return ""
    if advice.field in WHOLE_FIELDS:
        # At least 6.8 people is at least 7; at most 6.8 people is at most 6.
        target = math.ceil(advice.target) if advice.direction == "raise" else math.floor(advice.target)
        unit = people if advice.field in PEOPLE else items
        now, to = unit(advice.current), unit(target)
    else:
        now, to = value_text(advice.field, advice.current), value_text(advice.field, advice.target)
    values = {"field": field_label(advice.field), "now": now, "to": to}
    if advice.direction == "raise":
        return gettext("To pass: raise %(field)s from %(now)s to at least %(to)s.") % values
    return gettext("To pass: lower %(field)s from %(now)s to at most %(to)s.") % values


# ------------------------------------------------------------------ tiers, measures, targets


def tier_name(tier_id: str) -> str:
    from rainforest.policy.rules import current_ruleset
    from rainforest.policy.templatetags.policy_tags import loc

    tier = current_ruleset().tiers.get(tier_id)
    if tier is not None:
        return loc(tier.name)
    return str(OTHER_TIERS.get(tier_id, tier_id))


def measure_name(measure_id: str) -> str:
    """A measure's title in the user's language (its code where the rule set no longer has it)."""
    from rainforest.policy.rules import current_ruleset
    from rainforest.policy.templatetags.policy_tags import loc

    for measure in current_ruleset().measures:
        if measure.id == measure_id:
            return loc(measure.title)
    return measure_id


def targets(ruleset) -> list[dict]:
    """The rule set's targets, each with its name and its number in words."""
    rows = []
    for key, number in ruleset.targets.items():
        unit = TARGET_UNITS.get(key, ENTERPRISES_UNIT)
        rows.append({"key": key, "label": str(TARGETS.get(key, key)),
                     "value": str(unit) % {"n": formatting.whole(number)}})  # fmt: skip
    return rows


# ------------------------------------------------------------------ result tables


def _test_of(ruleset, tier_id: str, criterion_id: str, reading: str | None = None):
    tier = ruleset.tiers.get(tier_id)
    criterion = next((c for c in tier.criteria if c.id == criterion_id), None) if tier else None
    if criterion is None:
        return None
    return criterion.tests.get(reading or criterion.default_reading, criterion.test)


def criterion_row(ruleset, tier_id: str, c, advice=None) -> dict:
    """One criterion's result (an engine CriterionResult or a screen record's dict) for a table."""
    get = c.get if isinstance(c, dict) else lambda k, d=None: getattr(c, k, d)
    test = _test_of(ruleset, tier_id, get("id"), get("reading"))
    field = getattr(test, "field", None)
    why = [missing_text(get("missing") or ()), note_text(get("note") or ""), advice_text(advice)]
    return {
        "c": c, "id": get("id"), "result": get("result"), "strictness": get("strictness"),
        "source": source_text(get("source") or ""),
        "value": value_text(field, get("value")), "threshold": threshold_text(test, get("threshold")),
        "why": " ".join(w if w.endswith(("。", ".")) else w + gettext(".") for w in why if w),
    }  # fmt: skip


def results_context(ruleset, results, advice) -> dict:
    """Tier results laid out for the policy/_tier_results.html partial: each criterion with its value
    and threshold in words and why it did not pass ("to pass: raise X from A to at least B")."""
    tiers = []
    for tier_id, result in results.items():
        rows = [criterion_row(ruleset, tier_id, c, advice.get((tier_id, c.id))) for c in result.criteria]
        tiers.append({"tier": ruleset.tiers[tier_id], "result": result, "rows": rows})
    return {"tiers": tiers, "ruleset": ruleset}


# Patterns of cluster codes the rule files test (``HZ296X.F.*``), in words.
CLUSTER_GROUPS = {
    "HZ296X.": _("any of Hangzhou's 296X advanced manufacturing clusters"),
    "HZ296X.T.": _("any of the two leading AI clusters"),
    "HZ296X.H.": _("any of the nine advanced manufacturing clusters"),
    "HZ296X.F.": _("any future-industry field"),
    "HZ296X.X.": _("any other future-industry field"),
}
