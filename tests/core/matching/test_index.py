import numpy as np
import pytest

from rainforest.core.matching.documents import Boosts, Document, Filters, Mode
from rainforest.core.matching.index import MatchIndex
from rainforest.core.matching.weights import builtin_weights

DOCS = [
    Document("dog", "机器狗智能巡检", "适用于变电站的四足巡检，红外测温与表计识别", domains=("patrol",),
             districts=("西湖区",), trl=7, org_kind="enterprise"),
    Document("rail", "挂轨巡检机器人", "综合管廊与配电房巡检，气体检测", domains=("patrol",),
             districts=("滨江区",), trl=8, org_kind="enterprise"),
    Document("hospital", "医院物流机器人", "药品与标本配送，自动乘梯", domains=("care",),
             districts=("上城区",), trl=8, org_kind="enterprise"),
    Document("guide", "多语种导览机器人", "景区与博物馆讲解导览", domains=("tourism",),
             districts=("西湖区",), trl=6, org_kind="enterprise"),
    Document("lab", "机器人可靠性测试平台", "高低温、振动与跌落试验，巡检机器人整机测试", domains=("patrol",),
             districts=("余杭区",), trl=9, org_kind="pilot_base"),
    Document("body", "工业软件", "本产品也可用于变电站", domains=("industry",), trl=5, org_kind="enterprise"),
    Document("title", "变电站运维平台", "设备台账与工单", domains=("industry",), trl=5, org_kind="enterprise"),
    Document("notrl", "变电站巡检服务", "人工巡检外包", domains=("patrol",), org_kind="enterprise"),
]  # fmt: skip


@pytest.fixture(scope="module")
def index():
    ix = MatchIndex()
    ix.rebuild(DOCS)
    return ix


def ids(answer):
    return [h.id for h in answer.hits]


@pytest.mark.parametrize("mode", list(Mode))
def test_a_synonym_finds_the_document_in_every_mode(index, mode):
    answer = index.search("四足機器人 變電站", mode=mode)
    assert answer.mode is mode
    # An LSA fitted on eight texts barely tells the two substation documents apart: top two there.
    assert "dog" in ids(answer)[: 2 if mode is Mode.DENSE else 1]


def test_lexical_reasons_name_shared_terms_and_synonyms(index):
    hit = index.search("四足机器人变电站巡检", mode="lexical").hits[0]
    codes = {r.code: r.params for r in hit.reasons}
    assert "变电站" in codes["terms"]["terms"]
    assert ("四足机器人", "机器狗") in [tuple(p) for p in codes["synonyms"]["pairs"]]


def test_shared_terms_name_the_most_telling_first(index):
    """巡检 is in half the documents, 红外测温 in one: the reason leads with what the match rests on."""
    hit = index.search("巡检 机器人 红外测温", mode="lexical").hits[0]
    assert hit.id == "dog"
    assert dict((r.code, r.params) for r in hit.reasons)["terms"]["terms"][0] == "红外测温"


def test_without_a_dense_model_a_word_much_of_the_collection_holds_is_named_as_common():
    """运行数据 is in 11 of 12 texts (over an eighth, and over five): still shared (a subscription's
    keyword is answered by it), but marked common, for a page to say little of; in a collection
    of six, five texts is not common."""
    common = [Document(f"c{i}", f"产品{i}", f"提供运行数据与接口{i}") for i in range(10)]
    rare = Document("match", "客流预测系统", "基于运行数据的客流预测")
    other = Document("other", "客流统计", "闸机计数")
    ix = MatchIndex(encoder=None)
    ix.rebuild([*common[:6], rare, other, *common[6:]])
    hit = ix.search("地铁客流预测 运行数据", mode="lexical").hits[0]
    assert hit.id == "match"
    terms = dict((r.code, r.params) for r in hit.reasons)["terms"]
    assert "客流" in terms["terms"][0] and {"运行", "数据"} <= set(terms["terms"])
    assert set(terms["common"]) == {"运行", "数据"}
    small = MatchIndex(encoder=None)  # the collection's own measure only
    small.rebuild([*common[:4], rare, other])
    terms = dict((r.code, r.params) for r in small.search("运行数据客流预测", mode="lexical").hits[0].reasons)
    assert "数据" in terms["terms"]["terms"] and "common" not in terms["terms"]


