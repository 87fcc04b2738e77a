"""One shape for every workflow on the platform: a table of moves (action, from states, to state,
who, guard), declared once per entity in its app's ``workflows.py``.

A service asks the table whether a move is allowed and makes it; pages list the moves an actor may
take from it; the table-driven test (tests/test_workflows.py) walks every registered table. Who may
move is said in capacities ("publisher", "officer", "manager"...): each app says which capacities
an actor holds towards one object, so the table never embeds a permission check of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

# Every table, by name, for the table-driven test and the architecture page.
REGISTRY: dict[str, Workflow] = {}

# (the object) -> a refusal in the user's language, or "" when the move may go ahead.
Guard = Callable[[object], str]


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    who: frozenset[str]
    guard: Guard | None = None
    # Moves a larger step makes on its own (opening a call moves the scenario): never offered as a
    # button, and the step's own service checks who acts.
    internal: bool = False


def move(action: str, sources: Iterable[str], target: str, who: Iterable[str], **options) -> Move:
    return Move(action, frozenset(sources), target, frozenset(who), **options)


@dataclass
class Workflow:
    """The moves of one entity's ``field`` (a status or stage column with choices)."""

    name: str
    choices: type  # the TextChoices of the state field
    moves: list[Move]
    field: str = "status"
    by_action: dict[str, Move] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.by_action = {m.action: m for m in self.moves}
        if len(self.by_action) != len(self.moves):
            raise ValueError(f"{self.name}: an action appears twice")
        states = set(self.choices.values)
        for m in self.moves:
            unknown = (m.sources | {m.target}) - states
            if unknown:
                raise ValueError(f"{self.name}.{m.action}: unknown states {sorted(unknown)}")
        REGISTRY[self.name] = self

    def get(self, action: str) -> Move:
        if action not in self.by_action:
            raise ValidationError(_("Unknown action."))
        return self.by_action[action]

    def state(self, obj) -> str:
        return getattr(obj, self.field)

    def _not_now(self, obj) -> ValidationError:
        label = self.choices(self.state(obj)).label
        return ValidationError(_("It is %(state)s now; it cannot be moved that way.") % {"state": label})

    def check(self, obj, action: str, capacities: set[str]) -> Move:
        """The move, or why not: 403 without a capacity the move needs, a refusal in the user's
        language when the state or the guard does not allow it now."""
        m = self.get(action)
        if not (capacities & m.who):
            raise PermissionDenied(action)
        self.check_state(obj, m)
        return m

    def check_state(self, obj, m: Move) -> None:
        if self.state(obj) not in m.sources:
            raise self._not_now(obj)
        refusal = m.guard(obj) if m.guard else ""
        if refusal:
            raise ValidationError(refusal)

    def apply(self, obj, action: str) -> Move:
        """Set the new state on ``obj`` (the caller saves it in its transaction) after checking the
        state and guard; who acts was checked by the caller's service."""
        m = self.get(action)
        self.check_state(obj, m)
        setattr(obj, self.field, m.target)
        return m

    def refusal(self, obj, action: str) -> str:
        """Why ``action``'s guard would refuse it now, in the user's language ("" when it would not):
        a page shows the move, but not as a button that can only fail."""
        m = self.get(action)
        return str(m.guard(obj) or "") if m.guard else ""

    def available(self, obj, capacities: set[str]) -> list[str]:
        """The actions the actor may offer on ``obj`` now (guards are checked when taken)."""
        return [m.action for m in self.moves if not m.internal and self.state(obj) in m.sources and capacities & m.who]
