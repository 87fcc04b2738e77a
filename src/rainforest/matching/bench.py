"""`rainforest bench match`: the matching engine against its targets, and against the usual first
choice (jieba + rank_bm25) on the same workload in the same run; then ranking quality.

Speed targets (issue 5): index 200,000 capabilities lexically in <= 60 s; top-20 for one scenario
with filters in <= 20 ms median and <= 100 ms p99; 1,000 scenarios in <= 30 s; memory <= 2 GB.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rainforest.core.matching import synthetic
from rainforest.core.matching.documents import Filters, Mode
from rainforest.core.matching.index import DEFAULT_MODE, MatchIndex
from rainforest.core.matching.items import read_items
from rainforest.core.matching.quality import EvalSet, PlainBaseline, builtin_evalset, evaluate, read_judgements

INDEX_SECONDS, MEDIAN_MS, P99_MS, BATCH_SECONDS, MEMORY_GIB = 60.0, 20.0, 100.0, 30.0, 2.0


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _filters_for(i: int, scenario) -> Filters:
    """Every query carries hard filters, as the platform's do: the scenario's domain and TRL,
    and every third one a district."""
    district = synthetic.DISTRICTS[i % len(synthetic.DISTRICTS)] if i % 3 == 0 else ""
    return Filters(domain=scenario.domains[0], min_trl=scenario.trl, district=district)


def _latencies(run: Callable[[int], object], n: int) -> tuple[list[float], float]:
    times = []
    t_all = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - t0) * 1000)
    return times, time.perf_counter() - t_all


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _measure(mode: Mode, docs, queries) -> tuple[float, list[float], float]:
    gc.collect()
    index = MatchIndex(encoder=None if mode is Mode.LEXICAL else "lsa")
    t0 = time.perf_counter()
    index.rebuild(docs)
    build = time.perf_counter() - t0
    index.search(queries[0].text, mode=mode)  # warm-up
    times, total = _latencies(
        lambda i: index.search(queries[i].text, top=20, mode=mode, filters=_filters_for(i, queries[i])), len(queries)
    )
    return build, times, total


def speed(w, *, capabilities: int, scenarios: int, modes: list[Mode], baseline_queries: int, seed: int) -> list[str]:
    """Prints the figures; returns the targets missed."""
    misses: list[str] = []
    t0 = time.perf_counter()
    docs = synthetic.capabilities(capabilities, seed=seed)
    queries = synthetic.scenarios(scenarios, seed=seed + 1)
    w(f"generated {len(docs):,} capabilities and {len(queries):,} scenarios in {time.perf_counter() - t0:.1f} s")

    lexical = None
    for mode in modes:
        build, times, total = _measure(mode, docs, queries)
        misses += _misses(mode, build, times, total)
        target = f"   target <= {INDEX_SECONDS:.0f} s" if mode is Mode.LEXICAL else ""
        w(f"\n[{mode.value}] index {len(docs):,} capabilities: {build:.1f} s{target}")
        w(f"[{mode.value}] top-20 with filters, one scenario: median {statistics.median(times):.1f} ms, "
          f"p99 {_p(times, 0.99):.1f} ms   targets <= {MEDIAN_MS:.0f} ms, <= {P99_MS:.0f} ms")  # fmt: skip
        w(f"[{mode.value}] {len(queries):,} scenarios: {total:.1f} s   target <= {BATCH_SECONDS:.0f} s")
        w(f"[{mode.value}] peak memory so far (max RSS): {peak_gib():.2f} GiB   target <= {MEMORY_GIB:.0f} GiB")
        if mode is Mode.LEXICAL:
            lexical = (build, docs)

    if baseline_queries and lexical is not None:
        count = min(baseline_queries, len(queries))
        # Like for like: the same scenarios, top 20 of every document, no filters, on both sides.
        index = MatchIndex(encoder=None)
        index.rebuild(lexical[1])
        ours, _ = _latencies(lambda i: index.search(queries[i].text, top=20, mode=Mode.LEXICAL), count)
        del index
        gc.collect()
        t0 = time.perf_counter()
        plain = PlainBaseline(docs)
        build = time.perf_counter() - t0
        times, _ = _latencies(lambda i: plain.rank(queries[i].text, top=20), count)
        median, ours_median = statistics.median(times), statistics.median(ours)
        w(f"\n[baseline jieba + rank_bm25] index: {build:.1f} s; one scenario, no filters: median {median:.0f} ms "
          f"over {len(times)} scenarios; ours on the same, no filters: {ours_median:.1f} ms")  # fmt: skip
        w(f"ratio, baseline / ours (lexical): index {build / lexical[0]:.1f}x, query {median / ours_median:.0f}x")
        w(f"peak memory (max RSS, whole run): {peak_gib():.2f} GiB")
        if median <= ours_median:
            misses.append(f"lexical query {ours_median:.1f} ms is not faster than the baseline's {median:.1f} ms")
    return misses


def _misses(mode: Mode, build: float, times: list[float], total: float) -> list[str]:
    misses = []
    if mode is Mode.LEXICAL and build > INDEX_SECONDS:
        misses.append(f"[lexical] index {build:.1f} s > {INDEX_SECONDS:.0f} s")
    if statistics.median(times) > MEDIAN_MS or _p(times, 0.99) > P99_MS:
        misses.append(f"[{mode.value}] one scenario median {statistics.median(times):.1f} ms / p99 "
                      f"{_p(times, 0.99):.1f} ms > {MEDIAN_MS:.0f} / {P99_MS:.0f} ms")  # fmt: skip
    if total > BATCH_SECONDS:
        misses.append(f"[{mode.value}] batch {total:.1f} s > {BATCH_SECONDS:.0f} s")
    if peak_gib() > MEMORY_GIB:
        misses.append(f"[{mode.value}] memory {peak_gib():.2f} GiB > {MEMORY_GIB:.0f} GiB")
    return misses


def quality(w, *, evalset: EvalSet, label: str) -> None:
    w(f"\nquality on {label}: {len(evalset.scenarios)} scenarios, {len(evalset.capabilities)} capabilities, "
      f"{evalset.pairs} judged pairs")  # fmt: skip
    plain = PlainBaseline(evalset.capabilities)
    rows = [("baseline (jieba + BM25 defaults)", evaluate(lambda s: plain.rank(s.text), evalset))]
    index = MatchIndex()
    index.rebuild(evalset.capabilities, extra_texts=[d.text for d in evalset.scenarios])
    for mode in Mode:

        def rank(s, mode=mode):
            boosts = index.weights.boosts_for(s.domains)
            return [h.id for h in index.search(s.text, top=20, mode=mode, boosts=boosts).hits]

        rows.append((mode.value + (" (default)" if mode is DEFAULT_MODE else ""), evaluate(rank, evalset)))
    w(f"{'ranker':34} {'nDCG@10':>8} {'Recall@20':>10}")
    for name, score in rows:
        w(f"{name:34} {score.ndcg10:8.3f} {score.recall20:10.3f}")


def evalset_from(folder: Path) -> EvalSet:
    return EvalSet(
        scenarios=read_items(folder / "scenarios.csv"),
        capabilities=read_items(folder / "capabilities.csv"),
        judgements=read_judgements(folder / "judgements.csv"),
    )


def run(w, *, capabilities, scenarios, modes, baseline_queries, seed, evalset_dir, skip_speed) -> list[str]:
    """Prints quality, then speed; returns the speed targets missed."""
    quality(w, evalset=builtin_evalset(), label="the built-in evaluation set")
    if evalset_dir:
        quality(w, evalset=evalset_from(Path(evalset_dir)), label=str(evalset_dir))
    if skip_speed:
        return []
    w("")
    return speed(
        w, capabilities=capabilities, scenarios=scenarios, modes=modes, baseline_queries=baseline_queries, seed=seed
    )
