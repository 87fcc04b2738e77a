"""Rule files give their notes, unresolved points and unpublished criteria's reasons to people in
each language (issue 14), while the engine's own notes stay the English `rainforest screen` writes."""

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from rainforest.core.policy.evaluate import evaluate_tier
from rainforest.core.policy.fields import Facts
from rainforest.core.policy.loader import RULES_DIR, RuleFileError, load_ruleset, load_tier


def test_every_note_and_unresolved_point_reads_in_chinese_too():
    for tier in load_ruleset().tiers.values():
        for text in (*tier.notes, *tier.unresolved):
            assert text.keys() >= {"en", "zh-hans", "zh-hant"}, (tier.id, text)


def test_an_unpublished_criterion_keeps_its_english_note_for_the_engine():
    leader = load_ruleset().tiers["tech_leader"]
    test = leader.criteria[0].test
    assert test.reason == "No published thresholds for tech leader recognition were found."
    assert test.text["zh-hans"].startswith("未找到")
    facts = Facts("91330100MA00000000", "甲", None, [], dt.date(2026, 12, 4))
    assert evaluate_tier(leader, facts).criteria[0].note == test.reason


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "tier.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_note_is_english_alone_or_every_language_with_english(tmp_path):
    data = yaml.safe_load((RULES_DIR / "tiers" / "seed.yaml").read_text(encoding="utf-8"))
    plain = copy.deepcopy(data)
    plain["notes"] = ["English only."]
    assert load_tier(_write(tmp_path, plain)).notes == ({"en": "English only."},)
    broken = copy.deepcopy(data)
    broken["notes"] = [{"zh-hans": "只有中文。"}]
    with pytest.raises(RuleFileError, match=r"notes\[0\]: missing key\(s\) \['en'\]"):
        load_tier(_write(tmp_path, broken))
