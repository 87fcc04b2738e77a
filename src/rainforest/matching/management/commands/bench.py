"""rainforest bench policy|match. `policy --rows N`: screen N synthetic enterprise-years for every tier.
`match`: see rainforest.matching.bench. (It lives in the matching app, the higher of the two apps it
measures, so that the policy app never imports the matching.)

Prints the batch evaluator's median wall time over --repeat runs, the process's peak memory,
and the speed-up over the single-enterprise evaluator on a sample measured in the same run,
after checking that both give identical verdicts on that sample.
"""

import datetime as dt
import resource
import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from rainforest.core.policy.batch import evaluate_frame
from rainforest.core.policy.evaluate import evaluate
from rainforest.core.policy.synthetic import synthetic_facts
from rainforest.policy.rules import current_ruleset

TARGET_SECONDS, TARGET_GIB, TARGET_RATIO = 10.0, 4.0, 50.0


class Command(BaseCommand):
    help = (
        "Benchmarks. `bench policy`: bulk screening (1,000,000 rows); `bench match`: matching (200,000); "
        "`bench startup`: an offline command's CPU from start to answer; `bench load`: deadline day on the server; "
        "`bench screen`: `rainforest screen` on a 200,000-row file against polars' read-and-write floor; "
        "`bench audit`: audited writes by worker count; `bench city`: pages and APIs at 120,000 enterprises."
    )
    # Reads a file and prints: the project's system checks (the whole URL tree) are not its business.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        policy = sub.add_parser("policy", help="bulk screening speed, memory and agreement")
        policy.add_argument("--rows", type=int, default=1_000_000)
        policy.add_argument("--repeat", type=int, default=3)
        policy.add_argument("--sample", type=int, default=1000, help="enterprises for the single evaluator")
        policy.add_argument("--seed", type=int, default=2026)
        match = sub.add_parser("match", help="matching speed against targets and baseline, then quality")
        match.add_argument("--capabilities", type=int, default=200_000)
        match.add_argument("--scenarios", type=int, default=1000)
        match.add_argument("--modes", default="lexical,hybrid", help="comma-separated: lexical,dense,hybrid")
        match.add_argument("--baseline-queries", type=int, default=30, help="scenarios through the slow baseline")
        match.add_argument("--evalset", default="", help="a folder of judged pairs (see match_feedback)")
        match.add_argument("--quality-only", action="store_true")
        match.add_argument("--seed", type=int, default=2026)
        match.add_argument(
            "--fit", metavar="VERSION", default="", help="fit ranking weights on the development part and print them"
        )
        startup = sub.add_parser("startup", help="CPU an offline command costs from start to answer")
        startup.add_argument("--runs", type=int, default=7)
        startup.add_argument("--target", type=float, default=0.5, help="seconds of CPU, median")
        load = sub.add_parser("load", help="deadline-day load on `rainforest serve`, PostgreSQL and Redis")
        load.add_argument("--users", type=int, default=100, help="simulated people (2 officers, 1 publisher)")
        load.add_argument("--spawn-rate", type=float, default=1.0, help="users started per second")
        load.add_argument("--run-time", type=int, default=180, help="seconds of load")
        load.add_argument("--max-requests", type=int, default=50_000, help="or stop after this many requests")
        load.add_argument("--database", default="rf_load", help="scratch PostgreSQL database (rf_load*)")
        load.add_argument("--keep", action="store_true", help="keep the database, and reuse a kept one")
        load.add_argument("--workers", type=int, help="server workers (default: rainforest serve's)")
        load.add_argument("--threads", type=int, help="threads per worker (default: rainforest serve's)")
        load.add_argument("--city", type=int, default=2400, help="enterprises in the demo city")
        load.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
        load.add_argument("--redis", default="redis://127.0.0.1:6379/8")
        load.add_argument("--no-profile", action="store_true", help="skip replaying the slowest pages")
        city = sub.add_parser("city", help="what users wait for with 120,000 enterprises, on a scratch PostgreSQL")
        city.add_argument("--enterprises", type=int, default=120_000)
        city.add_argument("--repeat", type=int, default=5, help="timed runs of each page (median)")
        city.add_argument("--database", default="rf_load_city", help="scratch PostgreSQL database (rf_load*)")
        city.add_argument("--keep", action="store_true", help="keep the database, and reuse a kept one")
        city.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
        city.add_argument("--redis", default="redis://127.0.0.1:6379/9")
        screen = sub.add_parser("screen", help="`rainforest screen` on a synthetic file against polars' own floor")
        screen.add_argument("--rows", type=int, default=200_000)
        screen.add_argument("--repeat", type=int, default=3)
        screen.add_argument("--seed", type=int, default=2026)
        audit = sub.add_parser("audit", help="audited writes per second by worker count, against the old global lock")
        audit.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
        audit.add_argument("--seconds", type=float, default=3.0, help="per worker count and design")
        audit.add_argument("--database", default="rf_bench_audit", help="made, then dropped, on the configured server")

    def handle(self, *args, what, **options):
        if what == "load":
            return self._load(options)
        if what == "audit":
            return self._audit(options)
        if what == "city":
            return self._city(options)
        if what == "screen":
            return self._screen(options)
        if what == "startup":
            from rainforest.core.startup_bench import fund_check_cpu, summary

            line, met = summary(fund_check_cpu(options["runs"]), options["target"])
            self.stdout.write(line)
            if not met:
                raise CommandError("the start-up target is missed")
            return
        if what == "match":
            from rainforest.core.matching.documents import Mode
            from rainforest.core.matching.quality import BaselineUnavailable
            from rainforest.matching.bench import run

            try:
                modes = [Mode(m.strip()) for m in options["modes"].split(",") if m.strip()]
            except ValueError as exc:
                raise CommandError(f"--modes: {exc}") from exc
            try:
                self._match(run, modes, options)
            except BaselineUnavailable as exc:
                raise CommandError(f"the baseline (jieba, rank-bm25) is not installed: {exc}") from exc
            return
        self._policy(**options)

    def _load(self, options):
        from rainforest.loadtest import runner

        keys = ("users", "spawn_rate", "run_time", "max_requests", "database", "keep", "workers", "threads",
                "city", "postgres", "redis")  # fmt: skip
        load_options = runner.LoadOptions(**{k: options[k] for k in keys}, profile=not options["no_profile"])
        try:
            runner.scratch.refuse_unsafe(load_options.postgres, load_options.redis, load_options.database)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            load = runner.run(load_options, self.stdout.write)
        except (RuntimeError, ValueError) as exc:
            runner.discard(load_options)
            raise CommandError(str(exc)) from exc
        for line in runner.lines(load):
            self.stdout.write(line)
        runner.discard(load_options)
        if not load.ok:
            raise CommandError("the load goals are missed")

    def _city(self, options):
        from rainforest.loadtest import city

        keys = ("enterprises", "repeat", "database", "keep", "postgres", "redis")
        city_options = city.CityOptions(**{k: options[k] for k in keys})
        try:
            folder, env = city.prepare(city_options, self.stdout.write)
            report, misses = city.lines(city.measure(city_options, folder, env))
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            city.discard(city_options)
        for line in report:
            self.stdout.write(line)
        if misses:
            raise CommandError("targets missed: " + "; ".join(misses))

    def _screen(self, options):
        from rainforest.core.policy import screen_bench

        if options["rows"] < 1 or options["repeat"] < 1:
            raise CommandError("--rows and --repeat: at least 1")
        try:
            measure = screen_bench.run(current_ruleset(), self.stdout.write, rows=options["rows"],
                                       repeat=options["repeat"], seed=options["seed"])  # fmt: skip
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for line in screen_bench.lines(measure):
            self.stdout.write(line)
        if missed := measure.missed():
            raise CommandError(f"targets missed: {', '.join(missed)}")
        self.stdout.write("all targets met")

    def _audit(self, options):
        from rainforest.audit.bench import run

        try:
            workers = sorted({int(n) for n in options["workers"].split(",") if n.strip()})
        except ValueError as exc:
            raise CommandError(f"--workers: {exc}") from exc
        if not workers or workers[0] < 1:
            raise CommandError("--workers: one or more counts, each at least 1")
        if not run(self.stdout.write, workers=workers, seconds=options["seconds"], database=options["database"]):
            raise CommandError("audited writes do not scale: the most workers are not faster than the fewest")

    def _match(self, run, modes, options):
        if options["fit"]:
            from rainforest.matching.bench import fit

            fit(self.stdout.write, version=options["fit"])
            return
        misses = run(
            self.stdout.write,
            capabilities=options["capabilities"],
            scenarios=options["scenarios"],
            modes=modes,
            baseline_queries=options["baseline_queries"],
            seed=options["seed"],
            evalset_dir=options["evalset"],
            skip_speed=options["quality_only"],
        )
        if misses:
            raise CommandError("targets missed: " + "; ".join(misses))

    def _policy(self, *, rows, repeat, sample, seed, **options):
        ruleset = current_ruleset()
        as_of = dt.date(2026, 11, 28)
        w = self.stdout.write
        w(f"rule set {ruleset.id} {ruleset.version}; tiers {', '.join(ruleset.tiers)}; as of {as_of}")
        t0 = time.perf_counter()
        facts = synthetic_facts(rows, seed=seed, last_year=as_of.year - 1)
        w(f"generated {facts.height:,} enterprise-years ({facts['uscc'].n_unique():,} enterprises) "
          f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        evaluate_frame(ruleset, facts.head(1000), as_of)  # warm-up: thread pool, plan code paths
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = evaluate_frame(ruleset, facts, as_of)
            times.append(time.perf_counter() - t0)
        batch = statistics.median(times)
        peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        per_row_batch = batch / facts.height

        codes = result["uscc"].head(sample).to_list()
        subset = facts.filter(facts["uscc"].is_in(codes))
        by_code: dict[str, list[dict]] = {}
        for row in subset.iter_rows(named=True):
            by_code.setdefault(row["uscc"], []).append(row)
        t0 = time.perf_counter()
        single = {
            code: evaluate(
                ruleset, uscc=code, name=rs[-1]["name"], founded_on=rs[-1]["founded_on"], rows=rs, as_of=as_of
            )
            for code, rs in by_code.items()
        }
        single_seconds = time.perf_counter() - t0
        per_row_single = single_seconds / subset.height
        mismatches = 0
        for row in result.filter(result["uscc"].is_in(codes)).iter_rows(named=True):
            for tier, outcome in single[row["uscc"]].items():
                mismatches += row[tier] != outcome.verdict
        ratio = per_row_single / per_row_batch

        counts = {t: dict(result[t].value_counts().iter_rows()) for t in ruleset.tiers}
        w("")
        w(f"batch, all tiers: median {batch:.2f} s over {repeat} runs ({', '.join(f'{t:.2f}' for t in times)}); "
          f"{facts.height / batch:,.0f} rows/s   target <= {TARGET_SECONDS:.0f} s")  # fmt: skip
        w(f"peak memory (process max RSS): {peak_gib:.2f} GiB   target <= {TARGET_GIB:.0f} GiB")
        w(f"single evaluator on {len(by_code):,} enterprises ({subset.height:,} rows): {single_seconds:.2f} s, "
          f"{per_row_single * 1e6:.0f} us/row vs batch {per_row_batch * 1e6:.2f} us/row")  # fmt: skip
        w(f"speed-up: {ratio:,.0f}x   target >= {TARGET_RATIO:.0f}x")
        w(f"verdict agreement on the sample: {'identical' if not mismatches else f'{mismatches} MISMATCHES'}")
        for tier, c in counts.items():
            w(f"  {tier:<14} " + "  ".join(f"{k}={v:,}" for k, v in sorted(c.items())))
        failed = [
            name for name, bad in (
                ("time", batch > TARGET_SECONDS), ("memory", peak_gib > TARGET_GIB),
                ("speed-up", ratio < TARGET_RATIO), ("agreement", mismatches > 0),
            ) if bad
        ]  # fmt: skip
        if failed:
            raise CommandError(f"targets missed: {', '.join(failed)}")
        w("all targets met")
