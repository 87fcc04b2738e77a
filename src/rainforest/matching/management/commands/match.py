"""rainforest match --scenarios S.csv --capabilities C.csv [--top 20] [--mode M] [--format jsonl]

Ranks the capabilities for every scenario and prints one JSON line per scenario:
``{"scenario": id, "results": [{"capability": id, "score": s, "reasons": [...]}]}``.
A scenario's optional ``domain`` is a soft preference (capabilities of that domain score 25%
higher), never a filter. The dense encoder is fitted on both files; another encoder can be named
with RAINFOREST_MATCH_ENCODER (e.g. ``sentence-transformers:/models/bge-small-zh``). An encoder
that cannot run is reported once on stderr and the ranking falls back to lexical.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rainforest.core.matching.documents import Boosts, Mode
from rainforest.core.matching.index import DEFAULT_MODE, MatchIndex
from rainforest.core.matching.items import ItemsError, read_items


class Command(BaseCommand):
    help = "Rank capabilities for scenarios (CSV files with id,title,description[,domain]); JSON lines out."
    # Reads a file and prints: the project's system checks (the whole URL tree) are not its business.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scenarios", required=True)
        parser.add_argument("--capabilities", required=True)
        parser.add_argument("--top", type=int, default=20)
        parser.add_argument("--mode", choices=[m.value for m in Mode], default=DEFAULT_MODE.value)
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")

    def handle(self, *args, scenarios, capabilities, top, mode, **options):
        if top < 1:
            raise CommandError("--top must be at least 1")
        try:
            wanted = read_items(scenarios)
            offered = read_items(capabilities)
        except ItemsError as problem:
            raise CommandError(str(problem)) from problem
        index = MatchIndex(encoder=settings.MATCH_ENCODER if mode != "lexical" else None)
        if index.encoder_problem is not None:
            self.stderr.write(f"dense encoder unavailable ({index.encoder_problem}); ranking lexically")
        index.rebuild(offered)
        if index.encoder is not None and mode != "lexical":
            index.fit_dense_on([d.text for d in offered] + [d.text for d in wanted])
        warned = index.encoder_problem is not None
        for scenario in wanted:
            boosts = Boosts(domain=scenario.domains[0]) if scenario.domains else Boosts()
            answer = index.search(scenario.text, top=top, mode=mode, boosts=boosts)
            if answer.mode.value != mode and not warned:
                self.stderr.write("dense ranking unavailable for these files; ranking lexically")
                warned = True
            results = [
                {"capability": h.id, "score": h.score, "reasons": [str(r) for r in h.reasons]} for h in answer.hits
            ]
            self.stdout.write(json.dumps({"scenario": scenario.id, "results": results}, ensure_ascii=False))
