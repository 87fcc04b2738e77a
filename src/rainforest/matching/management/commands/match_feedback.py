"""rainforest match_feedback FOLDER: what officers and outcomes have taught the platform, written as
an evaluation set (scenarios.csv, capabilities.csv, judgements.csv) for
`rainforest bench match --evalset FOLDER`. Grades: see matching.selectors.feedback_judgements."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rainforest.exchange.models import Capability, Scenario
from rainforest.matching.documents import capability_document, scenario_document
from rainforest.matching.selectors import feedback_judgements


class Command(BaseCommand):
    help = "Export officers' feedback and call outcomes as judged pairs for the quality benchmark."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        grades = feedback_judgements()
        if not grades:
            raise CommandError("no feedback or shortlist outcome recorded yet")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        scenarios = Scenario.objects.filter(pk__in={s for s, _c in grades}).select_related("publisher")
        # Every approved capability is a candidate, so the benchmark ranks among all of them.
        capabilities = Capability.objects.filter(status="approved").select_related("organisation")
        self._items(out / "scenarios.csv", [scenario_document(s) for s in scenarios])
        self._items(out / "capabilities.csv", [capability_document(c) for c in capabilities])
        with (out / "judgements.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["scenario", "capability", "grade"])
            for (scenario_id, capability_id), grade in sorted(grades.items()):
                writer.writerow([scenario_id, capability_id, grade])
        self.stdout.write(f"{len(grades)} judged pairs over {len(scenarios)} scenarios written to {out}")

    def _items(self, path: Path, docs) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "title", "description", "domain"])
            for d in docs:
                domain = d.domains[0] if d.domains else ""
                writer.writerow([d.id, d.title, f"{' '.join(d.tags)} {d.body}".strip(), domain])