def test_the_shipped_texts_say_which_words_are_common_where_a_few_offers_cannot():
    """数据 is in about one shipped text in eight: common in the domain, even in a collection of six;
    运行 and 客流预测 are not, though most of this collection holds 运行 (its topic is not common)."""
    common = [Document(f"c{i}", f"产品{i}", f"提供运行数据与接口{i}") for i in range(4)]
    small = MatchIndex()
    small.rebuild([*common, Document("match", "客流预测系统", "基于运行数据的客流预测"), Document("o", "闸机", "计数")])
    hit = small.search("运行数据客流预测", mode="hybrid").hits[0]
    terms = dict((r.code, r.params) for r in hit.reasons)["terms"]
    assert terms["common"] == ["数据"] and {"运行", "客流预测"} <= set(terms["terms"])


def test_the_title_weighs_more_than_the_body(index):
    ranked = ids(index.search("变电站", mode="lexical", top=10))
    assert ranked.index("title") < ranked.index("body")


def test_hard_filters_exclude_and_say_so(index):
    answer = index.search("机器人", mode="lexical", filters=Filters(domain="patrol", district="西湖区"))
    assert ids(answer) == ["dog"]
    assert {r.code for r in answer.hits[0].reasons} >= {"filter"}


def test_trl_filter_boundary_includes_equal_and_drops_unknown(index):
    found = ids(index.search("巡检", mode="lexical", top=20, filters=Filters(min_trl=8)))
    assert "rail" in found  # TRL 8 meets a minimum of 8
    assert "dog" not in found  # 7 does not
    assert "notrl" not in found  # an unstated TRL never meets a minimum
    assert "notrl" in ids(index.search("巡检", mode="lexical", top=20))


def test_organisation_kind_filter_finds_carriers_only(index):
    answer = index.search("巡检机器人测试", mode="lexical", filters=Filters(org_kinds=frozenset({"pilot_base"})))
    assert ids(answer) == ["lab"]


def test_a_boost_reorders_but_never_excludes():
    strong_preference = MatchIndex(weights=builtin_weights().with_changes(domain_factor=5))
    strong_preference.rebuild(DOCS)
    plain = ids(strong_preference.search("机器人", mode="lexical", top=20))
    boosted = strong_preference.search("机器人", mode="lexical", top=20, boosts=Boosts(domain="care"))
    assert ids(boosted)[0] == "hospital"
    assert set(ids(boosted)) == set(plain)
    assert any(r.code == "boost" for r in boosted.hits[0].reasons)


def test_a_catch_all_domain_is_no_preference():
    # "other" means "none of the five domains": two scenarios sharing it have nothing in common.
    catch_all = MatchIndex(weights=builtin_weights().with_changes(domain_factor=5))
    catch_all.rebuild([*DOCS, Document("misc", "机器人展示", domains=("other",))])
    plain = catch_all.search("机器人", mode="lexical", top=20)
    preferring_other = catch_all.search("机器人", mode="lexical", top=20, boosts=Boosts(domain="other"))
    assert [h.score for h in preferring_other.hits] == [h.score for h in plain.hits]
    assert not any(r.code == "boost" for h in preferring_other.hits for r in h.reasons)
    assert builtin_weights().boosts_for(("other", "care")).domain == "care"
    assert builtin_weights().boosts_for(("other",)).domain == ""


@pytest.mark.parametrize(
    "query, notice",
    [("", "empty_query"), ("！？。，", "empty_query"), ("的", "empty_query"), ("巡检" * 60_000, "query_cut")],
)
def test_bad_queries_give_a_notice_never_an_exception(index, query, notice):
    answer = index.search(query)
    assert notice in answer.notices


@pytest.mark.parametrize("query", ["狗", "A", "Robot 巡檢 ロボット 로봇 🤖", "x" * 100_000])
def test_odd_queries_return_sensible_results(index, query):
    answer = index.search(query, top=5)
    assert len(answer.hits) <= 5


def test_top_zero_and_an_empty_index():
    empty = MatchIndex()
    empty.rebuild([])
    assert empty.search("巡检").hits == []
    assert empty.search("巡检", top=0).hits == []


