"""Every audit action recorded anywhere in src/ has a name in the one table (audit.labels), every role
too; codes without one read as words, never as a bare code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

import rainforest
from rainforest.accounts.choices import Role, role_name
from rainforest.audit.labels import ACTIONS, action_name

SRC = Path(rainforest.__file__).parent
SKIP = {"loadtest", "migrations"}
# Functions that pass an action they were given on to the trail: their callers are scanned instead.
WRAPPERS = {("fund/services/common.py", "action"), ("audit/trail.py", "action")}


def _placeholders() -> dict[str, set[str]]:
    """What each f-string's placeholder ranges over, read from the tables that drive it."""
    from rainforest.exchange.workflows import CAPABILITY, PROJECT, SCENARIO
    from rainforest.fund.choices import FlowKind
    from rainforest.fund.workflows import DEAL
    from rainforest.seedling.choices import Route
    from rainforest.seedling.workflows import APPLICATION

    project_kinds = set(PROJECT.by_action) | _constant_args(SRC / "exchange/services/projects.py", "_event", 2)
    decided = {str(m.target) for m in APPLICATION.by_action.values() if m.action in ("approve", "refuse")}
    return {
        "exchange.scenario.{action}": set(SCENARIO.by_action),
        "exchange.capability.{action}": set(CAPABILITY.by_action),
        "exchange.project.{kind}": project_kinds,
        "fund.deal.{action}": set(DEAL.by_action),
        "fund.flow.{kind}": set(FlowKind.values),
        "fund.committee.{meeting.decision}": {"approved", "rejected"},
        "seedling.application.{application.status}": decided,
        "seedling.candidacy.{route}": set(Route.values),
    }


def _constant_args(path: Path, name: str, index: int) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name and len(node.args) > index:
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.add(arg.value)
    return out


def _template(node: ast.JoinedStr) -> str:
    return "".join(
        part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}" for part in node.values
    )


def _assigned_strings(function: ast.AST, name: str) -> set[str]:
    out = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            out |= {n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return out


def _kinds_audited_as() -> set[str]:
    from rainforest.registry.export_jobs import KINDS

    return {kind.audited_as for kind in KINDS.values()}


def recorded_codes() -> tuple[set[str], list[str]]:
    """Every action code passed to trail.record / trail.Change / a fund-style record(actor, action, ...)
    wrapper, and the calls whose code this scan could not work out."""
    placeholders = _placeholders()
    codes: set[str] = set()
    unknown: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if SKIP & set(path.parts):
            continue
        tree = ast.parse(path.read_text())
        imports_record = any(
            isinstance(n, ast.ImportFrom) and (n.module or "").startswith("rainforest.") and "record" in
            {a.name for a in n.names}
            for n in ast.walk(tree)
        )  # fmt: skip
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            on_trail = isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "trail"
            name = func.attr if on_trail else getattr(func, "id", None)
            if not (on_trail and name in ("record", "Change")) and not (name == "record" and imports_record):
                continue
            arg = next((kw.value for kw in node.keywords if kw.arg == "action"), None)
            if arg is None:
                position = 0 if name == "Change" else 1
                if len(node.args) <= position:
                    continue
                arg = node.args[position]
            where = f"{rel}:{node.lineno}"
            pending = [arg]
            while pending:
                a = pending.pop()
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    codes.add(a.value)
                elif isinstance(a, ast.IfExp):
                    pending += [a.body, a.orelse]
                elif isinstance(a, ast.JoinedStr):
                    template = _template(a)
                    if template not in placeholders:
                        unknown.append(f"{where} {template}")
                        continue
                    head = template[: template.index("{")]
                    codes |= {head + value for value in placeholders[template]}
                elif isinstance(a, ast.Attribute) and ast.unparse(a) == "kind.audited_as":
                    codes |= _kinds_audited_as()
                elif isinstance(a, ast.Name):
                    if (rel, a.id) in WRAPPERS:
                        continue
                    enclosing = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
                    found = _assigned_strings(enclosing[-1], a.id) if enclosing else set()
                    if not found:
                        unknown.append(f"{where} {a.id}")
                    codes |= found
                else:
                    unknown.append(f"{where} {ast.unparse(a)}")
    return codes, unknown


def test_every_recorded_action_has_a_name():
    codes, unknown = recorded_codes()
    assert not unknown, f"recording calls whose action this test cannot read: {unknown}"
    assert len(codes) > 100  # the scan found the services' calls, not nothing
    missing = sorted(code for code in codes if code not in ACTIONS)
    assert not missing, f"audit actions without a name in rainforest/audit/labels.py: {missing}"


def test_the_scan_reads_literals_conditionals_and_workflow_moves():
    codes, _unknown = recorded_codes()
    assert {"auth.otp.verified", "auth.account.locked", "accounts.user.deactivated"} <= codes
    assert {"exchange.scenario.approve", "fund.deal.write_off", "fund.flow.distribution"} <= codes
    assert {"seedling.application.approved", "seedling.candidacy.nominated", "seedling.pyramid.exported"} <= codes


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_names_are_words_in_every_language(language):
    with translation.override(language):
        for code in ACTIONS:
            name = action_name(code)
            assert name and name != code and "." not in name.rstrip(".")
        for role in Role.values:
            assert role_name(role) != role and "_" not in role_name(role)


def test_an_unknown_code_reads_as_its_area_and_words():
    with translation.override("en"):
        assert action_name("fund.deal.renamed_twice") == "Seedling fund: renamed twice"
        assert action_name("weird") == "Other action: weird"
        assert action_name("") == ""
    assert role_name("") == "—" and role_name("retired_role") == "retired role"


def test_a_recorded_move_names_its_stages_and_a_four_place_fraction_reads_as_a_rate():
    from django.utils import translation

    from rainforest.audit.labels import change_value
    from rainforest.fund.choices import Stage as DealStage

    with translation.override("zh-hans"):
        assert change_value("closing", "from") == str(DealStage.CLOSING.label)
        assert change_value("term_sheet", "to") == str(DealStage.TERM_SHEET.label)
        assert change_value("not_a_known_code", "to") == "not_a_known_code"  # shown as it is, not guessed
        assert change_value("0.0402", "value") == "4.02 %"
        assert change_value("1234.5", "value") == "1,234.5"
        assert change_value("eligible", "verdict") == "符合"
