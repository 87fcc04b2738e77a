"""Every workflow table on the platform, walked move by move: from each state, in each capacity, a
move is allowed exactly when the table says so; a refusal for the wrong state says so in words,
one for the wrong capacity is a 403; and every state the table names can be reached."""

import importlib
import importlib.util
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rainforest.workflow import REGISTRY


def _load_tables() -> dict:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("rainforest.") and importlib.util.find_spec(f"{config.name}.workflows"):
            importlib.import_module(f"{config.name}.workflows")
    return dict(REGISTRY)


TABLES = _load_tables()
CASES = [
    (name, m.action, state) for name, table in TABLES.items() for m in table.moves for state in table.choices.values
]


def test_the_platform_has_its_workflow_tables():
    assert "fund.deal" in TABLES


@pytest.mark.parametrize(("name", "action", "state"), CASES)
def test_a_move_is_allowed_from_exactly_the_states_the_table_names(name, action, state):
    table = TABLES[name]
    m = table.by_action[action]
    obj = SimpleNamespace(**{table.field: state})
    everyone = set().union(*(x.who for x in table.moves))
    if state not in m.sources:
        with pytest.raises(ValidationError):
            table.check(obj, action, everyone)
        assert action not in table.available(obj, everyone)
        return
    if m.guard is None:
        assert table.check(obj, action, set(m.who)) is m
        table.apply(obj, action)
        assert getattr(obj, table.field) == m.target
    assert (action in table.available(SimpleNamespace(**{table.field: state}), everyone)) != m.internal


@pytest.mark.parametrize(("name", "action"), [(n, m.action) for n, t in TABLES.items() for m in t.moves])
def test_a_move_is_refused_to_every_capacity_the_table_does_not_name(name, action):
    table = TABLES[name]
    m = table.by_action[action]
    state = next(iter(m.sources))
    others = set().union(*(x.who for x in table.moves)) - m.who
    with pytest.raises(PermissionDenied):
        table.check(SimpleNamespace(**{table.field: state}), action, others)
    with pytest.raises(PermissionDenied):
        table.check(SimpleNamespace(**{table.field: state}), action, set())


@pytest.mark.parametrize("name", list(TABLES))
def test_every_state_a_table_moves_to_can_be_reached_from_where_records_start(name):
    table = TABLES[name]
    model_field = None
    for model in _models():
        for f in model._meta.get_fields():
            if (
                getattr(f, "choices", None)
                and getattr(f, "name", "") == table.field
                and f.choices == table.choices.choices
            ):
                model_field = f
    start = {model_field.default} if model_field is not None and model_field.has_default() else set()
    start = start or {s for m in table.moves for s in m.sources} - {m.target for m in table.moves}
    reached, frontier = set(start), list(start)
    while frontier:
        here = frontier.pop()
        for m in table.moves:
            if here in m.sources and m.target not in reached:
                reached.add(m.target)
                frontier.append(m.target)
    named = {s for m in table.moves for s in m.sources} | {m.target for m in table.moves}
    assert named <= reached, f"{name}: never reached: {sorted(named - reached)}"


def test_an_unknown_action_is_refused_in_words():
    table = TABLES["fund.deal"]
    with pytest.raises(ValidationError):
        table.check(SimpleNamespace(stage="sourced"), "bogus", {"manager"})


def _models():
    from django.apps import apps

    return apps.get_models()
