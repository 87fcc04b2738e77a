"""Learning from officers: a refit from their marks is judged on the held-out scenarios, adopted
only when better, audited either way, and picked up by every process's engine."""

import io

import pytest
from django.core.management import call_command

from rainforest.audit.models import AuditEvent
from rainforest.core.matching import fitting
from rainforest.core.matching.weights import builtin_weights
from rainforest.exchange.services import scenarios
from rainforest.matching import learning
from rainforest.matching.engine import engine
from rainforest.matching.models import Collection, Feedback, RankingVersion
from rainforest.matching.ranking import weights_in_use
from tests.exchange.conftest import SCENARIO, as_actor

pytestmark = pytest.mark.django_db

SMALL_GRIDS = {
    "fields_grid": fitting.FIELD_GRID[:1],
    "share_grid": (0.3, 0.7),
    "floor_grid": (0.05,),
    "feedback_grid": ((0, 0.0), (5, 1.0)),
}
NEEDS = [
    ("变电站机器狗巡检", "夜间巡视变电站，需要四足机器人读表测温。"),
    ("管廊挂轨巡检", "综合管廊内长期值守，检测气体与积水。"),
    ("医院药品配送", "病区之间送药送标本，人力紧张。"),
    ("地铁站设备房巡检", "设备房无人值守，需要沿轨道巡视并检测气体。"),
]


@pytest.fixture
def judged(publisher, officer, offers):
    """Four published needs, each judged by an officer against every approved capability."""
    made = []
    for title, problem in NEEDS:
        scenario = scenarios.scenario_create(
            actor=as_actor(publisher), **{**SCENARIO, "title": title, "problem": problem}
        )
        scenarios.scenario_move(actor=as_actor(publisher), scenario=scenario, action="submit")
        scenarios.scenario_move(actor=as_actor(officer), scenario=scenario, action="approve")
        made.append(scenario)
    scenarios.list_publish(
        actor=as_actor(officer), kind="scenarios", year=2026, number=7, title="2026年第7批", ids=[s.pk for s in made]
    )
    right = {0: "dog", 1: "rail", 2: "care", 3: "rail"}
    for i, scenario in enumerate(made):
        for key, capability in offers.items():
            verdict = "good" if key == right[i] else "wrong"
            Feedback.objects.create(scenario=scenario, capability=capability, verdict=verdict, by=officer)
    return made


def test_too_little_feedback_refits_nothing(officer, published, offers):
    Feedback.objects.create(scenario=published, capability=offers["dog"], verdict="good", by=officer)
    assert learning.refit(encoder=None, **SMALL_GRIDS) is None
    assert not RankingVersion.objects.exists()


def test_a_refit_is_recorded_judged_on_held_out_and_audited(judged):
    record = learning.refit(encoder=None, **SMALL_GRIDS)
    assert record is not None and record.judged_pairs == 12
    assert record.replaced == builtin_weights().version
    better = record.heldout_ndcg > record.previous_ndcg and record.heldout_recall >= record.previous_recall
    assert record.adopted == better
    action = "matching.weights.adopted" if better else "matching.weights.refused"
    event = AuditEvent.objects.get(action=action)
    assert event.subject_label == record.version and event.after["judged_pairs"] == 12
    assert weights_in_use().version == (record.version if better else builtin_weights().version)


