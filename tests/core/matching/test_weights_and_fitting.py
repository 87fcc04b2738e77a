"""Ranking weights as versioned data, levels that mean the same on every query, the development /
held-out split, and fitting that only ever sees the development part."""

import pytest

from rainforest.core.matching import fitting
from rainforest.core.matching.documents import Document
from rainforest.core.matching.index import MatchIndex
from rainforest.core.matching.quality import DEVELOPMENT, HELD_OUT, EvalSet, builtin_evalset, read_splits
from rainforest.core.matching.weights import POSSIBLE, STRONG, WEAK, builtin_weights, parse


def test_the_release_weights_parse_and_round_trip():
    weights = builtin_weights()
    assert weights.version and weights.source
    assert parse(weights.as_data()) == weights
    assert "other" in weights.catch_all_domains


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d["fusion"].update(lexical=1.5), "between 0 and 1"),
        (lambda d: d["fields"].update(title=0), "whole numbers from 1"),
        (lambda d: d["levels"].update(strong=0.2, possible=0.5), "possible <= strong"),
        (lambda d: d.pop("calibration"), "calibration"),
        (lambda d: d["feedback"].update(documents=-1), "feedback"),
        (lambda d: d["feedback"].update(dense=9), "feedback"),
    ],
)
def test_malformed_weights_are_refused_with_the_reason(change, problem):
    data = builtin_weights().as_data()
    change(data)
    with pytest.raises(ValueError, match=problem):
        parse(data)


def test_a_version_stored_before_feedback_existed_ranks_without_it():
    data = builtin_weights().as_data()
    del data["feedback"]
    weights = parse(data)
    assert (weights.feedback_documents, weights.feedback_dense) == (0, 0.0)


def test_feedback_moves_the_ranking_but_not_the_similarity_a_hit_reports():
    docs = [
        Document("dog", "机器狗变电站巡检", "四足机器人爬楼梯，红外测温，表计识别"),
        Document("rail", "挂轨巡检机器人", "配电房与管廊轨道巡检，红外测温，表计识别"),
        Document("uav", "无人机输电线路巡检", "架空线路巡视，红外测温"),
        Document("sign", "交通信号灯优化", "路口信号配时与绿波协调"),
        Document("guide", "展厅讲解服务", "人工讲解与导览"),
        Document("cook", "炒菜机器人", "食堂自动烹饪"),
    ]
    index = MatchIndex()
    index.rebuild(docs)
    plain = index.weights.with_changes(feedback_documents=0, feedback_dense=0.0)
    moved = index.weights.with_changes(feedback_documents=2, feedback_dense=2.0)
    answers = {}
    for name, weights in (("plain", plain), ("moved", moved)):
        index.weights = weights
        answers[name] = {h.id: h for h in index.search("变电站四足机器人", top=6, mode="dense").hits}
    assert {k: h.score for k, h in answers["plain"].items()} != {k: h.score for k, h in answers["moved"].items()}
    for doc_id, hit in answers["moved"].items():
        if doc_id in answers["plain"]:
            assert hit.evidence["similarity"] == answers["plain"][doc_id].evidence["similarity"]


def test_levels_at_their_thresholds_exactly():
    weights = builtin_weights().with_changes(strong=0.6, possible=0.3)
    assert weights.level(0.6) == STRONG
    assert weights.level(0.5999) == POSSIBLE
    assert weights.level(0.3) == POSSIBLE
    assert weights.level(0.2999) == WEAK


def test_confidence_grows_with_every_piece_of_evidence():
    weights = builtin_weights()
    low = weights.confidence({"coverage": 0.1, "similarity": 0.1, "relative": 0.5})
    for name in ("coverage", "similarity"):
        more = {"coverage": 0.1, "similarity": 0.1, "relative": 0.5, name: 0.9}
        assert weights.confidence(more) > low, name
    # Being the best of a poor lot is no evidence: a query's top hit is not made to look good.
    assert weights.confidence({"coverage": 0.1, "similarity": 0.1, "relative": 1.0}) == low


