"""Which ranking weights are in use: the latest adopted refit, else the release's ranking.yaml.

A refit starts from the weights in use, so adopted refits form a line back to one release's file.
When a new release ships other weights, that line is of the old release: the new file is used
(it was fitted and judged on the release's own, larger evaluation set) and the next refit starts
from it.
"""

from __future__ import annotations

from rainforest.core.matching.weights import RankingWeights, builtin_weights, parse
from rainforest.matching.models import RankingVersion


def weights_in_use() -> RankingWeights:
    builtin = builtin_weights()
    adopted = RankingVersion.objects.filter(adopted=True).values_list("weights", "replaced").first()
    if adopted and _release_of(adopted[1]) == builtin.version:
        return parse(adopted[0])
    return builtin


def set_aside() -> tuple[str, str] | None:
    """The latest adopted refit and the release it grew from, when this release's file outranks it."""
    adopted = RankingVersion.objects.filter(adopted=True).values_list("version", "replaced").first()
    if adopted is None:
        return None
    release = _release_of(adopted[1])
    return None if release == builtin_weights().version else (adopted[0], release)


def _release_of(replaced: str) -> str:
    """The release version at the root of a refit's line (``replaced`` is what it replaced)."""
    refits = dict(RankingVersion.objects.values_list("version", "replaced"))
    seen = set()
    while replaced in refits and replaced not in seen:
        seen.add(replaced)
        replaced = refits[replaced]
    return replaced
