"""Published lists as documents: items numbered 1..n per version (never by database id), the
number kept with the version, the formal title, and a PDF whose CJK font travels inside it."""

import re

import pytest
from django.utils import translation

from rainforest.exchange.models import PublishedList, Scenario
from rainforest.exchange.services import scenarios
from tests.exchange.conftest import SCENARIO, as_actor


def _approved(publisher, officer, title: str) -> Scenario:
    scenario = scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "title": title})
    scenarios.scenario_move(actor=as_actor(publisher), scenario=scenario, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=scenario, action="approve")
    return scenario


@pytest.fixture
def batch(publisher, officer):
    """Three approved scenarios listed after one that was drafted and never listed, so no item's
    database id equals its number on the list."""
    scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "title": "未列入的草稿"})
    items = [_approved(publisher, officer, f"场景{n}") for n in ("甲", "乙", "丙")]
    published = scenarios.list_publish(
        actor=as_actor(officer), kind="scenarios", year=2026, number=4, title="机器人场景", ids=[s.pk for s in items]
    )
    return published, items


def test_items_are_numbered_1_to_n_in_a_stable_order_kept_with_the_version(batch, publisher, officer):
    published, (a, b, c) = batch
    assert [(i["no"], i["id"]) for i in published.items] == [(1, a.pk), (2, b.pk), (3, c.pk)]
    assert [i["id"] for i in published.items] != [1, 2, 3]

    d = _approved(publisher, officer, "场景丁")
    second = scenarios.list_publish(
        actor=as_actor(officer),
        kind="scenarios",
        year=2026,
        number=4,
        title="机器人场景",
        ids=[d.pk, c.pk, a.pk],  # b removed, d added; the order ticked does not matter
        correction_note="撤下场景乙，增补场景丁",
    )
    # The items kept stay in the first version's order, the new one follows; numbers 1..n again.
    assert [(i["no"], i["id"]) for i in second.items] == [(1, a.pk), (2, c.pk), (3, d.pk)]
    # A renumbered item is not a changed item: only facts count as changes.
    assert second.changes["changed"] == {} and second.changes["removed"] == [b.pk]
    published.refresh_from_db()
    assert [(i["no"], i["id"]) for i in published.items] == [(1, a.pk), (2, b.pk), (3, c.pk)]  # never changes


def test_the_page_numbers_items_and_names_the_version(client, batch, publisher, officer):
    published, (a, b, c) = batch
    with translation.override("zh-hans"):
        assert published.heading() == "2026年第4批场景机会清单（第1版）"
    page = client.get(f"/exchange/lists/{published.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    numbers = re.findall(r"<tr><td>(\d+)</td>", page)
    assert numbers == ["1", "2", "3"]
    assert "第4批" in page and "2026年" in page
    # A filter keeps each item's own number.
    filtered = client.get(f"/exchange/lists/{published.pk}/", {"q": "场景丙"}).content.decode()
    assert re.findall(r"<tr><td>(\d+)</td>", filtered) == ["3"]

    d = _approved(publisher, officer, "场景丁")
    second = scenarios.list_publish(
        actor=as_actor(officer),
        kind="scenarios",
        year=2026,
        number=4,
        title="机器人场景",
        ids=[a.pk, c.pk, d.pk],
        correction_note="撤下场景乙，增补场景丁",
    )
    page = client.get(f"/exchange/lists/{second.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第2版" in page
    # The changes are told by number and title, not by database id.
    assert "场景乙" in page and "场景丁" in page and f"#{b.pk}" not in page


def _pdf_text_runs(pdf: bytes) -> list[tuple[float, str]]:
    """(x, text) of each run of text an uncompressed PDF draws, in drawing order, x being where it
    starts on the page (the translations in force, saved and restored, plus the text's own). Digits
    and Latin letters are written as themselves in the embedded subset; CJK characters as codes."""
    runs, offset, saved = [], 0.0, []
    ops = rb"(?m)^q$|^Q$|1 0 0 1 ([\d.-]+) [\d.-]+ cm|BT 1 0 0 1 ([\d.-]+) [\d.-]+ Tm(.*?)ET"
    for m in re.finditer(ops, pdf, re.S):
        token = m.group(0)
        if token == b"q":
            saved.append(offset)
        elif token == b"Q":
            offset = saved.pop() if saved else 0.0
        elif m.group(1) is not None:
            offset += float(m.group(1))
        else:
            for text in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", m.group(3)):
                runs.append((round(offset + float(m.group(2)), 2), text.decode("latin-1")))
    return runs


def test_the_pdf_embeds_its_font_and_numbers_the_items(client, batch, monkeypatch):
    from reportlab import rl_config

    published, _items = batch
    pdf = client.get(f"/exchange/lists/{published.pk}/", {"format": "pdf"}).content
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the TrueType font is inside the file
    assert b"STSong" not in pdf and b"/Helvetica" not in pdf  # no font left for the reader to substitute

    monkeypatch.setattr(rl_config, "pageCompression", 0)  # to read the page's text
    pdf = client.get(f"/exchange/lists/{published.pk}/", {"format": "pdf"}).content
    runs = _pdf_text_runs(pdf)
    # The leftmost column of whole numbers is the items' numbers (TRL levels sit further right).
    first_column = min(x for x, text in runs if text.isdigit())
    numbers = [text for x, text in runs if x == first_column and text.isdigit()]
    assert numbers == ["1", "2", "3"]


def test_the_spreadsheet_numbers_the_items(client, batch):
    import io

    from openpyxl import load_workbook

    published, _items = batch
    xlsx = client.get(f"/exchange/lists/{published.pk}/", {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == published.heading()
    assert [r[0] for r in rows[3:]] == ["1", "2", "3"]
    assert "50–200 万元" in rows[3]  # the budget as a programme figure, not 500000–2000000


def test_lists_published_before_numbering_are_numbered_by_the_migration(batch):
    """The data migration's rule on a stored list without numbers: 1..n in stored order, a
    correction keeping its previous version's order."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("rainforest.exchange.migrations.0004_published_list_item_numbers")
    published, (a, b, c) = batch
    first = [{k: v for k, v in i.items() if k != "no"} for i in published.items]
    PublishedList.objects.filter(pk=published.pk).update(items=first)
    second = PublishedList.objects.create(
        kind="scenarios",
        year=2026,
        number=4,
        version=2,
        title=published.title,
        items=[first[2], first[0]],  # stored in another order than the first version's
        published_by_label="x",
        published_at=published.published_at,
    )
    migration.number_lists(apps, None)
    published.refresh_from_db()
    second.refresh_from_db()
    assert [(i["no"], i["id"]) for i in published.items] == [(1, a.pk), (2, b.pk), (3, c.pk)]
    assert [(i["no"], i["id"]) for i in second.items] == [(1, a.pk), (2, c.pk)]


def test_a_correction_says_what_changed_in_words(client, batch, officer):
    published, (a, _b, c) = batch
    Scenario.objects.filter(pk=c.pk).update(title="场景丙（修订）", budget_max=3_000_000)
    second = scenarios.list_publish(
        actor=as_actor(officer),
        kind="scenarios",
        year=2026,
        number=4,
        title="机器人场景",
        ids=[a.pk, c.pk],
        correction_note="场景丙预算上调",
    )
    page = client.get(f"/exchange/lists/{second.pk}/").content.decode()
    changes = page[page.index('class="msg"') : page.index("</div>", page.index('class="msg"'))]
    assert "场景丙预算上调" in changes
    assert "场景丙（修订）" in changes and "2,000,000" in changes and "3,000,000" in changes
    assert "budget_max" not in changes and f"#{c.pk}" not in changes
