"""The rule set the platform runs on: the packaged rule files, loaded and checked once."""

from functools import cache

from rainforest.core.policy.loader import load_ruleset
from rainforest.core.policy.model import RuleSet


@cache
def current_ruleset() -> RuleSet:
    return load_ruleset()
