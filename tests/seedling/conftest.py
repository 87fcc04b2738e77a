import datetime as dt

import pytest

from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.registry.models import Recognition
from rainforest.registry.services import facts_import
from tests.conftest import SYSTEM
from tests.exchange.conftest import _english_messages, as_actor  # noqa: F401  (re-exported for the tests)

HEADER = (
    "uscc,name,founded_on,fiscal_year,district,industries,employees,tech_staff,rd_staff,revenue,rd_expense,"
    "financing_total,valuation,tech_sme_registered\n"
)
THIS_YEAR = dt.date.today().year


def facts(org, *, founded="2023-03-01", employees=40, rd_staff=8, revenue=10_000_000, rd=1_200_000,
          financing=5_000_000, valuation=60_000_000, district="滨江区", registered="true"):  # fmt: skip
    """Two years of facts that make a good seedling unless told otherwise."""
    rows = [
        f"{org.uscc},{org.name},{founded},{y},{district},HZ296X.H.ROBOT,{employees},{rd_staff + 2},{rd_staff},"
        f"{revenue},{rd},{financing},{valuation},{registered}"
        for y in (THIS_YEAR - 2, THIS_YEAR - 1)
    ]
    facts_import(actor=SYSTEM, data=(HEADER + "\n".join(rows)).encode(), filename="facts.csv")
    return org.enterprise


def recognise(enterprise, kind, year=THIS_YEAR - 1, **extra):
    return Recognition.objects.create(enterprise=enterprise, kind=kind, year=year, **extra)


@pytest.fixture
def seedling_co(startup):
    """Alice's start-up (startup fixture), with facts of a good seedling candidate."""
    return facts(startup)


@pytest.fixture
def second_co(make_org):
    return facts(make_org("杭州乙机器人有限公司", OrganisationKind.ENTERPRISE, "西湖区"), rd=900_000, district="西湖区")


@pytest.fixture
def officer2(make_user, bureau):
    return make_user("oscar", Role.PROGRAMME_OFFICER, bureau)


@pytest.fixture
def experts(make_user, make_org):
    uni = make_org("浙江大学", OrganisationKind.UNIVERSITY, "西湖区")
    return [make_user(f"expert{i}", Role.EXPERT, uni) for i in range(3)]
