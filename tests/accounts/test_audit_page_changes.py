"""The auditor page says what each event is about and what it changed, in words, as the back office
does: the object's type by its name, the before and after by field names and plain values."""

import pytest
from django.db import transaction
from django.test import Client

from rainforest.audit import trail
from tests.conftest import SYSTEM, sign_in

pytestmark = pytest.mark.django_db

LABEL = "杭州样例有限公司"


def record_change():
    with transaction.atomic():
        trail.record(
            SYSTEM, "registry.recognition.recorded", subject_type="facts", subject_id=7, subject_label=LABEL,
            before={"kind": "hnte", "valid_until": "2025-12-31"},
            after={"kind": "hnte", "valid_until": "2026-12-31", "4f2a": True},
        )  # fmt: skip


def row_of(html: str) -> str:
    start = html.index(LABEL)
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_the_audit_page_names_the_object_type_and_shows_before_and_after(auditor):
    record_change()
    client = sign_in(Client(), auditor)
    row = row_of(client.get("/accounts/audit/").content.decode())
    assert "年度数据" in row  # the type, not "facts"
    assert "facts" not in row
    assert "高新技术企业证书" in row and "hnte" not in row
    assert row.index("2025年12月31日") < row.index("2026年12月31日")  # before, then after
    assert "<code>4f2a</code>" in row  # a key the platform does not name stays a literal


def test_the_audit_page_reads_a_change_in_english(auditor):
    record_change()
    client = sign_in(Client(), auditor)
    client.cookies["django_language"] = "en"
    row = row_of(client.get("/accounts/audit/").content.decode())
    assert "Yearly facts" in row
    assert "Before" in row and "After" in row
    assert "2026-12-31" not in row  # a date in words, not as stored


def test_an_event_without_a_change_shows_a_dash(auditor):
    with transaction.atomic():
        trail.record(SYSTEM, "ops.backup.created", subject_type="backup", subject_id=1, subject_label=LABEL)
    client = sign_in(Client(), auditor)
    row = row_of(client.get("/accounts/audit/").content.decode())
    assert "<dl" not in row and "—" in row
