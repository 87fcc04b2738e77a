"""The city-scale benchmark's entry: a whole screening of the registry, request to stored result, here."""

import pytest
from django_tasks_db.models import DBTaskResult

from rainforest.audit.models import AuditEvent
from rainforest.policy import screening_bench, screening_jobs
from rainforest.policy.models import ScreeningRun
from tests.conftest import SYSTEM
from tests.exchange.conftest import as_actor
from tests.policy.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["officer", "system"])
def test_it_screens_the_whole_registry_to_a_done_run_and_says_how_long(request, who, city):
    actor = SYSTEM if who == "system" else as_actor(request.getfixturevalue("officer"))
    seconds = screening_bench.time_registry_screening(actor, as_of=AS_OF)
    run = ScreeningRun.objects.get()
    assert seconds > 0 and run.status == "done" and run.results.count() == len({r["uscc"] for r in city})
    assert not DBTaskResult.objects.exists()  # nothing left for a worker to run again
    assert AuditEvent.objects.filter(action="policy.screening.run", subject_id=str(run.pk)).exists()


def test_a_run_that_does_not_finish_is_an_error_not_a_time(officer, city, monkeypatch):
    def disk_full(run_id, results):
        raise RuntimeError("disk full")

    monkeypatch.setattr(screening_jobs, "_insert_results", disk_full)
    with pytest.raises(RuntimeError, match="disk full"):
        screening_bench.time_registry_screening(as_actor(officer), as_of=AS_OF)
    run = ScreeningRun.objects.get()
    assert run.status != "done" and not run.results.exists()
