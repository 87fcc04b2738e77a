"""Keep the pyramid's standings exact: recompute an enterprise's standings in the transaction that
changes what they are derived from (seedling/standings.py)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from rainforest.core.seedling.ladder import RECOGNISED
from rainforest.registry.models import Enterprise, Recognition, YearlyFacts
from rainforest.registry.signals import standing_inputs_changed
from rainforest.seedling import standings


def _changed(sender, enterprise_ids, **kwargs) -> None:
    standings.refresh(enterprise_ids)


def _row_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or (sender is Recognition and instance.kind not in RECOGNISED):
        return  # fixtures load raw rows; other titles are not on the pyramid
    standings.refresh([instance.pk if sender is Enterprise else instance.enterprise_id])


def _row_deleted(sender, instance, origin=None, **kwargs) -> None:
    if isinstance(origin, Enterprise) or getattr(origin, "model", None) is Enterprise:
        return  # the enterprise goes, its standings with it (on delete cascade)
    if sender is Recognition and instance.kind not in RECOGNISED:
        return
    standings.refresh([instance.enterprise_id])


def connect() -> None:
    standing_inputs_changed.connect(_changed, dispatch_uid="seedling.standings")
    for model in (YearlyFacts, Recognition, Enterprise):
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"seedling.standings.saved.{model.__name__}")
    for model in (YearlyFacts, Recognition):
        post_delete.connect(_row_deleted, sender=model, dispatch_uid=f"seedling.standings.deleted.{model.__name__}")