def test_edits_and_removals_are_seen_by_the_next_search():
    ix = MatchIndex()
    ix.rebuild(DOCS)
    ix.remove("dog")
    assert "dog" not in ids(ix.search("机器狗", top=20))
    ix.upsert(Document("dog", "机器狗", "隧道巡检", domains=("patrol",), trl=7))
    assert "dog" in ids(ix.search("机器狗 隧道", top=20))
    ix.upsert(Document("dog", "医疗配送", "病房", domains=("care",), trl=7))  # an edit replaces the old text
    assert "dog" not in ids(ix.search("隧道", mode="lexical", top=20))
    assert len(ix) == len(DOCS)


def test_a_document_added_later_scores_as_if_indexed_in_bulk():
    later = MatchIndex(encoder=None)
    later.rebuild(DOCS[:-1])
    later.upsert(DOCS[-1])
    bulk = MatchIndex(encoder=None)
    bulk.rebuild(DOCS)
    a = {h.id: h.score for h in later.search("变电站巡检", top=20).hits}
    b = {h.id: h.score for h in bulk.search("变电站巡检", top=20).hits}
    assert a["notrl"] == pytest.approx(b["notrl"], rel=1e-5)


def test_a_document_added_later_has_the_same_evidence_and_reasons_as_in_bulk():
    later = MatchIndex(encoder=None)
    later.rebuild(DOCS[1:])
    later.upsert(DOCS[0])
    bulk = MatchIndex(encoder=None)
    bulk.rebuild(DOCS)
    query = "四足机器人 变电站 测温"
    a = next(h for h in later.search(query, top=20).hits if h.id == "dog")
    b = next(h for h in bulk.search(query, top=20).hits if h.id == "dog")
    assert a.reasons == b.reasons and a.evidence["coverage"] == pytest.approx(b.evidence["coverage"])
    assert any(r.code == "synonyms" for r in a.reasons)  # 四足机器人 met 机器狗


def test_a_word_the_query_repeats_weighs_more_in_both_segments():
    """Query term frequency counts, in the bulk-built base and in documents saved since alike."""
    later = MatchIndex(encoder=None)
    later.rebuild(DOCS[:-1])
    later.upsert(DOCS[-1])
    bulk = MatchIndex(encoder=None)
    bulk.rebuild(DOCS)
    for ix in (later, bulk):
        once = {h.id: h.score for h in ix.search("变电站 人工", top=20).hits}
        twice = {h.id: h.score for h in ix.search("变电站 人工 人工", top=20).hits}
        assert twice["notrl"] > once["notrl"]  # only notrl says 人工
        assert twice["title"] == pytest.approx(once["title"], rel=1e-5)
    a = {h.id: h.score for h in later.search("变电站 人工 人工", top=20).hits}
    b = {h.id: h.score for h in bulk.search("变电站 人工 人工", top=20).hits}
    assert a["notrl"] == pytest.approx(b["notrl"], rel=1e-5)


def test_the_delta_is_compacted_when_it_grows():
    ix = MatchIndex(encoder=None)
    ix.rebuild(DOCS)
    for i in range(1001):
        ix.upsert(Document(f"n{i}", f"巡检机器人{i}", "变电站"))
    assert ix.lexical.delta_size < 1000
    assert len(ix) == len(DOCS) + 1001


def test_save_and_load_give_the_same_answers(index, tmp_path):
    index.save(tmp_path / "ix", watermark=42)
    loaded, meta = MatchIndex.load(tmp_path / "ix")
    assert meta["watermark"] == 42
    for mode in Mode:
        assert ids(loaded.search("四足机器人", mode=mode)) == ids(index.search("四足机器人", mode=mode))


def test_a_snapshot_of_another_vocabulary_is_refused(index, tmp_path):
    index.save(tmp_path / "ix")
    meta = tmp_path / "ix" / "meta.json"
    meta.write_text(meta.read_text().replace(index.tokeniser.vocabulary.version, "1999.01"))
    with pytest.raises(ValueError, match="rebuild"):
        MatchIndex.load(tmp_path / "ix")


