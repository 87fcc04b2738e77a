import math

import pytest

from rainforest.core.matching.index import DEFAULT_MODE, MatchIndex
from rainforest.core.matching.items import ItemsError, read_items
from rainforest.core.matching.quality import PlainBaseline, builtin_evalset, evaluate, ndcg_at, recall_at


def test_ndcg_by_hand():
    grades = {"a": 2, "b": 1, "c": 0}
    assert ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    dcg = (2**1 - 1) / math.log2(2) + (2**2 - 1) / math.log2(3)
    idcg = (2**2 - 1) / math.log2(2) + (2**1 - 1) / math.log2(3)
    assert ndcg_at(["b", "a"], grades) == pytest.approx(dcg / idcg)
    assert ndcg_at(["x", "y"], grades) == 0.0
    assert ndcg_at(["a"], {"a": 0}) == 0.0  # nothing relevant to find


def test_recall_counts_grades_above_zero_within_k():
    grades = {"a": 2, "b": 1, "c": 0}
    assert recall_at(["a", "c"], grades) == 0.5
    assert recall_at(["z"] * 20 + ["a", "b"], grades) == 0.0


def test_the_evaluation_set_is_whole():
    ev = builtin_evalset()
    assert ev.pairs >= 300
    scenario_ids = {s.id for s in ev.scenarios}
    capability_ids = {c.id for c in ev.capabilities}
    for scenario, grades in ev.judgements.items():
        assert scenario in scenario_ids
        assert set(grades) <= capability_ids
        assert set(grades.values()) <= {0, 1, 2} and max(grades.values()) > 0  # something can help


def test_the_default_mode_beats_the_plain_baseline():
    ev = builtin_evalset()
    plain = PlainBaseline(ev.capabilities)
    baseline = evaluate(lambda s: plain.rank(s.text), ev)
    index = MatchIndex()
    index.rebuild(ev.capabilities, extra_texts=[d.text for d in ev.scenarios])
    ours = evaluate(lambda s: [h.id for h in index.search(s.text, mode=DEFAULT_MODE).hits], ev)
    assert ours.ndcg10 > baseline.ndcg10 and ours.recall20 > baseline.recall20


def test_items_read_utf8_and_gb18030(tmp_path):
    text = "id,title,description,domain\nS1,變電站巡檢,夜间巡视,patrol\nS2,导览,,\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8-sig")
    (tmp_path / "b.csv").write_bytes(text.encode("gb18030"))
    for name in ("a.csv", "b.csv"):
        docs = read_items(tmp_path / name)
        assert [d.id for d in docs] == ["S1", "S2"]
        assert docs[0].domains == ("patrol",) and docs[1].domains == ()


def test_items_report_every_problem_at_once(tmp_path):
    (tmp_path / "bad.csv").write_text("id,title,description\n,x,y\nA,a,b\nA,c,d\nB,,\n", encoding="utf-8")
    with pytest.raises(ItemsError) as problem:
        read_items(tmp_path / "bad.csv")
    message = str(problem.value)
    assert "line 2: id is blank" in message
    assert "line 4: id 'A' repeats" in message
    assert "line 5: title and description are both blank" in message


def test_items_refuse_a_file_without_the_columns(tmp_path):
    (tmp_path / "x.csv").write_text("name,text\na,b\n", encoding="utf-8")
    with pytest.raises(ItemsError, match="missing column"):
        read_items(tmp_path / "x.csv")
    with pytest.raises(ItemsError, match="cannot be read"):
        read_items(tmp_path / "absent.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81\x30")
    with pytest.raises(ItemsError):
        read_items(tmp_path / "bin.csv")
