from rainforest.core.matching.normalise import QUERY_LIMIT, normalise, normalise_query
from rainforest.core.matching.tokenise import shared_tokeniser
from rainforest.core.matching.vocabulary import default_vocabulary, parse


def test_traditional_and_simplified_fold_to_one_form():
    assert normalise("四足機器人巡檢變電站") == normalise("四足机器人巡检变电站") == "四足机器人巡检变电站"


def test_full_width_case_and_punctuation():
    assert normalise("ＡＩ大模型，５Ｇ回傳！") == "ai大模型 5g回传"
    assert normalise("「機器狗」——SLAM導航。") == "机器狗 slam导航"


def test_technology_names_keep_their_signs():
    assert normalise("C++ 與 C#") == "c++ 与 c#"


def test_a_long_query_is_cut_and_says_so():
    text, cut = normalise_query("巡检" * QUERY_LIMIT)
    assert cut and len(text) == QUERY_LIMIT
    assert normalise_query("巡检") == ("巡检", False)


def test_synonyms_share_a_concept_token():
    tok = shared_tokeniser()
    assert "~quadruped" in tok.tokens("機器狗") and "~quadruped" in tok.tokens("四足机器人")
    assert "~drone" in tok.tokens("无人机机巢") and "~drone" not in tok.tokens("机器狗")


def test_domain_terms_are_one_word():
    assert "四足机器人" in shared_tokeniser().tokens("变电站四足机器人巡检")


def test_stop_words_and_punctuation_never_become_tokens():
    tok = shared_tokeniser()
    assert tok.tokens("！！！，。") == []
    assert "的" not in tok.tokens("城市的巡检")


def test_every_concept_has_a_label_and_terms_are_normalised():
    vocabulary = default_vocabulary()
    assert vocabulary.version
    assert all(term == normalise(term) for term in vocabulary.terms)
    assert vocabulary.label["quadruped"] == "四足机器人"


def test_a_malformed_vocabulary_is_refused():
    import pytest

    with pytest.raises(ValueError, match="concepts"):
        parse({"concepts": []})
    with pytest.raises(ValueError, match="robot"):
        parse({"concepts": {"robot": ["", "机器人"]}})
