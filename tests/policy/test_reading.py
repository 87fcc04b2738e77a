"""The registry read for a bulk screening is the frame its export gives the engine, cell for cell: on
PostgreSQL through COPY, elsewhere through the cursor."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from rainforest.accounts.models import Organisation
from rainforest.core.policy.batch import SCHEMA, frame_from_rows
from rainforest.policy.reading import registry_frame
from rainforest.registry.models import YearlyFacts
from rainforest.registry.selectors import facts_export_rows
from tests.conftest import SYSTEM, register

pytestmark = pytest.mark.django_db


def exported() -> pl.DataFrame:
    return frame_from_rows(list(facts_export_rows(actor=SYSTEM)))


def same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert_frame_equal(a.sort("uscc", "fiscal_year"), b.sort("uscc", "fiscal_year"), check_exact=True)


def test_the_synthetic_city_reads_as_its_export(city):
    frame = registry_frame()
    assert frame.schema == pl.Schema(SCHEMA) and frame.height == len(city)
    same(frame, exported())


def test_awkward_cells_read_as_their_export(make_org):
    names = ['甲,"引号"公司', "乙\n换行公司", r"\N", "v", "丙公司 "]
    years = ((2023, 20, 8, 6, "0.10", "0.01"), (2024, 22, 9, 7, "987654321098.76", "123456789.01"))
    for i, name in enumerate(names):
        org = make_org(name=f"企业{i}")
        register(org, founded_on="2020-02-29", years=years)
        Organisation.objects.filter(pk=org.pk).update(name=name)  # what the registry may hold, whatever its forms
    facts = YearlyFacts.objects.order_by("pk")
    facts.filter(pk=facts[0].pk).update(district="", industries="HZ296X.T.AI;HZ296X.T.VIS", clean_record=False)
    facts.filter(pk=facts[1].pk).update(district=None, tech_sme_registered=True, hnte_certified_on=dt.date(2024, 2, 29))
    facts.filter(pk=facts[2].pk).update(net_assets=Decimal("-1234.56"), stage="rd", hnte_field="F3")
    frame = registry_frame()
    same(frame, exported())
    assert set(frame["name"]) == set(names)
    assert frame.filter(pl.col("district") == "").height == 1 and frame["district"].null_count() >= 1


def test_an_empty_registry_is_an_empty_frame_of_the_schema(db):
    frame = registry_frame()
    assert frame.height == 0 and frame.schema == pl.Schema(SCHEMA)
