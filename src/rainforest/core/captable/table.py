"""The cap table as a list of events; the table at any date is rebuilt by replaying them.

Units are shares, or yuan of registered capital (注册资本) for a limited liability company — the
arithmetic is the same, one yuan is one unit. Events are validated as they are applied: a transfer
of more units than the seller holds, a negative issuance or a cancellation below zero is refused
with the reason, and nothing of the rejected event is applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rainforest.core.captable.round import OPTIONS, POOL


class TableError(ValueError):
    """The message is plain English for the CLI; ``code`` and ``params`` let the platform word it."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str  # issue | transfer | cancel | pool | grant | exercise
    holder: str = ""
    units: int = 0
    to: str = ""  # transfers: the buyer
    security_class: str = "common"
    price: str = ""  # per unit, as text (Decimal), for the record
    note: str = ""


@dataclass
class CapTable:
    unit: str = "shares"  # or "registered_capital_cny"
    events: list[Event] = field(default_factory=list)

    def apply(self, event: Event) -> None:
        """Validate ``event`` against the table at its date and every later date, then keep it."""
        trial = sorted([*self.events, event], key=lambda e: e.on)
        _replay(trial)  # raises TableError with the reason
        self.events = trial

    def at(self, on: dt.date) -> dict[str, int]:
        return _replay([e for e in self.events if e.on <= on])

    def fully_diluted(self, on: dt.date) -> dict[str, tuple[int, float]]:
        table = self.at(on)
        total = sum(table.values())
        return {k: (v, v / total if total else 0.0) for k, v in table.items()}


def _replay(events: list[Event]) -> dict[str, int]:
    table: dict[str, int] = {}

    def take(holder: str, units: int, what: str, on: dt.date) -> None:
        held = table.get(holder, 0)
        if units > held:
            raise TableError(
                "more_than_held",
                f"{on}: {what} of {units} units from {holder}, who holds {held}",
                on=on,
                units=units,
                holder=holder,
                held=held,
            )
        table[holder] = held - units

    for e in events:
        if e.units <= 0:
            raise TableError(
                "not_positive", f"{e.on}: {e.kind} of {e.units} units: must be more than zero", on=e.on, units=e.units
            )
        if e.kind in ("issue", "exercise") and not e.holder:
            raise TableError("needs_holder", f"{e.on}: {e.kind} needs a holder", on=e.on)
        match e.kind:
            case "issue":
                table[e.holder] = table.get(e.holder, 0) + e.units
            case "transfer":
                if not e.to:
                    raise TableError("needs_buyer", f"{e.on}: a transfer needs a buyer", on=e.on)
                take(e.holder, e.units, "a transfer", e.on)
                table[e.to] = table.get(e.to, 0) + e.units
            case "cancel":
                take(e.holder, e.units, "a cancellation", e.on)
            case "pool":
                table[POOL] = table.get(POOL, 0) + e.units
            case "grant":  # options granted out of the pool
                take(POOL, e.units, "an option grant", e.on)
                table[OPTIONS] = table.get(OPTIONS, 0) + e.units
            case "exercise":
                take(OPTIONS, e.units, "an exercise", e.on)
                table[e.holder] = table.get(e.holder, 0) + e.units
            case _:
                raise TableError("unknown_event", f"{e.on}: unknown event {e.kind!r}", on=e.on)
    return {k: v for k, v in table.items() if v}
