import datetime as dt

import pytest

from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.fund.services import committee_seat
from tests.exchange.conftest import _english_messages, as_actor  # noqa: F401
from tests.seedling.conftest import facts


@pytest.fixture
def company(make_org):
    org = make_org("杭州灵犀机器人有限公司", OrganisationKind.ENTERPRISE, "滨江区")
    return facts(org, founded="2023-05-01", employees=30)


@pytest.fixture
def committee(make_user, make_org, fund_manager):
    """Seven seats: three fund managers, four external experts."""
    fund_org = make_org("杭州市科创集团有限公司", OrganisationKind.FUND, "")
    uni = make_org("浙江工业大学", OrganisationKind.UNIVERSITY, "")
    internal = [make_user(f"fm{i}", Role.FUND_MANAGER, fund_org) for i in range(3)]
    external = [make_user(f"ext{i}", Role.EXPERT, uni) for i in range(4)]
    for u in internal:
        committee_seat(actor=as_actor(fund_manager), user=u, external=False)
    for u in external:
        committee_seat(actor=as_actor(fund_manager), user=u, external=True)
    return internal + external


ON = dt.date(2026, 11, 20)