def test_hits_carry_a_level_and_a_thin_match_is_weak():
    index = MatchIndex(encoder=None)
    index.rebuild([
        Document("dog", "机器狗变电站巡检", "四足机器人爬楼梯，红外测温，表计识别，变电站无人值守巡视"),
        Document("sign", "交通信号灯优化", "路口信号配时与绿波协调"),
        Document("misc", "展厅讲解服务", "人工讲解与导览"),
    ])  # fmt: skip
    strong = index.search("变电站四足机器人巡检 红外测温 表计识别", mode="lexical").hits[0]
    assert strong.id == "dog" and strong.level == STRONG
    assert set(strong.evidence) == {"coverage", "similarity", "relative"}
    thin = index.search("地铁站台客流疏导 信号", mode="lexical")
    assert thin.hits and not thin.good  # shares a word, but that is no recommendation


def test_the_evaluation_set_is_divided_and_the_parts_do_not_overlap():
    ev = builtin_evalset()
    development, held_out = ev.part(DEVELOPMENT), ev.part(HELD_OUT)
    assert development.judgements and held_out.judgements
    assert not set(development.judgements) & set(held_out.judgements)
    assert len(development.judgements) + len(held_out.judgements) == len(ev.judgements)
    assert held_out.capabilities == ev.capabilities  # every query ranks every capability


def test_a_split_other_than_the_two_parts_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,title,description,split\nS1,a,b,training\n", encoding="utf-8")
    with pytest.raises(ValueError, match="development or held-out"):
        read_splits(path)
    path.write_text("id,title,description\nS1,a,b\n", encoding="utf-8")
    assert read_splits(path) is None


def _tiny_set() -> EvalSet:
    caps = [
        Document("C1", "机器狗巡检", "变电站四足机器人巡视，表计识别"),
        Document("C2", "挂轨巡检机器人", "管廊配电房挂轨巡检，气体检测"),
        Document("C3", "医院物流机器人", "药品标本配送，自动乘梯"),
        Document("C4", "导览机器人", "景区博物馆多语种讲解"),
    ]
    scenarios = [
        Document("S1", "变电站足式巡检", "夜间巡视强度大，需要上下楼梯的机器人读表"),
        Document("S2", "医院药品配送", "病区之间送药送标本，人力紧张"),
        Document("S3", "博物馆讲解", "观众多，讲解员不足，需多语种"),
    ]
    judgements = {"S1": {"C1": 2, "C2": 1, "C3": 0}, "S2": {"C3": 2, "C1": 0}, "S3": {"C4": 2, "C3": 0}}
    return EvalSet(scenarios, caps, judgements)


def test_fitting_is_deterministic_and_records_its_version():
    start = builtin_weights()
    grids = {"fields_grid": fitting.FIELD_GRID[:2], "share_grid": (0.0, 0.5, 1.0), "floor_grid": (0.0, 0.05)}
    first, score = fitting.fit([_tiny_set()], start=start, version="t1", source="test", encoder=None, **grids)
    again, _ = fitting.fit([_tiny_set()], start=start, version="t1", source="test", encoder=None, **grids)
    assert first == again
    assert first.version == "t1" and first.source == "test"
    assert first.fields in fitting.FIELD_GRID[:2] and first.lexical_share in (0.0, 0.5, 1.0)
    assert score.queries == 3 and score.ndcg10 == pytest.approx(1.0)


def test_a_refit_is_better_only_with_higher_ndcg_and_no_lower_recall():
    from rainforest.core.matching.quality import Score

    def judged(ndcg, recall):
        return fitting.Judged(Score(ndcg, recall, 10))

    assert judged(0.91, 0.95).better_than(judged(0.90, 0.95))
    assert not judged(0.90, 0.95).better_than(judged(0.90, 0.95))  # equal is not better
    assert not judged(0.95, 0.94).better_than(judged(0.90, 0.95))  # recall may not drop