def test_an_encoder_that_is_not_installed_falls_back_to_lexical(tmp_path):
    ix = MatchIndex(encoder=f"sentence-transformers:{tmp_path / 'no-such-model'}")
    assert ix.encoder is None and ix.encoder_problem.code == "encoder_path_missing"
    ix.rebuild(DOCS)
    answer = ix.search("机器狗", mode="hybrid")
    assert answer.mode is Mode.LEXICAL and "encoder_unavailable" in answer.notices
    assert ids(answer)[0] == "dog"


def test_an_unknown_encoder_is_reported():
    assert MatchIndex(encoder="word2vec").encoder_problem.code == "encoder_unknown"


def test_too_few_texts_to_learn_from_ranks_lexically_without_alarm():
    ix = MatchIndex(background=False)
    ix.rebuild(DOCS[:2])
    answer = ix.search("机器狗", mode="dense")
    assert answer.mode is Mode.LEXICAL and answer.notices == ()


def test_the_shipped_texts_teach_a_small_index_which_words_keep_company():
    """Three offers alone cannot teach a model anything; with the shipped in-domain texts, a need
    that shares no word with the hospital robot's offer still finds it."""
    ix = MatchIndex()
    ix.rebuild([DOCS[0], DOCS[2], DOCS[3]])
    need = "病区之间运送检验样本"
    assert ix.search(need, mode="lexical").hits == []
    answer = ix.search(need, mode="dense")
    assert answer.mode is Mode.DENSE
    assert ids(answer)[0] == "hospital" and answer.hits[0].evidence["similarity"] > 0.2
    # Only a document that resembles the need steers the feedback: the substation dog, like neither
    # the need nor the hospital robot, is not brought in (it was, when the three closest steered).
    assert "dog" not in ids(answer)
    # The others come only through the feedback: no "semantically similar (0 %)" is claimed for them.
    for hit in answer.hits[1:]:
        assert hit.evidence["similarity"] == 0 and "semantic" not in {r.code for r in hit.reasons}
        assert hit.level == "weak"


def test_a_new_platform_ranks_densely_from_its_first_offer(tmp_path):
    """A platform starts with no offer: its model is fitted on the shipped texts alone, each offer
    is encoded as it arrives, and a need worded unlike the offer finds it before any compaction;
    the empty index's model survives a save and a load."""
    empty = MatchIndex(auto_compact=False)
    empty.rebuild([])
    assert empty.dense_ready and len(empty) == 0
    empty.save(tmp_path / "empty")
    loaded, _meta = MatchIndex.load(tmp_path / "empty", auto_compact=False)
    for ix in (empty, loaded):
        for doc in DOCS:
            ix.upsert(doc)
        answer = ix.search("病区之间运送检验样本", mode="hybrid")
        assert answer.mode is Mode.HYBRID and ids(answer)[0] == "hospital"
        assert ix.lexical.delta_size == len(DOCS)  # no compaction was needed


def test_a_background_text_already_indexed_is_read_once():
    """The platform words a shipped capability with its domain labels and reference cases around
    it, so the same text is recognised by its title and description (width and spacing aside);
    the same product offered in another setting is another text."""
    from rainforest.core.matching.background import background_for, background_texts
    from rainforest.core.matching.quality import builtin_evalset

    shipped = background_texts()
    assert len(shipped) > 500
    offers = builtin_evalset().capabilities
    offer, twin = [c for c in offers if c.title == "迈宝腰部助力外骨骼"]  # one product, two settings
    assert "（" in offer.body  # written with full-width brackets; the platform's copy has half-width ones
    body = offer.body.replace("（", "(").replace("）", ")") + "\n参考案例：某区试点"
    worded = Document("p1", offer.title.replace("", " "), body, tags=("其他领域",))
    rest = background_for([worded], [" ".join(shipped[1])])
    assert offer.text not in rest and shipped[1] not in rest and len(rest) == len(shipped) - 2
    assert twin.text in rest


