"""The engine's reason codes in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rainforest.accounts.choices import OrganisationKind
from rainforest.core.matching.documents import Reason
from rainforest.exchange.choices import Domain
from rainforest.formatting import percent
from rainforest.place_names import district_label

# A cosine similarity of the LSA at which two texts read as about the same thing; below it, only
# loosely related (a 7 % likeness is not "similar").
CLOSE_IN_MEANING = 0.3


def _filter_name(name: str) -> str:
    return {
        "domain": _("domain"),
        "district": _("district"),
        "min_trl": _("technology readiness"),
        "org_kind": _("kind of organisation"),
    }.get(name, name)


def _value(name: str, value: str) -> str:
    if name == "domain" and value in Domain.values:
        return str(Domain(value).label)
    if name == "org_kind" and value in OrganisationKind.values:
        return str(OrganisationKind(value).label)
    if name == "district":
        return district_label(value)
    if name == "min_trl":
        return _("level %(n)s") % {"n": value}
    return str(value)


def describe(reason: Reason) -> str:
    p = reason.params
    match reason.code:
        case "terms":
            telling = [t for t in p["terms"] if t not in p.get("common", ())]
            if telling:
                return _("Shared terms: %(terms)s") % {"terms": "、".join(telling)}
            return _("Only common words are shared: %(terms)s") % {"terms": "、".join(p["terms"])}
        case "synonyms":
            # Terms of one concept set: synonyms (机器狗, 四足机器人) or close kin (消防, 森林防火).
            return _("Related terms: %(pairs)s") % {"pairs": "、".join(f"{a} ≈ {b}" for a, b in p["pairs"])}
        case "semantic":
            value = {"value": percent(p["similarity"], 0)}
            if p["similarity"] >= CLOSE_IN_MEANING:
                return _("Similar in meaning (%(value)s alike)") % value
            return _("Loosely related in meaning (%(value)s alike)") % value
        case "neighbours":
            return _("Close in meaning to the best matches, though worded differently")
        case "filter":
            return _("Meets the %(name)s required: %(value)s") % {
                "name": _filter_name(p["name"]),
                "value": _value(p["name"], p["value"]),
            }
        case "boost":
            return _("Same %(name)s: %(value)s") % {
                "name": _filter_name(p["name"]),
                "value": _value(p["name"], p["value"]),
            }
    return reason.code


def level_label(level: str) -> str:
    """A hit's calibrated level in words (what share of such results officers judged relevant:
    see ranking.yaml's calibration)."""
    return {
        "strong": _("Strong match"),
        "possible": _("Possible match"),
        "weak": _("Weak match"),
    }.get(level, level)


NOTICES = {
    "empty_query": lambda: _("Type a few words to search: the query has no searchable words."),
    "query_cut": lambda: _("The query was very long; only its first 4,000 characters were used."),
    "encoder_unavailable": lambda: _("Semantic ranking is not available here; results are ranked by shared terms."),
    "no_profile": lambda: _("Publish a capability first, or type what you offer, to get recommendations."),
}


def notice(code: str) -> str:
    return NOTICES[code]() if code in NOTICES else code
