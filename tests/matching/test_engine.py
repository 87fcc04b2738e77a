"""The index follows the database: saves, edits and withdrawals reach every worker."""

import pytest
from django.test import override_settings

from rainforest.exchange.services import scenarios
from rainforest.matching import selectors
from rainforest.matching.engine import Engine
from rainforest.matching.models import Collection, IndexChange
from tests.exchange.conftest import as_actor
from tests.matching.conftest import offer

pytestmark = pytest.mark.django_db


def hits(engine, text, collection=Collection.CAPABILITY):
    return [h.id for h in engine.index(collection).search(text, mode="lexical").hits]


def test_every_save_is_recorded_in_its_own_transaction(enterprise_user):
    before = IndexChange.objects.count()
    capability = offer(enterprise_user, "dog")
    assert IndexChange.objects.filter(pk__gt=before, collection="capability", object_id=capability.pk).exists()


def test_only_approved_capabilities_and_public_scenarios_are_indexed(enterprise_user, officer, published):
    draft = offer(enterprise_user, "care")
    approved = offer(enterprise_user, "dog", approve_by=officer)
    engine = Engine(encoder="lsa")
    assert hits(engine, "机器狗") == [str(approved.pk)]
    assert str(draft.pk) not in hits(engine, "医院物流")
    assert hits(engine, "地铁站巡检", Collection.SCENARIO) == [str(published.pk)]


@override_settings(MATCH_SYNC_SECONDS=0)
def test_two_workers_both_see_an_approval_and_a_withdrawal(enterprise_user, officer):
    worker_a, worker_b = Engine(encoder="lsa"), Engine(encoder="lsa")
    assert hits(worker_a, "机器狗") == [] and hits(worker_b, "机器狗") == []
    capability = offer(enterprise_user, "dog", approve_by=officer)
    assert hits(worker_a, "机器狗") == [str(capability.pk)]
    assert hits(worker_b, "机器狗") == [str(capability.pk)]
    scenarios.capability_move(actor=as_actor(enterprise_user), capability=capability, action="withdraw")
    assert hits(worker_a, "机器狗") == [] and hits(worker_b, "机器狗") == []


@override_settings(MATCH_SYNC_SECONDS=3600)
def test_a_withdrawn_item_is_never_served_even_before_the_worker_syncs(enterprise_user, officer, published):
    from rainforest.matching import engine as engine_module

    capability = offer(enterprise_user, "dog", approve_by=officer)
    worker = engine_module.engine()
    assert str(capability.pk) in hits(worker, "机器狗")
    scenarios.capability_move(actor=as_actor(enterprise_user), capability=capability, action="withdraw")
    assert str(capability.pk) in hits(worker, "机器狗")  # this worker's index is still behind...
    result = selectors.who_could_do(actor=as_actor(officer), scenario=published)
    assert capability not in [r.item for r in result.items]  # ...but nothing withdrawn reaches anyone


def test_an_edit_is_indexed_as_the_new_text(enterprise_user, officer):
    capability = offer(enterprise_user, "dog", approve_by=officer)
    worker = Engine(encoder=None)
    assert hits(worker, "机器狗") == [str(capability.pk)]
    scenarios.capability_move(actor=as_actor(enterprise_user), capability=capability, action="withdraw")
    worker.sync(force=True)
    assert hits(worker, "机器狗") == []


def test_a_saved_snapshot_is_loaded_and_caught_up(tmp_path, enterprise_user, officer):
    with override_settings(MATCH_INDEX_DIR=tmp_path, MATCH_SYNC_SECONDS=0):
        first = offer(enterprise_user, "dog", approve_by=officer)
        Engine(encoder="lsa").save()
        second = offer(enterprise_user, "care", approve_by=officer)  # after the snapshot
        worker = Engine(encoder="lsa")
        worker.sync()
        assert hits(worker, "机器狗")[0] == str(first.pk)
        assert hits(worker, "医院物流")[0] == str(second.pk)


@override_settings(MATCH_SYNC_SECONDS=0)
def test_an_index_ahead_of_a_restored_change_log_rebuilds_and_sees_new_items(enterprise_user, officer):
    engine = Engine(encoder="lsa")
    hits(engine, "机器狗")
    engine.watermark += 10_000  # as after a restore: the change log's ids start again below the index's mark
    capability = offer(enterprise_user, "dog", approve_by=officer)
    assert hits(engine, "机器狗") == [str(capability.pk)]


def test_who_could_do_this_states_its_scope_once_not_on_every_row(enterprise_user, officer, published):
    """Every row is a supplier at the scenario's readiness or above (the page's scope, stated once
    above the list): saying so on each row tells the officer nothing."""
    offer(enterprise_user, "dog", approve_by=officer)
    result = selectors.who_could_do(actor=as_actor(officer), scenario=published)
    assert result.items
    for rec in result.items:
        assert not any("kind of organisation" in r or "technology readiness" in r for r in rec.reasons), rec.reasons
        assert rec.reasons
