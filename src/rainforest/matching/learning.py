"""Learning from the people who use the platform: refit the ranking weights on officers' marks,
shortlists and awards (plus the built-in development part), judge the refit against the version
in use on the built-in held-out part, and adopt it only when it is better there.

The weights in use: ``matching.ranking.weights_in_use``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rainforest.audit import trail
from rainforest.core.matching import fitting
from rainforest.core.matching.quality import DEVELOPMENT, HELD_OUT, EvalSet, builtin_evalset
from rainforest.exchange.models import Capability, Scenario
from rainforest.matching.documents import capability_document, indexable, scenario_document
from rainforest.matching.models import Collection, RankingVersion
from rainforest.matching.ranking import weights_in_use
from rainforest.matching.selectors import feedback_judgements

MIN_PAIRS, MIN_SCENARIOS = 10, 3  # less than this teaches nothing a refit could be judged on
CANDIDATES_CAP = 5000  # capabilities ranked in the feedback set besides the judged ones


def feedback_evalset() -> EvalSet:
    """The platform's judged pairs as an evaluation set over its approved capabilities (the judged
    ones and, at city scale, the first CANDIDATES_CAP others, so the ranking has rivals)."""
    grades = feedback_judgements()
    judged_caps = {c for _s, c in grades}
    scenarios = Scenario.objects.filter(pk__in={s for s, _c in grades}).select_related("publisher")
    pool = indexable(Collection.CAPABILITY)
    capabilities = list(pool.filter(pk__in=judged_caps)) + list(
        pool.exclude(pk__in=judged_caps).order_by("pk")[:CANDIDATES_CAP]
    )
    judgements: dict[str, dict[str, int]] = {}
    for (scenario_id, capability_id), grade in grades.items():
        judgements.setdefault(str(scenario_id), {})[str(capability_id)] = grade
    return EvalSet(
        scenarios=[scenario_document(s) for s in scenarios],
        capabilities=[capability_document(c) for c in capabilities if isinstance(c, Capability)],
        judgements=judgements,
    )


def refit(*, encoder: str | None = "lsa", **grids) -> RankingVersion | None:
    """Fit, judge and record one refit; None when the platform has too little feedback yet."""
    taught = feedback_evalset()
    if taught.pairs < MIN_PAIRS or len(taught.judgements) < MIN_SCENARIOS:
        return None
    builtin = builtin_evalset()
    in_use = weights_in_use()
    version = f"feedback-{timezone.localtime():%Y%m%d-%H%M%S}"
    candidate, _score = fitting.fit(
        [builtin.part(DEVELOPMENT), taught],
        start=in_use,
        version=version,
        source=f"refitted from {taught.pairs} judged pairs of the platform and the development part",
        encoder=encoder,
        **grids,
    )
    held_out = [builtin.part(HELD_OUT)]
    new, old = fitting.judge(candidate, held_out, encoder=encoder), fitting.judge(in_use, held_out, encoder=encoder)
    adopted = new.better_than(old)
    with transaction.atomic():
        record = RankingVersion.objects.create(
            version=version,
            weights=candidate.as_data(),
            judged_pairs=taught.pairs,
            replaced=in_use.version,
            heldout_ndcg=new.score.ndcg10,
            heldout_recall=new.score.recall20,
            previous_ndcg=old.score.ndcg10,
            previous_recall=old.score.recall20,
            adopted=adopted,
        )
        trail.record(
            None,
            "matching.weights.adopted" if adopted else "matching.weights.refused",
            subject_type="ranking_version",
            subject_id=record.pk,
            subject_label=version,
            after={
                "replaced": in_use.version,
                "judged_pairs": taught.pairs,
                "held_out": {"ndcg10": new.score.ndcg10, "recall20": new.score.recall20},
                "in_use": {"ndcg10": old.score.ndcg10, "recall20": old.score.recall20},
            },
        )
    return record
