"""The registry read as one frame is the same frame the dict-per-row export gives the engine."""

import polars as pl
from polars.testing import assert_frame_equal

from rainforest.core.policy.batch import frame_from_rows
from rainforest.registry.frames import facts_frame
from rainforest.registry.selectors import facts_export_rows
from tests.conftest import SYSTEM, register


def _by_rows(enterprises=None):
    return frame_from_rows(list(facts_export_rows(actor=SYSTEM, enterprises=enterprises)))


def test_the_whole_registry_reads_as_the_export_does(make_org):
    register(make_org("甲公司"), years=((2023, 20, 8, 6, 3000000.55, 300000), (2024, 22, 9, 7, 123456789.01, 0)))
    register(make_org("乙公司"), founded_on="2020-02-29", years=((2024, 5, 1, 1, 0, 0),))
    frame = facts_frame()
    assert frame.height == 3
    assert_frame_equal(frame.drop("enterprise_id").sort("uscc", "fiscal_year"), _by_rows().sort("uscc", "fiscal_year"))


def test_a_chosen_set_of_enterprises_only(make_org):
    first = register(make_org("甲公司"))
    register(make_org("乙公司"))
    frame = facts_frame([first.pk])
    assert frame["enterprise_id"].to_list() == [first.pk]
    assert_frame_equal(frame.drop("enterprise_id"), _by_rows([first]))


def test_nothing_to_read_is_an_empty_frame_of_the_schema(db):
    frame = facts_frame([])
    assert frame.height == 0 and frame.schema == pl.Schema(facts_frame().schema)
