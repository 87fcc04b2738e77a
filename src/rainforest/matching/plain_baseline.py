"""The plain script `rainforest bench match` races the `rainforest match` command against: what a
developer would write first with jieba and rank_bm25 (the `bench` extra), default settings, over the
same two CSV files, top 20 per scenario as JSON lines. It imports nothing of Rainforest, so its
start-up is what such a script costs.

    python -m rainforest.matching.plain_baseline SCENARIOS.csv CAPABILITIES.csv
"""

import csv
import json
import sys


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def main(scenarios_path: str, capabilities_path: str) -> None:
    import jieba
    from rank_bm25 import BM25Okapi

    jieba.setLogLevel(60)
    capabilities = _rows(capabilities_path)
    bm25 = BM25Okapi([jieba.lcut(f"{c['title']} {c['description']}") or [""] for c in capabilities])
    for scenario in _rows(scenarios_path):
        scores = bm25.get_scores(jieba.lcut(f"{scenario['title']} {scenario['description']}"))
        best = sorted(range(len(scores)), key=lambda i: -scores[i])[:20]
        results = [{"capability": capabilities[i]["id"], "score": float(scores[i])} for i in best if scores[i] > 0]
        sys.stdout.write(json.dumps({"scenario": scenario["id"], "results": results}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
