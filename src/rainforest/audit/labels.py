"""What each audit action is called, in the reader's language: the one table of names.

The trail keeps its codes (``auth.otp.verified``) because exports, filters and checks read them;
people read these names. Every code a service records has an entry here (tests/audit/test_labels.py
scans the recording calls); a code recorded by an older version that has none reads as its object
and the code's last word, never as a bare code.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest import formatting
from rainforest.place_names import district_label

EMPTY = "—"

ACTIONS = {
    # Sign-in and sessions
    "auth.login.password_ok": _("Password accepted at sign-in"),
    "auth.login.failed": _("Sign-in failed: wrong password"),
    "auth.login.unknown_user": _("Sign-in tried with an unknown user name"),
    "auth.login.rate_limited": _("Sign-in refused: too many attempts"),
    "auth.login.refused_locked": _("Sign-in refused: account locked"),
    "auth.account.locked": _("Account locked after repeated failed sign-ins"),
    "auth.otp.verified": _("One-time code accepted"),
    "auth.otp.failed": _("One-time code rejected"),
    "auth.otp.throttled": _("One-time code refused: too soon after wrong codes"),
    "auth.password.changed": _("Password changed"),
    "auth.password.reset": _("Temporary password set"),
    "auth.session.expired": _("Session ended for inactivity"),
    "auth.logout": _("Signed out"),
    # Accounts, roles, policy, tokens, the trail itself
    "accounts.organisation.created": _("Organisation created"),
    "accounts.organisation.updated": _("Organisation updated"),
    "accounts.user.created": _("Account created"),
    "accounts.user.activated": _("Account enabled"),
    "accounts.user.deactivated": _("Account disabled"),
    "accounts.role.granted": _("Role granted"),
    "accounts.role.revoked": _("Role revoked"),
    "security.policy.updated": _("Security policy changed"),
    "api.token.created": _("API token created"),
    "api.token.revoked": _("API token revoked"),
    "audit.exported": _("Audit trail exported"),
    # Registry
    "registry.enterprise.created": _("Enterprise added to the registry"),
    "registry.enterprise.updated": _("Enterprise profile updated"),
    "registry.facts.created": _("Yearly facts added"),
    "registry.facts.updated": _("Yearly facts corrected"),
    "registry.import.completed": _("Registry file imported"),
    "registry.recognition.recorded": _("Recognition recorded"),
    "registry.round.recorded": _("Financing round recorded"),
    "registry.exported": _("Registry exported"),
    "registry.export.requested": _("Export requested"),
    "registry.export.failed": _("Export failed"),
    "registry.export.expired": _("Export file expired"),
    "registry.export.downloaded": _("Export downloaded"),
    # Policy
    "policy.screening.requested": _("Bulk screening requested"),
    "policy.screening.run": _("Bulk screening completed"),
    "policy.screening.failed": _("Bulk screening failed"),
    "policy.review.settled": _("Review verdict decided"),
    # Scenario exchange
    "exchange.scenario.created": _("Scenario drafted"),
    "exchange.scenario.updated": _("Scenario edited"),
    "exchange.scenario.submit": _("Scenario submitted for approval"),
    "exchange.scenario.return": _("Scenario returned with reasons"),
    "exchange.scenario.approve": _("Scenario approved"),
    "exchange.scenario.publish": _("Scenario published"),
    "exchange.scenario.open_call": _("Call opened on a scenario"),
    "exchange.scenario.close_call": _("Call on a scenario closed"),
    "exchange.scenario.award": _("Scenario awarded"),
    "exchange.scenario.close": _("Scenario closed"),
    "exchange.scenario.withdraw": _("Scenario withdrawn"),
    "exchange.capability.created": _("Capability drafted"),
    "exchange.capability.submit": _("Capability submitted for review"),
    "exchange.capability.return": _("Capability returned with reasons"),
    "exchange.capability.approve": _("Capability approved"),
    "exchange.capability.withdraw": _("Capability withdrawn"),
    "exchange.list.published": _("List published"),
    "exchange.call.opened": _("Call opened"),
    "exchange.call.review_started": _("Expert review started"),
    "exchange.call.finalised": _("Call results made final"),
    "exchange.application.submitted": _("Application submitted to a call"),
    "exchange.application.updated": _("Application to a call updated"),
    "exchange.application.withdrawn": _("Application to a call withdrawn"),
    "exchange.panel.assigned": _("Expert assigned to a call's panel"),
    "exchange.panel.declared": _("Conflicts of interest declared"),
    "exchange.review.submitted": _("Review scores submitted"),
    "exchange.award.picked": _("Winner picked and put on public notice"),
    "exchange.objection.submitted": _("Objection raised"),
    "exchange.objection.resolved": _("Objection answered"),
    "exchange.subscription.saved": _("Subscription saved"),
    "exchange.project.milestone_added": _("Project milestone added"),
    "exchange.project.milestone_done": _("Project milestone done"),
    "exchange.project.changed": _("Project change recorded"),
    "exchange.project.followup": _("Project follow-up recorded"),
    "exchange.project.start_trial": _("Project trial started"),
    "exchange.project.confirm_landing": _("Project landing confirmed"),
    "exchange.project.accept": _("Project accepted"),
    "exchange.project.scale": _("Project scaled up"),
    "exchange.project.terminate": _("Project terminated"),
    # Matching
    "matching.feedback.recorded": _("Recommendation judged"),
    "matching.shortlist.added": _("Recommendation shortlisted"),
    "matching.shortlist.removed": _("Recommendation taken off the shortlist"),
    "matching.weights.adopted": _("Ranking weights refitted and adopted"),
    "matching.weights.refused": _("Ranking weights refitted, not better: kept the version in use"),
    # Seedling programme
    "seedling.round.opened": _("Good-seedling round opened"),
    "seedling.round.closed": _("Good-seedling round closed for review"),
    "seedling.round.approved": _("Good-seedling results approved"),
    "seedling.round.published": _("Good-seedling results published"),
    "seedling.candidacy.applied": _("Applied to the good-seedling round"),
    "seedling.candidacy.nominated": _("Nominated for the good-seedling round"),
    "seedling.panel.added": _("Expert added to the good-seedling panel"),
    "seedling.panel.declared": _("Conflicts of interest declared (good seedlings)"),
    "seedling.score.submitted": _("Good-seedling scores submitted"),
    "seedling.application.submitted": _("Support measure applied for"),
    "seedling.application.approved": _("Support measure approved"),
    "seedling.application.refused": _("Support measure refused"),
    "seedling.application.paid": _("Support measure paid"),
    "seedling.loan.recorded": _("Loan recorded"),
    "seedling.case_officer.assigned": _("Case officer assigned"),
    "seedling.visit.recorded": _("Visit recorded"),
    "seedling.need.raised": _("Need raised"),
    "seedling.need.resolved": _("Need resolved"),
    "seedling.pyramid.exported": _("Pyramid exported"),
    # Seedling fund
    "fund.deal.created": _("Deal created"),
    "fund.deal.checklist": _("Due-diligence item updated"),
    "fund.deal.screen": _("Deal moved to screening"),
    "fund.deal.diligence": _("Deal moved to due diligence"),
    "fund.deal.committee": _("Deal put to the investment committee"),
    "fund.deal.term_sheet": _("Deal moved to term sheet"),
    "fund.deal.closing": _("Deal moved to closing"),
    "fund.deal.portfolio": _("Deal moved to post-investment"),
    "fund.deal.exit": _("Investment exited"),
    "fund.deal.write_off": _("Investment written off"),
    "fund.deal.decline": _("Deal declined"),
    "fund.table.event": _("Cap table change recorded"),
    "fund.table.imported": _("Cap table imported"),
    "fund.round.proposed": _("Round proposed with its compliance report"),
    "fund.round.recorded": _("Round recorded on the cap table"),
    "fund.committee.seated": _("Committee member seated"),
    "fund.committee.meeting": _("Committee meeting opened"),
    "fund.committee.ballot": _("Committee vote cast"),
    "fund.committee.approved": _("Committee approved the round"),
    "fund.committee.rejected": _("Committee rejected the round"),
    "fund.flow.investment": _("Investment paid"),
    "fund.flow.follow_on": _("Follow-on investment paid"),
    "fund.flow.distribution": _("Distribution received"),
    "fund.mark.write_down": _("Holding written down"),
    # City cockpit
    "cockpit.indicator.defined": _("Cockpit indicator defined"),
    "cockpit.observation.entered": _("Cockpit figure entered"),
    "cockpit.observation.corrected": _("Cockpit figure corrected"),
    "cockpit.brief.made": _("Monthly brief made"),
    # Operations
    "jobs.job.retried": _("Failed job tried again"),
    "ops.backup.created": _("Backup made"),
    "ops.restore.completed": _("Backup restored"),
    "demo.clock.advanced": _("Demo clock moved on"),
    "bench.account.updated": _("Benchmark event"),
}

# What an unnamed code is about, by its first words: the fallback names the object.
AREAS = {
    "auth": pgettext_lazy("audit area", "Sign-in"),
    "accounts": pgettext_lazy("audit area", "Accounts"),
    "security": pgettext_lazy("audit area", "Security policy"),
    "api": pgettext_lazy("audit area", "API tokens"),
    "audit": pgettext_lazy("audit area", "Audit trail"),
    "registry": pgettext_lazy("audit area", "Enterprise registry"),
    "policy": pgettext_lazy("audit area", "Policy screening"),
    "exchange": pgettext_lazy("audit area", "Scenario exchange"),
    "matching": pgettext_lazy("audit area", "Recommendations"),
    "seedling": pgettext_lazy("audit area", "Seedling programme"),
    "fund": pgettext_lazy("audit area", "Seedling fund"),
    "cockpit": pgettext_lazy("audit area", "City cockpit"),
    "jobs": pgettext_lazy("audit area", "Background jobs"),
    "ops": pgettext_lazy("audit area", "Operations"),
    "demo": pgettext_lazy("audit area", "Demo"),
}


def action_name(code: str) -> str:
    """The action's name; for a code without one, its area and its last word (``Seedling fund: foo bar``)."""
    name = ACTIONS.get(code)
    if name is not None:
        return str(name)
    if not code:
        return ""
    head, _dot, rest = code.partition(".")
    area = AREAS.get(head)
    words = (code.rsplit(".", 1)[-1] if rest else code).replace("_", " ")
    if area is None:
        return str(_("Other action: %(code)s")) % {"code": words}
    return str(_("%(area)s: %(words)s")) % {"area": area, "words": words}


