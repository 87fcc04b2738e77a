"""Pool the evaluation set's unjudged pairs for judging, and merge the judged ones back (TREC-style).

Unjudged pairs count as not relevant, so a good capability that no judge has read is a miss for
every ranker. Pooling lists, for each scenario, the top ``--depth`` capabilities of the plain
jieba + BM25 baseline and of the three modes that are not yet judged; a person reads each pair and
writes its grade (2 could deliver it, 1 partly, 0 not relevant); ``merge`` adds the graded rows to
judgements.csv with their source.

    python scripts/pool_judgements.py pool --out /tmp/pool.csv [--scenarios P,Q] [--depth 10]
    python scripts/pool_judgements.py merge /tmp/pool_judged.csv

Needs the `bench` extra (jieba and rank_bm25) for the baseline.
"""

from __future__ import annotations

import argparse
import csv
import sys
from importlib import resources
from pathlib import Path

from rainforest.core.matching.documents import Mode
from rainforest.core.matching.index import MatchIndex
from rainforest.core.matching.quality import PlainBaseline, builtin_evalset
from rainforest.core.matching.weights import builtin_weights

SOURCE = "pooled from the top 10 of the baseline and the three modes (TREC-style), judged by reading"
POOL_COLUMNS = ["scenario", "scenario_title", "scenario_description", "capability", "capability_title",
                "capability_description", "grade"]  # fmt: skip


def _judgements_path() -> Path:
    with resources.as_file(resources.files("rainforest.core.matching").joinpath("data/evalset")) as folder:
        return Path(folder) / "judgements.csv"


def pool(out: Path, *, depth: int, prefixes: tuple[str, ...]) -> int:
    evalset = builtin_evalset()
    plain = PlainBaseline(evalset.capabilities)
    index = MatchIndex(weights=builtin_weights())
    index.rebuild(evalset.capabilities, extra_texts=[d.text for d in evalset.scenarios])
    capabilities = {c.id: c for c in evalset.capabilities}
    rows = []
    for scenario in evalset.scenarios:
        if prefixes and not scenario.id.startswith(prefixes):
            continue
        judged = evalset.judgements.get(scenario.id, {})
        pooled = dict.fromkeys(plain.rank(scenario.text, top=depth))
        boosts = index.weights.boosts_for(scenario.domains)
        for mode in Mode:
            hits = index.search(scenario.text, top=depth, mode=mode, boosts=boosts).hits
            pooled.update(dict.fromkeys(h.id for h in hits))
        for cid in pooled:
            if cid in judged:
                continue
            c = capabilities[cid]
            rows.append([scenario.id, scenario.title, scenario.body, cid, c.title, c.body, ""])
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(POOL_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def merge(judged: Path) -> int:
    """Add graded rows to judgements.csv; a pair already judged keeps its grade; bad grades stop it."""
    path = _judgements_path()
    with open(path, encoding="utf-8", newline="") as handle:
        existing = {(r["scenario"], r["capability"]) for r in csv.DictReader(handle)}
    evalset = builtin_evalset()
    scenarios, capabilities = {s.id for s in evalset.scenarios}, {c.id for c in evalset.capabilities}
    added = []
    with open(judged, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            pair = (row["scenario"].strip(), row["capability"].strip())
            grade = (row.get("grade") or "").strip()
            if grade not in {"0", "1", "2"} or pair[0] not in scenarios or pair[1] not in capabilities:
                raise SystemExit(f"{judged}:{line}: needs a known scenario, capability and a grade 0, 1 or 2")
            if pair not in existing:
                existing.add(pair)
                added.append([*pair, grade, SOURCE])
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(added)
    return len(added)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pool", help="write the unjudged pooled pairs to a CSV")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--scenarios", default="", help="comma-separated id prefixes (default: every scenario)")
    m = sub.add_parser("merge", help="add a judged pool CSV to judgements.csv")
    m.add_argument("judged", type=Path)
    args = parser.parse_args(argv)
    if args.command == "pool":
        prefixes = tuple(p for p in args.scenarios.split(",") if p)
        written = pool(args.out, depth=args.depth, prefixes=prefixes)
        sys.stdout.write(f"{written} unjudged pairs written to {args.out}\n")
    else:
        sys.stdout.write(f"{merge(args.judged)} judged pairs added\n")


if __name__ == "__main__":
    main(sys.argv[1:])
