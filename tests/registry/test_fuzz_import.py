"""Fuzzing the registry import with its database: a near-valid facts file either imports (every value
fitting its column — on PostgreSQL too) or is refused with its problems, and a refused file leaves
every table as it was."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import OrganisationKind
from rainforest.accounts.models import Organisation
from rainforest.audit.models import AuditEvent
from rainforest.core.uscc import build
from rainforest.registry import services
from rainforest.registry.models import Enterprise, YearlyFacts
from rainforest.registry.problems import problem_message
from tests.conftest import SYSTEM
from tests.core.test_fuzz_readers import as_csv, fuzz, tables

TODAY = dt.date(2026, 6, 30)
UNIVERSITY = build("9", "1", "330108", "77777777")  # an organisation that is not an enterprise


@pytest.fixture
def university(db):
    return accounts.organisation_create(
        actor=SYSTEM, name="某大学", kind=OrganisationKind.UNIVERSITY, uscc=UNIVERSITY, district="西湖区"
    )


def counts():
    return (
        Organisation.objects.count(),
        Enterprise.objects.count(),
        YearlyFacts.objects.count(),
        AuditEvent.objects.count(),
        sorted(YearlyFacts.objects.values_list("version", flat=True)),
    )


@pytest.mark.django_db
@settings(fuzz(40), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=tables(valid_share=8), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), org=st.booleans())
def test_an_import_is_all_or_nothing(university, table, encoding, org):
    header, rows = table
    if org and rows and "uscc" in header and len(rows[0]) > header.index("uscc"):
        rows[0][header.index("uscc")] = UNIVERSITY  # now and then a row names the university
    before = counts()
    try:
        report = services.facts_import(actor=SYSTEM, data=as_csv(header, rows).encode(encoding), today=TODAY)
    except services.ImportRefused as exc:
        assert exc.problems
        assert all(problem_message(p) for p in exc.problems)
        assert counts() == before
        return
    assert report.rows == len([r for r in rows if any(c.strip() for c in r)])
    assert YearlyFacts.objects.count() >= before[2]
