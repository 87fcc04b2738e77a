"""rainforest match_index rebuild|save|status

``rebuild`` builds both indexes from the database and reports their sizes and times; ``save``
also writes them to MATCH_INDEX_DIR, where every worker loads them at start (then applies the
changes recorded since); ``status`` shows the ranking weights in use (and a refit that was not
adopted, or one set aside because it grew from an earlier release's weights), what a worker
would load and how far behind it is.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from rainforest.matching.engine import Engine
from rainforest.matching.models import Collection, IndexChange, RankingVersion
from rainforest.matching.ranking import set_aside, weights_in_use


class Command(BaseCommand):
    help = "Rebuild, save or inspect the matching indexes (see MATCH_INDEX_DIR)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "save", "status"])

    def handle(self, *args, action, **options):
        engine = Engine()
        if action == "status":
            weights = weights_in_use()
            self.stdout.write(f"ranking weights in use: {weights.version} ({weights.source})")
            older = set_aside()
            if older is not None:
                self.stdout.write(
                    f"refit {older[0]} set aside: it grew from release weights {older[1]}, and this release ships "
                    f"{weights.version}; the next refit starts from these"
                )
            refused = RankingVersion.objects.filter(adopted=False).first()
            if refused is not None and not RankingVersion.objects.filter(adopted=True, pk__gt=refused.pk).exists():
                self.stdout.write(
                    f"latest refit {refused.version} not adopted: held-out nDCG@10 {refused.heldout_ndcg:.3f} "
                    f"against {refused.previous_ndcg:.3f} for the version in use"
                )
            latest = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            folder = settings.MATCH_INDEX_DIR
            saved = (folder / Collection.CAPABILITY / "meta.json").exists()
            self.stdout.write(f"snapshot: {folder if saved else 'none'}; latest change {latest}")
            if saved:
                engine.sync()
                self.stdout.write(f"snapshot watermark {engine.watermark}; caught up to {latest}")
            return
        t0 = time.perf_counter()
        engine.rebuild()
        for collection, index in engine.indexes.items():
            dense = "dense ready" if index.dense_ready else f"lexical only ({index.encoder_problem or 'too few texts'})"
            self.stdout.write(f"{collection}: {len(index):,} documents, {dense}")
        self.stdout.write(f"built in {time.perf_counter() - t0:.1f} s (watermark {engine.watermark})")
        if action == "save":
            engine.save()
            self.stdout.write(f"saved to {settings.MATCH_INDEX_DIR}")
