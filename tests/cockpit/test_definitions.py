"""The catalogue reaches the database as versioned definitions, each change audited."""

import copy
import datetime as dt

import pytest
import yaml

from rainforest.audit.models import AuditEvent
from rainforest.cockpit import definitions
from rainforest.cockpit.models import Indicator, IndicatorVersion

pytestmark = pytest.mark.django_db


def test_migrate_put_every_catalogue_indicator_in_force():
    _version, entries = definitions.load_catalogue()
    codes = [d.code for d in definitions.current_definitions()]
    assert codes == [e["code"] for e in entries]
    assert {d.version for d in definitions.current_definitions()} == {1}
    assert definitions.sync_catalogue() == []  # nothing changed: no new version, no event


def test_a_changed_definition_is_a_new_version_and_the_old_one_stays(tmp_path):
    """The catalogue is part of a release: its versions name the catalogue version, with no audit event."""
    _version, entries = definitions.load_catalogue()
    changed = copy.deepcopy(entries)
    changed[0]["target"] = 55000
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"version": "test.2", "indicators": changed}, allow_unicode=True), "utf-8")
    assert definitions.sync_catalogue(path) == [changed[0]["code"]]
    versions = IndicatorVersion.objects.filter(indicator__code=changed[0]["code"]).order_by("version")
    assert [v.definition["target"] for v in versions] == [50000, 55000]
    assert versions.last().catalogue_version == "test.2"
    assert definitions.definition(changed[0]["code"]).target == 55000
    assert not AuditEvent.objects.exists()  # migrations leave the trail empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": "people"}, "unit must be one of"),
        ({"kind": "computed", "computation": "nowhere.count"}, "unknown computation"),
        ({"target": None}, "needs a value"),
        ({"target_date": None}, "needs a date"),
        ({"breakdowns": ["street"]}, "breakdowns must be among"),
        ({"name": {"zh-hans": "只有中文"}}, "name needs zh-hans and en"),
    ],
)
def test_a_bad_catalogue_entry_stops_the_release(tmp_path, change, message):
    _version, entries = definitions.load_catalogue()
    broken = copy.deepcopy(entries)
    broken[0].update(change)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"version": "x", "indicators": broken}, allow_unicode=True), "utf-8")
    with pytest.raises(definitions.CatalogueError, match=message):
        definitions.sync_catalogue(path)
    assert Indicator.objects.filter(versions__version=2).count() == 0


def test_names_in_three_languages():
    from django.utils import translation

    d = definitions.definition("young_eagle")
    with translation.override("zh-hans"):
        assert d.name == "新雏鹰企业"
    with translation.override("zh-hant"):
        assert d.name == "新雛鷹企業"
        assert "認定" in d.counting  # Traditional from the Simplified text where the catalogue has none
    with translation.override("en"):
        assert d.name == "Young eagles"


def _define(actor, **changes):
    values = {
        "code": "patents_per_10k",
        "name_zh_hans": "每万人高价值发明专利拥有量",
        "name_en": "High-value patents per 10,000 people",
        "unit": "count",
        "target_kind": "level",
        "target": 50,
        "target_date": dt.date(2027, 12, 31),
        "department_zh_hans": "市市场监管局",
        "department_en": "Hangzhou Market Regulation Bureau",
        "counting_zh_hans": "按知识产权部门年报。",
        "counting_en": "From the IP office's yearly report.",
        "public": True,
    }
    values.update(changes)
    return definitions.indicator_define(actor=actor, **values)


def test_an_officer_defines_an_indicator_and_versions_it(officer):
    from rainforest.accounts.permissions import Principal

    actor = Principal(user=officer, membership=officer.memberships.first())
    first = _define(actor)
    assert (first.code, first.version, first.kind) == ("patents_per_10k", 1, "entered")
    assert _define(actor).version == 1  # the same definition again: nothing new
    second = _define(actor, target=60)
    assert second.version == 2 and definitions.definition("patents_per_10k").target == 60
    assert AuditEvent.objects.filter(action="cockpit.indicator.defined", subject_id="patents_per_10k").count() == 2
    with pytest.raises(definitions.DefinitionRefused):
        _define(actor, code="tech_sme")  # the published catalogue's change only with a release
    with pytest.raises(definitions.DefinitionRefused):
        _define(actor, code="Bad Code")
    with pytest.raises(definitions.DefinitionRefused):
        _define(actor, code="no_date", target_date=None)
    assert not Indicator.objects.filter(code__in=["no_date"]).exists()


def test_only_officers_define(fund_manager):
    from django.core.exceptions import PermissionDenied

    from rainforest.accounts.permissions import Principal

    with pytest.raises(PermissionDenied):
        _define(Principal(user=fund_manager, membership=fund_manager.memberships.first()))
