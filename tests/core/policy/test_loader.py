import shutil
from pathlib import Path

import pytest
import yaml

from rainforest.core.policy.loader import RULES_DIR, RuleFileError, load_ruleset

TIERS = {"tech_sme", "seed", "good_seedling", "hnte", "young_eagle", "tech_leader", "fund_target"}


def test_the_packaged_rule_set_has_every_tier_with_sources():
    rules = load_ruleset()
    assert set(rules.tiers) == TIERS
    for tier in rules.tiers.values():
        for c in tier.criteria:
            assert c.source.document and c.confidence in "ABCD" and c.title["zh-hans"]
    assert rules.targets["good_seedling_per_year"] == 1000
    assert {m.id: m.amount_cny for m in rules.measures}["RM-M03c"] == 200_000


def test_each_published_number_lives_once():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (RULES_DIR / "tiers").glob("*.yaml"))
    assert text.count("value: 20000000}") == 2  # seed revenue, good-seedling financing: two rules, two sources


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def edit(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    "change, where, message",
    [
        (lambda d: d["criteria"][1]["test"].update(op="=<"), "criteria[1].test.op", "unknown operator '=<'"),
        (lambda d: d["criteria"][1]["test"].update(field="age"), "criteria[1].test.field", "unknown field 'age'"),
        (lambda d: d["criteria"][1].update(strictness="soft"), "criteria[1].strictness", "unknown strictness"),
        (lambda d: d["criteria"][1].pop("source"), "criteria[1]", "missing key(s) ['source']"),
        (lambda d: d["criteria"][1].update(threshold=3), "criteria[1]", "unknown key(s) ['threshold']"),
        (lambda d: d["criteria"][1]["test"].update(value="five"), "criteria[1].test.value", "not a number"),
        (lambda d: d["criteria"].append(d["criteria"][1]), "criteria", "criterion ids repeat"),
    ],
)
def test_malformed_rule_files_are_refused_precisely(rules_copy, change, where, message):
    edit(rules_copy / "tiers" / "seed.yaml", change)
    with pytest.raises(RuleFileError) as err:
        load_ruleset(rules_copy)
    assert err.value.path == "seed.yaml" and err.value.where == where and message in err.value.message


def test_overlapping_bands_are_refused(rules_copy):
    def overlap(d):
        d["score"]["parts"][0]["bands"][1]["lt"] = 0.31  # 25%-31% overlaps ">= 30%"

    edit(rules_copy / "tiers" / "tech_sme.yaml", overlap)
    with pytest.raises(RuleFileError, match="bands overlap"):
        load_ruleset(rules_copy)


def test_touching_bands_with_both_ends_closed_are_refused(rules_copy):
    def touch(d):
        band = d["criteria"][4]["test"]["threshold_by"]["bands"][1]
        band.pop("gt")
        band["ge"] = 50000000  # 50m would be in both the 5% and the 4% band

    edit(rules_copy / "tiers" / "hnte.yaml", touch)
    with pytest.raises(RuleFileError, match="bands overlap"):
        load_ruleset(rules_copy)


def test_a_reading_default_must_be_one_of_the_options(rules_copy):
    edit(rules_copy / "tiers" / "seed.yaml", lambda d: d["criteria"][0]["readings"].update(default="city"))
    with pytest.raises(RuleFileError, match="default among them"):
        load_ruleset(rules_copy)


def test_invalid_yaml_is_refused(rules_copy):
    (rules_copy / "tiers" / "seed.yaml").write_text("tier: [unclosed", encoding="utf-8")
    with pytest.raises(RuleFileError, match="not valid YAML"):
        load_ruleset(rules_copy)


def test_a_score_takes_an_ordering_and_a_fixed_value_only(rules_copy):
    def equal(d):
        d["criteria"][4]["test"]["any_of"][1]["all_of"][0]["op"] = "=="  # TS-05: score == 60

    edit(rules_copy / "tiers" / "tech_sme.yaml", equal)
    with pytest.raises(RuleFileError, match="a score takes one of"):
        load_ruleset(rules_copy)


def test_each_dated_tier_says_where_its_date_comes_from():
    rules = load_ruleset()
    dated = {t.id: (t.in_force_from.isoformat(), t.in_force_source.refs) for t in rules.tiers.values()
             if t.in_force_source}  # fmt: skip
    assert dated == {
        "seed": ("2025-11-29", ("S4", "S3")),
        "good_seedling": ("2025-11-29", ("S4", "S3")),
        "fund_target": ("2025-11-18", ("S6", "S11")),
        "young_eagle": ("2024-10-11", ("S16",)),
    }
    assert all(ref in rules.sources for _date, refs in dated.values() for ref in refs)


def test_hnte_domestic_share_is_the_three_year_field():
    test = next(c for c in load_ruleset().tiers["hnte"].criteria if c.id == "HT-05b").test
    assert (test.field, test.op, test.value) == ("rd_domestic_share_3y", ">=", 0.6)
