"""What the registry tells the programmes built on it, without knowing them.

Bulk writes (imports, recorded recognitions) send no model signals; the services that make them send
``standing_inputs_changed`` with the enterprises whose facts, founding date or titles changed, inside
their transaction, so that derived data (the Seedling pyramid's standings) is recomputed before it
commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

standing_inputs_changed = Signal()  # enterprise_ids: the enterprises changed


def inputs_changed(enterprise_ids: Iterable[int]) -> None:
    ids = sorted({int(pk) for pk in enterprise_ids})
    if ids:
        standing_inputs_changed.send(sender=None, enterprise_ids=ids)