def action_choices() -> list[tuple[str, str]]:
    """Every named action, for a filter: (code, name), grouped by area in table order."""
    return [(code, str(name)) for code, name in ACTIONS.items()]


# What an event is about and what it changed: read the same way on the auditor page and in the
# back office.

# What the trail's object types are called (audit.AuditEvent.subject_type): the types services record.
SUBJECT_TYPES = {
    "account": _("user"),
    "user": _("user"),
    "organisation": _("organisation"),
    "security_policy": _("security policy"),
    "api_token": _("API token"),
    "enterprise": _("enterprise"),
    "facts": _("yearly facts"),
    "import": pgettext_lazy("audit object", "Registry file import"),
    "export": _("export"),
    "screening_run": _("screening run"),
    "screening_result": _("screening result"),
    "scenario": _("scenario"),
    "capability": _("capability"),
    "call": _("Call"),
    "application": _("application"),
    "notice": _("notice"),
    "published_list": _("published list"),
    "project": _("Project"),
    "selection_round": pgettext_lazy("audit object", "Good-seedling selection round"),
    "candidacy": pgettext_lazy("audit object", "Candidacy in a selection round"),
    "measure_application": pgettext_lazy("audit object", "Application for a support measure"),
    "deal": pgettext_lazy("audit object", "Investment deal"),
    "indicator": _("Indicator"),
    "observation": pgettext_lazy("audit object", "Cockpit figure"),
    "brief": pgettext_lazy("audit object", "Monthly brief"),
    "job": _("job"),
    "backup": pgettext_lazy("audit object", "Backup"),
}