def test_only_an_adopted_version_is_used_and_the_engine_takes_it_up(judged, settings):
    settings.MATCH_SYNC_SECONDS = 0
    index = engine().index(Collection.CAPABILITY)
    assert index.weights == builtin_weights()
    refused = builtin_weights().with_changes(version="refused-1", lexical_share=0.9)
    RankingVersion.objects.create(
        version="refused-1", weights=refused.as_data(), judged_pairs=9, replaced=builtin_weights().version,
        heldout_ndcg=0.5, heldout_recall=0.5, previous_ndcg=0.8, previous_recall=0.9, adopted=False,
    )  # fmt: skip
    assert engine().index(Collection.CAPABILITY).weights == builtin_weights()
    adopted = builtin_weights().with_changes(version="adopted-1", lexical_share=0.9)
    RankingVersion.objects.create(
        version="adopted-1", weights=adopted.as_data(), judged_pairs=9, replaced=builtin_weights().version,
        heldout_ndcg=0.95, heldout_recall=0.97, previous_ndcg=0.9, previous_recall=0.95, adopted=True,
    )  # fmt: skip
    assert engine().index(Collection.CAPABILITY).weights.version == "adopted-1"
    retitled = builtin_weights().with_changes(version="fields-1", fields={"title": 5, "tags": 1, "body": 1})
    RankingVersion.objects.create(
        version="fields-1", weights=retitled.as_data(), judged_pairs=9, replaced="adopted-1",
        heldout_ndcg=0.96, heldout_recall=0.97, previous_ndcg=0.95, previous_recall=0.97, adopted=True,
    )  # fmt: skip
    rebuilt = engine().index(Collection.CAPABILITY)
    assert rebuilt is not index and rebuilt.weights.fields["title"] == 5  # field weights shape the index: rebuilt
    assert len(rebuilt) == 3


def _adopted(version, replaced):
    weights = builtin_weights().with_changes(version=version, lexical_share=0.9)
    return RankingVersion.objects.create(
        version=version, weights=weights.as_data(), judged_pairs=9, replaced=replaced,
        heldout_ndcg=0.95, heldout_recall=0.97, previous_ndcg=0.9, previous_recall=0.95, adopted=True,
    )  # fmt: skip


def test_a_refits_line_back_to_this_release_is_used(db):
    _adopted("feedback-1", builtin_weights().version)
    _adopted("feedback-2", "feedback-1")
    assert weights_in_use().version == "feedback-2"
    out = io.StringIO()
    call_command("match_index", "status", stdout=out)
    assert "set aside" not in out.getvalue()


def test_a_line_of_refits_that_loops_is_of_no_release(db):
    """A corrupted record (a refit replacing itself) ends the walk; the release file is used."""
    _adopted("feedback-1", "feedback-1")
    assert weights_in_use() == builtin_weights()


def test_a_new_releases_weights_outrank_a_refit_of_the_old_release(db):
    """A refit adopted under an earlier release started from that release's weights; the new
    release's file was fitted on a larger evaluation set, so it is used and the next refit starts from it."""
    _adopted("feedback-1", "2000.1.1")
    _adopted("feedback-2", "feedback-1")
    assert weights_in_use() == builtin_weights()
    out = io.StringIO()
    call_command("match_index", "status", stdout=out)
    assert f"ranking weights in use: {builtin_weights().version}" in out.getvalue()
    assert "refit feedback-2 set aside: it grew from release weights 2000.1.1" in out.getvalue()


def test_match_index_status_names_the_weights_in_use_and_a_refused_refit(db):
    out = io.StringIO()
    call_command("match_index", "status", stdout=out)
    assert f"ranking weights in use: {builtin_weights().version}" in out.getvalue()
    refused = builtin_weights().with_changes(version="refused-2")
    RankingVersion.objects.create(
        version="refused-2", weights=refused.as_data(), judged_pairs=12, replaced=builtin_weights().version,
        heldout_ndcg=0.81, heldout_recall=0.9, previous_ndcg=0.84, previous_recall=0.9, adopted=False,
    )  # fmt: skip
    out = io.StringIO()
    call_command("match_index", "status", stdout=out)
    assert "latest refit refused-2 not adopted: held-out nDCG@10 0.810 against 0.840" in out.getvalue()


def test_the_refit_job_is_periodic_and_reports_too_little_feedback(db):
    from rainforest.jobs.periodic import discover
    from rainforest.matching.tasks import refit_weights

    assert "matching.refit_weights" in discover()
    assert refit_weights.call() == {"refitted": False, "reason": "too little feedback"}
