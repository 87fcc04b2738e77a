"""Which ranking weights are in use: the latest adopted refit, else the release's ranking.yaml."""

from __future__ import annotations

from rainforest.core.matching.weights import RankingWeights, builtin_weights, parse
from rainforest.matching.models import RankingVersion


def weights_in_use() -> RankingWeights:
    adopted = RankingVersion.objects.filter(adopted=True).values_list("weights", flat=True).first()
    return parse(adopted) if adopted else builtin_weights()
