"""Entered observations: all or nothing with every problem listed, corrections as versions, audited."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import translation
from openpyxl import Workbook

from rainforest.accounts.permissions import Principal
from rainforest.audit.models import AuditEvent
from rainforest.cockpit.models import Observation
from rainforest.cockpit.observations import ObservationsRefused, observation_correct, observations_import

pytestmark = pytest.mark.django_db
HEADER = "indicator,period,value,source_document,note\n"


def actor_for(user):
    return Principal(user=user, membership=user.memberships.first())


def csv(*rows, encoding="utf-8"):
    return (HEADER + "\n".join(rows) + "\n").encode(encoding)


def test_a_file_is_imported_whole_with_its_units(officer):
    data = csv(
        "rd_intensity,2024,3.95%,杭州市2024年国民经济和社会发展统计公报,",
        "rd_intensity,2025,4.1,杭州市2025年统计公报,",
        "ai_core_revenue_growth,2025-10,26.3,新闻发布会 2025-11,1—10月累计",
        'st_input,2025,"360,000,000,000",市科技局年报,',
    )
    report = observations_import(actor=actor_for(officer), data=data, filename="obs.csv")
    assert (report.rows, report.created, report.corrected) == (4, 4, 0)
    values = {(o.indicator.code, o.year, o.month): o.value for o in Observation.objects.select_related("indicator")}
    assert values[("rd_intensity", 2024, 0)] == D("0.0395")  # a ratio, typed as a percentage
    assert values[("ai_core_revenue_growth", 2025, 10)] == D("26.3")  # a growth stays a percentage
    assert values[("st_input", 2025, 0)] == D("360000000000")
    assert AuditEvent.objects.filter(action="cockpit.observation.entered").count() == 4
    # The same file again changes nothing.
    again = observations_import(actor=actor_for(officer), data=data, filename="obs.csv")
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 4)
    assert Observation.objects.count() == 4


def test_one_bad_row_saves_nothing_and_every_problem_is_listed(officer):
    today = dt.date.today()
    data = csv(
        "rd_intensity,2024,3.95,统计公报,",
        "nonsense,2024,1,x,",  # unknown indicator
        "tech_sme,2024,100,x,",  # counted by the platform
        f"rd_intensity,{today.year + 1},4,x,",  # a year to come
        "rd_intensity,2023-13,4,x,",  # no month 13
        "rd_intensity,2022,four,x,",  # not a number
        "rd_intensity,2021,4,,",  # no source
        "rd_intensity,2024,3.96,另一公报,",  # the same period twice
        "st_input,2020,-5,x,",  # money cannot be negative
    )
    with pytest.raises(ObservationsRefused) as refused:
        observations_import(actor=actor_for(officer), data=data, filename="obs.csv")
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {
        (3, "indicator"), (4, "indicator"), (5, "period"), (6, "period"), (7, "value"), (8, "source_document"),
        (9, "period"), (10, "value"),
    }  # fmt: skip
    assert Observation.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="cockpit.observation").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"indicator,period\nrd_intensity,2024\n", "missing"),
        (HEADER.encode(), "no rows"),
        (b"\x00\x01binary", "UTF-8 or GB18030"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(officer, data, message):
    with translation.override("en"), pytest.raises(ObservationsRefused) as refused:
        observations_import(actor=actor_for(officer), data=data, filename="obs.csv")
    assert message in refused.value.problems[0].message


def test_gb18030_csv_and_xlsx_read_alike(officer):
    observations_import(
        actor=actor_for(officer),
        data=csv("rd_intensity,2024,3.95,杭州市统计公报,", encoding="gb18030"),
        filename="a.csv",
    )
    book = Workbook()
    book.active.append(["indicator", "period", "value", "source_document", "note"])
    book.active.append(["rd_intensity", "2025", 4.02, "杭州市统计公报", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    observations_import(actor=actor_for(officer), data=buffer.getvalue(), filename="b.xlsx")
    assert sorted(Observation.objects.values_list("year", "value")) == [(2024, D("0.0395")), (2025, D("0.0402"))]
    assert Observation.objects.get(year=2024).source_document == "杭州市统计公报"


def test_a_correction_is_a_new_version_and_the_old_value_stays(officer):
    actor = actor_for(officer)
    observation_correct(
        actor=actor, code="rd_intensity", year=2024, month=0, value=D("0.0390"), source_document="初步数"
    )
    observation_correct(actor=actor, code="rd_intensity", year=2024, month=0, value=D("0.0395"), source_document="公报")
    rows = list(Observation.objects.order_by("version"))
    assert [(o.version, o.value, o.current) for o in rows] == [(1, D("0.0390"), False), (2, D("0.0395"), True)]
    assert rows[1].supersedes == rows[0]
    event = AuditEvent.objects.get(action="cockpit.observation.corrected")
    assert event.before["value"] == "0.039000" and event.after["value"] == "0.039500"


def test_only_who_may_enter_statistics_can(fund_manager, enterprise_user, publisher):
    from django.core.exceptions import PermissionDenied

    for user in (fund_manager, enterprise_user, publisher):
        with pytest.raises(PermissionDenied):
            observations_import(actor=actor_for(user), data=csv("rd_intensity,2024,3.9,x,"), filename="o.csv")
    assert Observation.objects.count() == 0
