"""A round's compliance report in words: each criterion's value, threshold and note in the reader's
language, with amounts, stakes and units formatted as people read them. The report itself keeps the
engine's figures (it is what the committee's approval signs)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from rainforest import formatting as f
from rainforest.policy import labels as policy_labels
from rainforest.policy.rules import current_ruleset


def units_text(units, unit: str) -> str:
    if unit == "registered_capital_cny":
        return _("%(n)s yuan of registered capital") % {"n": f.whole(units)}
    return _("%(n)s shares") % {"n": f.whole(units)}


def _title(title) -> str:
    from rainforest.policy.templatetags.policy_tags import loc

    return loc(title) if isinstance(title, dict) else str(title or "")


def _fund_row(c: dict, unit: str) -> dict:
    cid, value, threshold = c["id"], c.get("value"), c.get("threshold")
    if cid == "FUND-TICKET":
        shown, limit = f.wan(value), _("at most %(amount)s") % {"amount": f.wan(threshold)}
        why = (
            _("Over the ticket in principle: the committee's override, with its reasons, is needed.")
            if c.get("note")
            else ""
        )
    elif cid == "FUND-STAKE":
        shown, limit = f.percent(value, 2), _("at most %(share)s") % {"share": f.percent(threshold)}
        why = _("Fully diluted after the round, the option pool included.")
    elif cid == "FUND-NOT-LARGEST":
        other = threshold or {}
        shown = units_text(value, unit)
        limit = _("fewer than %(holder)s's %(units)s") % {
            "holder": other.get("holder") or "—",
            "units": units_text(other.get("units", 0), unit),
        }
        why = _("Fully diluted after the round; the unallocated pool and options are not a holder.")
    elif cid == "FUND-CITY-FUNDS":
        shown = units_text(value, unit)
        limit = _("fewer than the largest private holder's %(units)s") % {
            "units": units_text((threshold or {}).get("largest_private_units", 0), unit)
        }
        why = _("The Seedling fund together with the holders marked as city funds.")
    else:  # FACTS: the company has no fiscal year on record
        shown, limit = "—", "—"
        why = _("The company has no fiscal year on record in the registry.")
    return {"value": shown, "threshold": limit, "why": why}


def criteria_rows(report: dict, unit: str = "shares") -> list[dict]:
    """Every criterion of a compliance report, worded: id, title, result, value, threshold, strictness, why."""
    ruleset = current_ruleset()
    rows = []
    for c in report.get("criteria", []):
        cid = c.get("id", "")
        if cid.startswith("FUND-") or cid == "FACTS":
            worded = _fund_row(c, unit)
        else:
            row = policy_labels.criterion_row(ruleset, "fund_target", c)
            worded = {"value": row["value"], "threshold": row["threshold"], "why": row["why"]}
            if cid == "RF-08" and c.get("note") == "valuation = this round's pre-money":
                worded["why"] = _("The valuation is this round's pre-money valuation.")
        rows.append(
            {
                "id": cid,
                "title": _title(c.get("title")),
                "result": c.get("result", ""),
                "strictness": c.get("strictness", ""),
                **worded,
            }
        )
    return rows


def unit_price(value) -> str:
    """A price per share (or per yuan of registered capital): to the fen, with a third and fourth
    decimal only where the price has them (``1.40``, ``1.2345``), never the database's ``1.4000``."""
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not price.is_finite():
        return ""
    return f.number(price, min(4, max(2, -price.normalize().as_tuple().exponent)))


def report_summary(report: dict, unit: str = "shares") -> dict:
    """The headline figures of a compliance report: the price per share, the fund's stake after the
    round and the largest other holder's."""
    largest = report.get("largest_other_holder") or {}
    price = unit_price(report.get("price_per_share")) if report.get("price_per_share") not in (None, "") else ""
    if unit == "registered_capital_cny":
        price = _("%(price)s yuan per yuan of registered capital") % {"price": price}
    else:
        price = _("%(price)s yuan per share") % {"price": price}
    return {
        "price": price,
        "fund_stake": f.percent(report.get("fund_stake"), 2),
        "largest_name": largest.get("name") or "—",
        "largest_stake": f.percent(largest.get("stake"), 2),
    }