def test_a_shipped_traditional_text_indexed_in_simplified_is_read_once():
    """The demo's enterprises write the set's traditional texts in simplified characters."""
    from rainforest.core.matching.background import background_for, background_texts
    from rainforest.core.matching.normalise import simplified
    from rainforest.core.matching.quality import builtin_evalset

    drone = next(c for c in builtin_evalset().capabilities if c.title == "無人機自動機場與巡查平台")
    rest = background_for([Document("p1", simplified(drone.title), simplified(drone.body))], [])
    assert drone.text not in rest and len(rest) == len(background_texts()) - 1


def test_a_saved_dense_model_of_other_shipped_texts_is_fitted_again(index, tmp_path):
    """A release that ships other in-domain texts must not keep answering with a model fitted
    without them: the saved documents are read again, and the next save records the new texts."""
    import json

    index.save(tmp_path / "ix")
    meta = tmp_path / "ix" / "meta.json"
    saved = json.loads(meta.read_text())
    assert saved["background"] == index.background_fingerprint
    (tmp_path / "ix" / "vectors.npy").write_bytes(b"not read")  # an old model must not be loaded
    meta.write_text(json.dumps({**saved, "background": "an-old-release"}))
    loaded, _meta = MatchIndex.load(tmp_path / "ix")
    assert loaded.dense_ready
    assert ids(loaded.search("四足机器人", mode="dense")) == ids(index.search("四足机器人", mode="dense"))
    plain, _meta = MatchIndex.load(tmp_path / "ix", background=False)
    assert plain.background_fingerprint is None and plain.dense_ready


def test_dense_vectors_are_unit_length(index):
    assert np.allclose(np.linalg.norm(index._vectors, axis=1), 1.0, atol=1e-4)


def test_a_shared_latin_term_is_named_as_the_document_writes_it():
    index = MatchIndex(encoder=None)
    index.rebuild([Document("amr", "AMR集群调度系统", "自主移动机器人（AMR）与无人叉车多机调度")])
    terms = index.search("amr 多机调度", mode="lexical").hits[0].reasons[0]
    assert terms.code == "terms" and "AMR" in terms.params["terms"] and "amr" not in terms.params["terms"]


class _TrainedModel:
    """A stand-in for a sentence-transformers model: learns nothing from texts, counts what it encodes."""

    spec, fitted, learns = "trained", True, False

    def __init__(self):
        self.encoded = 0

    def fit(self, texts):
        return None

    def encode(self, texts):
        self.encoded += len(texts)
        rows = np.zeros((len(texts), 8), dtype=np.float32)
        for i, text in enumerate(texts):
            rows[i, len(text) % 8] = 1.0
        return rows

    def save(self, folder):
        return None

    def load(self, folder):
        return None


def test_a_trained_model_neither_reads_the_shipped_texts_nor_encodes_again_on_load(tmp_path, monkeypatch):
    from rainforest.core.matching import index as index_module

    models = []

    def make(spec, tokeniser):
        models.append(_TrainedModel())
        return models[-1]

    monkeypatch.setattr(index_module, "make_encoder", make)
    ix = MatchIndex(encoder="trained")
    ix.rebuild(DOCS)
    assert ix.background_fingerprint is None and models[0].encoded == len(DOCS)
    ix.save(tmp_path / "ix")
    loaded, meta = MatchIndex.load(tmp_path / "ix", encoder="trained")
    assert meta["background"] is None and models[-1].encoded == 0 and not loaded.refitted_on_load


@pytest.mark.parametrize("query", ["变电站巡检机器人", "景区讲解", "高低温试验", "医院药品配送与导览"])
def test_every_hit_gives_at_least_one_reason(index, query):
    """A result with nothing to say for itself cannot be weighed by the person reading it."""
    for hit in index.search(query, mode="hybrid", top=10).hits:
        assert hit.reasons, hit.id


def test_a_fragment_of_a_query_word_is_no_shared_term():
    """机器狗 asked, 机器人 offered: 机器 is a fragment the segmenter also cut, not a word in common."""
    ix = MatchIndex(encoder=None)
    ix.rebuild([Document("r", "医院物流机器人", "药品配送"), Document("d", "机器狗", "四足巡检")])
    for hit in ix.search("机器狗 药品配送", mode="lexical").hits:
        terms = dict((r.code, r.params) for r in hit.reasons).get("terms", {}).get("terms", [])
        assert "机器" not in terms, hit.id
