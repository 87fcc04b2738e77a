"""A reason in the reader's words: what the match rests on, not what every text says."""

import pytest
from django.utils import translation

from rainforest.core.matching.documents import Reason
from rainforest.matching.reasons import describe


@pytest.fixture(autouse=True)
def _simplified():
    with translation.override("zh-hans"):
        yield


def test_shared_terms_leave_out_the_common_ones():
    reason = Reason("terms", {"terms": ["客流预测", "运行", "数据"], "common": ["运行", "数据"]})
    assert describe(reason) == "共同词语：客流预测"


def test_a_match_on_common_words_only_says_so():
    reason = Reason("terms", {"terms": ["运行", "数据"], "common": ["运行", "数据"]})
    assert describe(reason) == "仅有常见词语相同：运行、数据"


@pytest.mark.parametrize(("similarity", "words"), [(0.07, "语义略有关联"), (0.29, "语义略有关联"), (0.3, "语义相近")])
def test_a_low_likeness_is_not_called_similar(similarity, words):
    assert describe(Reason("semantic", {"similarity": similarity})).startswith(words)


def test_a_hit_found_through_its_neighbours_says_so():
    assert describe(Reason("neighbours")) == "与最匹配的结果语义相近，只是用词不同"