# Keys of a recorded change (AuditEvent.before and .after) that name no model field.
CHANGE_KEYS = {
    "demo": pgettext_lazy("audit change", "Demo data"),
    "value": pgettext_lazy("audit change", "Value"),
    "version": _("version"),
    "note": _("note"),
    "name": _("name"),
    "rate": pgettext_lazy("audit change", "Annual rate"),
    "start": pgettext_lazy("audit change", "Start"),
    "end": pgettext_lazy("audit change", "End"),
}
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_INTEGER = re.compile(r"^-?\d+$")
_DIGEST = re.compile(r"^[0-9a-f]{16,}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_RATE_KEY = re.compile(r"(^|_)(rate|ratio)$")
# The policy engine's verdicts as services record them; the policy pages name them from here too.
VERDICTS = {
    "eligible": _("Eligible"),
    "ineligible": _("Ineligible"),
    "review": _("Review by an officer"),
    "unknown": _("Unknown: data missing"),
    "not_in_force": _("Not in force on the date checked"),
}
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def subject_type_name(code: str) -> str:
    """An object type's name; a type recorded by a version that named it differently reads as "other"."""
    if not code:
        return EMPTY
    name = SUBJECT_TYPES.get(code)
    return str(name) if name is not None else str(pgettext_lazy("audit object", "Other object"))


def literal(value):
    """A digest, nonce or identifier a person copies or compares: as is, marked as such."""
    return format_html("<code>{}</code>", value) if value not in (None, "") else EMPTY


def is_named_field(field) -> bool:
    """Whether the field's name is written out (a translatable name) rather than Django's default, the
    attribute's name with spaces (a plain string): told apart without translating anything, so the
    answer is the same in every language."""
    return isinstance(field.verbose_name, Promise) or field.verbose_name != field.name.replace("_", " ")


@functools.cache
def _fields() -> dict[str, models.Field]:
    """Field name -> the platform's first field of that name whose name is written out: what a key of
    a recorded change (the services record fields by their names) is called and how it reads."""
    fields: dict[str, models.Field] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("rainforest."):
            continue
        for field in model._meta.concrete_fields:
            if is_named_field(field):
                fields.setdefault(field.name, field)
    return fields


@functools.cache
def _choice_labels() -> dict[str, dict[str, str]]:
    """Field name -> code -> name, over every field of that name with choices (a ``kind`` is an
    organisation's, a recognition's...; their codes differ)."""
    labels: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        if model.__module__.startswith("rainforest."):
            for field in model._meta.concrete_fields:
                for code, name in field.flatchoices if field.choices else ():
                    labels.setdefault(field.name, {}).setdefault(str(code), name)
    return labels


@functools.cache
def _money_keys() -> frozenset[str]:
    """Names that are amounts in yuan (decimal fields to the fen) wherever the platform uses them: a
    name some model also uses otherwise (a cockpit figure's ``value``) is not read as money."""
    kinds: dict[str, set[bool]] = {}
    for model in apps.get_models():
        if model.__module__.startswith("rainforest."):
            for field in model._meta.concrete_fields:
                money = isinstance(field, models.DecimalField) and field.decimal_places == 2
                kinds.setdefault(field.name, set()).add(money)
    return frozenset(name for name, kind in kinds.items() if kind == {True})


def change_key_name(key: str) -> str | None:
    name = CHANGE_KEYS.get(key)
    if name is None and key in _fields():
        name = _fields()[key].verbose_name
    return str(name) if name is not None else None


def change_value(value, key: str = ""):
    """One recorded value in plain words: yes or no, dates, rates as percentages, numbers with
    separators and without the database's trailing zeros."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return formatting.yes_no(value)
    if isinstance(value, list):
        separator = str(pgettext_lazy("list separator", ", "))
        return format_html_join(separator, "{}", ((change_value(v, key),) for v in value)) or EMPTY
    if isinstance(value, dict):
        return format_html_join(
            "；", "{}：{}", ((change_key_name(k) or literal(k), change_value(v, k)) for k, v in value.items())
        )
    if isinstance(value, int) and (key == "year" or key.endswith("_year")):
        return str(value)  # a year, not a count: no thousands separator
    text = str(value)
    if _DIGEST.match(text):
        return literal(text)  # a file's or a token's digest: compared, not read
    named = _choice_labels().get(key, {}).get(text)
    if named is None and _CODE.match(text):
        # A move records its stages as from/to, a check its verdict: codes of some field's choices,
        # or the policy engine's verdicts (kept in its results, not in a field with choices).
        named = next((labels[text] for labels in _choice_labels().values() if text in labels), None)
        named = named if named is not None else VERDICTS.get(text)
    if named is not None:
        return str(named)
    if key == "role":
        return text.replace("_", " ")  # a role no longer defined (the defined ones are named above)
    if key == "district":
        return district_label(text)
    if _ISO_MOMENT.match(text):
        try:
            return formatting.datetime_cn(dt.datetime.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_DATE.match(text):
        return formatting.date_cn(text)
    money = key in _money_keys()
    if isinstance(value, int | float | Decimal) or _DECIMAL.match(text) or (money and _INTEGER.match(text)):
        try:
            number = Decimal(text).normalize()
        except InvalidOperation:
            return text
        if _RATE_KEY.search(key) or (abs(number) < 1 and -number.as_tuple().exponent >= 4):
            return formatting.rate(number)  # a fraction kept to four places is a rate or a share
        if money:
            return formatting.yuan(number)
        return formatting.number(number, max(0, -number.as_tuple().exponent))
    return text


def change_lines(value):
    """A recorded state (before or after a change): one line per named item; a key the platform does
    not name is shown as the literal it is."""
    if value in (None, "", {}, []):
        return EMPTY
    if not isinstance(value, dict):
        return change_value(value)
    rows = []
    for key, item in value.items():
        name = change_key_name(key)
        rows.append((name if name is not None else literal(key), change_value(item, key)))
    return format_html_join(mark_safe("<br>"), "{}：{}", rows)
