"""Cap-table refusals from core/captable (codes and parameters) in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rainforest import formatting
from rainforest.core.captable.ocf import OcfError
from rainforest.core.captable.round import RoundError
from rainforest.core.captable.table import TableError


def _text(code: str, params: dict) -> str:
    params = dict(params)
    if "on" in params:
        params["on"] = formatting.date_cn(params["on"])
    for key in ("units", "held"):
        if isinstance(params.get(key), int):
            params[key] = formatting.whole(params[key])
    messages = {
        "more_than_held": _("%(on)s: %(holder)s holds %(held)s units, fewer than the %(units)s asked for."),
        "not_positive": _("%(on)s: the number of units must be more than zero."),
        "needs_holder": _("%(on)s: this change needs a holder."),
        "needs_buyer": _("%(on)s: a transfer needs a buyer."),
        "unknown_event": _("%(on)s: unknown kind of change."),
        "pre_money_short": _("The pre-money valuation does not cover the converting instruments."),
        "pre_money": _("The pre-money valuation must be more than zero."),
        "holder_name": _("The holder name %(name)s is not allowed."),
        "shares": _("%(name)s: shares must be a whole number, zero or more."),
        "no_shares": _("There are no shares before the round: record the table first."),
        "amount": _("%(name)s: the amount must be more than zero."),
        "pool": _("Options and the pool must be zero or more."),
        "pool_pct": _("The option pool after the round must be between 0 and 100 %."),
        "no_investor": _("The round has no investor."),
    }
    return messages.get(code, code) % params if code in messages else code


def _ocf_text(code: str, params: dict) -> str:
    """One problem of an OCF package. Object types, ids and field names stay as the file writes them:
    they are what the reader looks for in the file."""
    shown = {"an object": _("an object"), "a list": _("a list")}
    params = {k: shown.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    for key in ("max", "mb"):
        if key in params:
            params[key] = formatting.whole(params[key])
    messages = {
        "not_numeric": _("%(where)s: %(field)s %(value)s is not a number as OCF writes one."),
        "not_whole": _("%(where)s: %(field)s %(value)s is not a whole number of units."),
        "not_positive": _("%(where)s: %(field)s %(value)s must be more than zero."),
        "too_large": _("%(where)s: %(field)s %(value)s is implausibly large (at most %(max)s)."),
        "not_object": _("An item of the package is %(value)s, not an object."),
        "type_not_covered": _("%(where)s: this kind of object cannot be read here."),
        "required": _("%(where)s: %(field)s is required."),
        "not_identifier": _("%(where)s: %(field)s must be an identifier (text), not %(value)s."),
        "not_date": _("%(where)s: the date %(value)s is not a date."),
        "resulting_ids": _("%(where)s: resulting_security_ids must be a list of identifiers."),
        "share_price": _("%(where)s: share_price must be an object with a numeric amount."),
        "stakeholder_name": _("%(where)s: name must be an object with a legal_name text."),
        "legal_name": _("%(where)s: legal_name must be at most %(max)s characters, without control characters."),
        "filepath": _("%(where)s: filepath must be a file name, not %(value)s."),
        "missing_file": _("%(where)s: %(name)s is missing from the package."),
        "unpack": _("%(name)s cannot be unpacked."),
        "nested": _("%(name)s cannot be read: its JSON is nested too deeply."),
        "not_json": _("%(name)s is not a JSON file."),
        "not_zip": _("This is not an OCF package: the file is not a zip archive."),
        "unpacked": _("The package unpacks to more than %(mb)s MB."),
        "manifest_object": _("Manifest.ocf.json must hold a JSON object, not %(value)s."),
        "version": _("The package is OCF version %(value)s; version %(expected)s is read here."),
        "issuer_object": _("The manifest's issuer must be an object, not %(value)s."),
        "issuer_name": _("The manifest's issuer.legal_name must be text of at most %(max)s characters."),
        "comments": _("The manifest's comments must be a list of texts."),
        "manifest_list": _("The manifest's %(key)s must be a list, not %(value)s."),
        "manifest_ref": _("The manifest's %(key)s holds %(value)s, not a file reference."),
        "md5": _("%(name)s does not match the checksum (md5) in the manifest."),
        "items_list": _("%(name)s must hold a JSON object with a list of items."),
        "too_many": _("The package holds more than %(max)s objects."),
        "stakeholder_repeat": _("STAKEHOLDER %(id)s: the id repeats an earlier stakeholder."),
        "tx_repeat": _("%(where)s: the id repeats an earlier transaction."),
        "issued_twice": _("%(where)s: security %(security)s is issued twice."),
        "unknown_stakeholder": _("%(where)s: unknown stakeholder %(id)s."),
        "unknown_security": _("%(where)s: unknown security %(security)s."),
        "resulting_no_holder": _("%(where)s: the resulting security is issued to no stakeholder."),
        "exercise_no_holder": _("%(where)s: the resulting shares are issued to no stakeholder."),
    }
    if code == "table":
        return _text(params.get("table_code", ""), {k: v for k, v in params.items() if k != "table_code"})
    if code in messages:
        return messages[code] % params
    return str(params.get("text", code))


def ocf_worded(error: OcfError) -> list[str]:
    """Every problem of an OCF package, in the reader's language."""
    return [_ocf_text(code, params) for code, params in error.coded]


def worded(error: TableError | RoundError) -> list[str]:
    if isinstance(error, TableError):
        return [_text(error.code, error.params)]
    return [_text(code, params) for code, params in error.problems]
