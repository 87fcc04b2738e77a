"""No search pays for a compaction: the request only asks; the worker compacts and saves a
snapshot; every process adopts the snapshot and keeps following the database."""

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from rainforest.core.matching.documents import Document
from rainforest.matching import engine as engine_module
from rainforest.matching.engine import Engine, snapshot_stamp
from rainforest.matching.models import Collection
from rainforest.matching.tasks import compact
from tests.jobs.helpers import run_jobs
from tests.matching.conftest import offer

pytestmark = pytest.mark.django_db

COMPACT = "rainforest.matching.tasks.compact"


def hits(engine, text):
    return [h.id for h in engine.index(Collection.CAPABILITY).search(text, mode="lexical").hits]


def grow_delta(engine, n=1001):
    """Past the threshold (1,000 documents): as many edits as a busy week brings."""
    index = engine.indexes[Collection.CAPABILITY]
    for i in range(n):
        index.upsert(Document(id=f"bulk-{i}", title=f"巡检样例{i}", body="变电站巡检"))
    assert index.compaction_due


@pytest.fixture
def lexical_only(tmp_path):
    with override_settings(MATCH_INDEX_DIR=tmp_path, MATCH_SYNC_SECONDS=0, MATCH_ENCODER=""):
        yield tmp_path


def test_a_search_past_the_threshold_only_asks_the_worker_once(lexical_only, enterprise_user, officer):
    web = Engine()
    web.sync()
    grow_delta(web)
    dog = offer(enterprise_user, "dog", approve_by=officer)
    assert hits(web, "机器狗") == [str(dog.pk)]  # this search applied the change, and did not compact
    assert web.indexes[Collection.CAPABILITY].compaction_due
    assert DBTaskResult.objects.filter(task_path=COMPACT).count() == 1
    offer(enterprise_user, "care", approve_by=officer)
    hits(web, "医院物流")
    assert DBTaskResult.objects.filter(task_path=COMPACT).count() == 1  # asked once until a snapshot comes


def test_the_worker_compacts_and_every_process_adopts_the_snapshot(lexical_only, enterprise_user, officer):
    dog = offer(enterprise_user, "dog", approve_by=officer)
    Engine().save()  # the deployment's first snapshot
    web = Engine()
    web.sync()
    worker = engine_module.engine()  # the worker process's own engine, which the job uses
    worker.sync()
    grow_delta(worker)
    before = snapshot_stamp()

    compact.enqueue()
    run_jobs()
    assert snapshot_stamp() != before
    assert not worker.indexes[Collection.CAPABILITY].compaction_due

    care = offer(enterprise_user, "care", approve_by=officer)  # after the snapshot
    web.sync(force=True)  # notices the new snapshot and loads it in the background
    if web._adopting is not None:
        web._adopting.join()
    assert len(web.indexes[Collection.CAPABILITY]) >= 1001  # the worker's compacted index
    assert not web.indexes[Collection.CAPABILITY].compaction_due
    assert hits(web, "机器狗")[0] == str(dog.pk) and hits(web, "医院物流")[0] == str(care.pk)


def test_a_periodic_run_with_nothing_due_writes_only_the_first_snapshot(lexical_only, enterprise_user, officer):
    offer(enterprise_user, "dog", approve_by=officer)
    assert compact.call() == {"compacted": [], "watermark": engine_module.engine().watermark}
    first = snapshot_stamp()
    assert first is not None
    compact.call()
    assert snapshot_stamp() == first


def test_indexes_made_for_the_platform_never_compact_on_their_own(lexical_only):
    web = Engine()
    web.sync()
    grow_delta(web, 1200)
    assert web.indexes[Collection.CAPABILITY].lexical.delta_size == 1200


def test_a_process_built_from_the_database_adopts_the_first_snapshot(lexical_only, enterprise_user, officer):
    dog = offer(enterprise_user, "dog", approve_by=officer)
    web = Engine()
    web.sync()  # no snapshot yet: built from the database
    compact.call()  # the worker's first run writes one
    web.sync(force=True)
    if web._adopting is not None:
        web._adopting.join()
    assert web._snapshot_stamp == snapshot_stamp()
    assert hits(web, "机器狗") == [str(dog.pk)]


def test_a_snapshot_made_for_other_shipped_texts_is_saved_again_by_the_worker(tmp_path, enterprise_user, officer):
    """After an upgrade that ships other in-domain texts, the first process to load the snapshot
    fits the dense model again; the worker's next run saves it, so the others load it as it is."""
    import json

    with override_settings(MATCH_INDEX_DIR=tmp_path, MATCH_SYNC_SECONDS=0, MATCH_ENCODER="lsa"):
        offer(enterprise_user, "dog", approve_by=officer)
        Engine().save()
        for collection in Collection.values:
            meta = tmp_path / collection / "meta.json"
            meta.write_text(json.dumps({**json.loads(meta.read_text()), "background": "an-older-release"}))
        before = snapshot_stamp()
        worker = engine_module.engine()
        worker.sync()
        assert worker.snapshot_outdated() == list(Collection.values)
        assert compact.call()["outdated"] == list(Collection.values)
        assert snapshot_stamp() != before and not worker.snapshot_outdated()
        saved = json.loads((tmp_path / Collection.CAPABILITY / "meta.json").read_text())
        assert saved["background"] == worker.indexes[Collection.CAPABILITY].background_fingerprint
        again = Engine()
        again.sync()
        assert not again.snapshot_outdated()
