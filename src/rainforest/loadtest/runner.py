"""`rainforest bench load`: prepare the scratch installation, serve it, drive it with locust, check
every acknowledged submission, and say how fast it was and where the time went.

Steps, each in its own process where Django's settings must be the scratch installation's:
the demo city into a new database (`rainforest demo --no-serve`; a kept one is migrated instead),
the load's accounts and a new open call (`python -m rainforest.loadtest.seed`), the static files
(`python -m rainforest.loadtest.statics`, alongside), `rainforest serve`, locust; then, here, the
integrity check through the ORM; last the slowest pages replayed without load
(`python -m rainforest.loadtest.queries`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rainforest.loadtest import report, scratch, serverlog
from rainforest.loadtest.check import Verdict, scratch_alias, verify
from rainforest.loadtest.cpu import CpuShare, CpuWatch
from rainforest.loadtest.server import Server, has_serve_command

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCUST = "locust (the simulated users)"
NOISE = 0.10  # other processes' share of the machine above which the report warns
Write = Callable[[str], None]


@dataclass(frozen=True)
class LoadOptions:
    users: int = 100
    # One person more each second: everyone has arrived (and signed in) after 100 s, then 80 s with all
    # at work. The real hour brings one sign-in every half minute; this is 36 times that.
    spawn_rate: float = 1.0
    run_time: int = 180  # seconds of load after the first user starts
    max_requests: int = 50_000  # the run ends at whichever bound comes first
    database: str = "rf_load"
    keep: bool = False  # keep the database (and reuse it next time) rather than drop it
    postgres: str = "postgres://postgres@127.0.0.1:5432"
    redis: str = "redis://127.0.0.1:6379/8"
    workers: int | None = None  # None: `rainforest serve`'s own default (2 x cores + 1)
    threads: int | None = None  # None: its default (1)
    city: int = 2400  # enterprises in the demo city
    minutes_left: int = 60
    folder: Path = Path("var/loadtest")
    profile: bool = True
    goal_ms: float = 300.0
    sign_in_ms: float = 1000.0

    @property
    def officers(self) -> int:
        return 2 if self.users >= 20 else 1

    @property
    def publishers(self) -> int:
        return 1 if self.users >= 10 else 0

    @property
    def enterprises(self) -> int:
        return max(1, self.users - self.officers - self.publishers)


@dataclass
class LoadRun:
    options: LoadOptions
    folder: scratch.Folder
    database_url: str
    manifest: dict
    ledger: dict
    seconds: float  # of load, from the first user to the last answer
    summary: report.Summary
    cpu: CpuShare
    verdict: Verdict = field(default_factory=Verdict)
    profile: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    server: list[tuple[str, int, float, float]] = field(default_factory=list)  # the access log, per route

    @property
    def misses(self) -> list[str]:
        out = self.summary.misses(self.options.goal_ms, self.options.sign_in_ms)
        return out + [f"integrity: {p}" for p in self.verdict.problems[:20]]

    @property
    def ok(self) -> bool:
        return not self.misses


def prepare(options: LoadOptions, write: Write) -> tuple[scratch.Folder, dict[str, str], dict, dict[str, float]]:
    """The scratch installation, built or (``keep``) reused, with a new open call. Returns the
    folder, the environment of its processes, the manifest and how long each step took."""
    scratch.refuse_unsafe(options.postgres, options.redis, options.database)
    if not has_serve_command():
        raise RuntimeError("`rainforest serve` (rainforest.ops) is not installed: nothing to measure")
    folder = scratch.Folder(options.folder, options.database)
    database = scratch.ScratchDatabase(options.postgres, options.database)
    reuse = options.keep and folder.manifest.exists() and database.exists()
    if not reuse:
        shutil.rmtree(folder.root, ignore_errors=True)
    env = scratch.environment(folder, database.url, options.redis)
    timings: dict[str, float] = {}
    # Collected (only when the sources changed) while the city is built: the two share the cores.
    statics = scratch.Step(env, folder.root / "static.log", "-m", "rainforest.loadtest.statics", str(folder.static))
    try:
        with _timed(timings, "migrate" if reuse else "demo city"):
            if reuse:
                write(f"reusing the kept database {options.database} (migrated to this release)")
                scratch.run_step(env, folder.log, "-m", "rainforest.cli", "migrate", "--noinput", "-v0")
            else:
                write(f"building the demo city ({options.city:,} enterprises) into a new database {database.name}…")
                database.drop()
                database.create()
                scratch.run_step(env | {"RAINFOREST_DEMO": "1"}, folder.log, "-m", "rainforest.cli", "demo",
                                 "--no-serve", "--enterprises", str(options.city))  # fmt: skip
        with _timed(timings, "accounts and call"):
            _seed(
                options,
                folder,
                env,
                write,
                password=json.loads(folder.manifest.read_text())["password"] if reuse else "",
            )
        with _timed(timings, "static files (the rest of)"):
            statics.wait()
    finally:
        if statics.process.poll() is None:
            statics.process.kill()
    scratch.forget_cache(options.redis, env["CACHE_KEY_PREFIX"])
    return folder, env, json.loads(folder.manifest.read_text()), timings


def _seed(options: LoadOptions, folder: scratch.Folder, env: dict[str, str], write: Write, password: str) -> None:
    write(f"accounts: {options.enterprises} enterprises, {options.officers} officer(s), "
          f"{options.publishers} publisher(s); a new call closing in {options.minutes_left} minutes…")  # fmt: skip
    scratch.run_step(
        env, folder.log, "-m", "rainforest.loadtest.seed", str(folder.manifest),
        "--enterprises", str(options.enterprises), "--officers", str(options.officers),
        "--publishers", str(options.publishers), "--minutes-left", str(options.minutes_left),
        *(["--password", password] if password else []),
    )  # fmt: skip
    folder.manifest.chmod(0o600)  # it holds the load accounts' password


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    timings[name] = time.monotonic() - started


def _classify(server: Server, database: str, locust: subprocess.Popen):
    def classify(pid: int, name: str, cmdline: str) -> str | None:
        if pid in server_pids:
            return "web server"
        if pid == locust.pid:
            return LOCUST
        if name.startswith("postgres") and f" {database} " in f"{cmdline} ":
            return f"PostgreSQL ({database})"
        if name.startswith("redis-server"):
            return "Redis"
        return None

    server_pids = server.pids()
    return classify


def drive(options: LoadOptions, folder: scratch.Folder, env: dict[str, str], write: Write):
    """Serve, warm up, run locust; returns the ledger, the load's duration and the CPU shares."""
    with Server(env, folder.root / "server.log", workers=options.workers, threads=options.threads) as server:
        server.wait_ready()
        write(f"rainforest serve on {server.url}: {server.workers} workers × {server.threads} thread(s) "
              f"({server.worker_class}); warming up…")  # fmt: skip
        server.warm_up()
        manifest = json.loads(folder.manifest.read_text())
        classes = (
            ["Enterprise"] + ["Officer"] * bool(manifest["officers"]) + ["Publisher"] * bool(manifest["publishers"])
        )
        argv = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(options.users),
            "-r", str(options.spawn_rate), "--run-time", f"{options.run_time}s", "--stop-timeout", "30",
            "--host", server.url, "--csv", str(folder.root / "locust"), "--only-summary",
            "--loglevel", "WARNING", "--exit-code-on-error", "0", *classes,
        ]  # fmt: skip
        locust_env = env | {
            "RAINFOREST_LOAD_MANIFEST": str(folder.manifest),
            "RAINFOREST_LOAD_LEDGER": str(folder.ledger),
            "RAINFOREST_LOAD_MAX_REQUESTS": str(options.max_requests),
        }
        write(f"load: {options.users} users, {options.spawn_rate:g} started per second, "
              f"{options.run_time} s or {options.max_requests:,} requests…")  # fmt: skip
        folder.ledger.unlink(missing_ok=True)
        with (folder.root / "locust.log").open("wb") as log:
            watch = CpuWatch(lambda *a: None)
            watch.start()
            since, started = dt.datetime.now(dt.UTC), time.monotonic()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust = subprocess.Popen(argv, env=locust_env, stdout=log, stderr=subprocess.STDOUT)
            watch.classify = _classify(server, options.database, locust)
            try:
                locust.wait(timeout=options.run_time + 120)
            except subprocess.TimeoutExpired:
                locust.kill()
                raise RuntimeError(f"locust did not stop; see {folder.root / 'locust.log'}") from None
            seconds = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
            cpu = watch.stop({LOCUST: spent})
    if not folder.ledger.exists():
        raise RuntimeError(f"locust left no ledger (exit {locust.returncode}); see {folder.root / 'locust.log'}")
    return json.loads(folder.ledger.read_text()), seconds, since, cpu


def check(load: LoadRun) -> Verdict:
    """Every acknowledged submission against the database, now."""
    with scratch_alias(load.database_url) as alias:
        return verify(
            load.ledger["submissions"], alias=alias, call_id=load.manifest["call_id"], media_root=load.folder.media
        )


def profile_slowest(load: LoadRun, env: dict[str, str], count: int = 3) -> list[dict]:
    pages = [r.name for r in load.summary.rows if not r.is_static][:count]
    out = load.folder.root / "queries.json"
    scratch.run_step(
        env, load.folder.log, "-m", "rainforest.loadtest.queries", str(load.folder.manifest), str(load.folder.ledger),
        str(out), *pages,
    )  # fmt: skip
    return json.loads(out.read_text())


def run(options: LoadOptions, write: Write) -> LoadRun:
    """The whole scenario. With ``keep`` the database stays for the next run (and for inspection);
    otherwise call ``discard`` afterwards (``run`` leaves it so that a caller can look first)."""
    folder, env, manifest, timings = prepare(options, write)
    ledger, seconds, since, cpu = drive(options, folder, env, write)
    load = LoadRun(
        options=options,
        folder=folder,
        database_url=env["DATABASE_URL"],
        manifest=manifest,
        ledger=ledger,
        seconds=seconds,
        summary=report.summarise(ledger["samples"]),
        cpu=cpu,
        timings=timings,
        server=serverlog.timings(folder.root / "server.log", since),
    )
    write("checking every acknowledged submission in the database…")
    load.verdict = check(load)
    if options.profile:
        write("replaying the slowest pages without load…")
        load.profile = profile_slowest(load, env)
    return load


def discard(options: LoadOptions) -> None:
    """Drop the scratch database and the bulky files (uploads, the server's files); the collected static
    files stay for the next run."""
    if options.keep:
        return
    scratch.refuse_unsafe(options.postgres, options.redis, options.database)
    scratch.ScratchDatabase(options.postgres, options.database).drop()
    folder = scratch.Folder(options.folder, options.database)
    for path in (folder.media, folder.var, folder.manifest, folder.root / "secret_key", folder.root / "audit_key"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def lines(load: LoadRun) -> list[str]:
    """The report: the figures against the goal, the check, where the time goes, the verdict."""
    prep = ", ".join(f"{k} {t:.0f} s" for k, t in load.timings.items())
    misses = load.misses
    return [
        *_figures(load),
        *_integrity(load),
        *_time(load),
        "",
        f"prepared in: {prep}; files in {load.folder.root}",
        "all goals met" if not misses else "MISSED: " + "; ".join(misses),
    ]


def _figures(load: LoadRun) -> list[str]:
    o, s = load.options, load.summary
    out = ["", *report.table(s), ""]
    out.append(
        f"{s.everything.count:,} requests in {load.seconds:.0f} s: {s.everything.count / load.seconds:.1f} requests/s "
        f"({s.pages.count / load.seconds:.1f} pages/s); {s.everything.failures} failed"
    )
    ramp = o.users / o.spawn_rate
    for part in report.phases(load.ledger["samples"], ramp):
        out.append(f"  {part.name} ({ramp:.0f} s): {part.count:,} requests, median {part.median:.0f} ms, "
                   f"p95 {part.p95:.0f} ms, p99 {part.p99:.0f} ms")  # fmt: skip
    out.append(
        f"goal: pages p95 < {o.goal_ms:.0f} ms (each page with >= {report.MIN_SAMPLES} requests, and all together), "
        f"sign-in post p95 < {o.sign_in_ms:.0f} ms, no failure"
    )
    return out + [f"  failure: {error}" for error in load.ledger.get("errors", [])[:10]]


def _integrity(load: LoadRun) -> list[str]:
    v = load.verdict
    verdict = "all present and intact" if v.ok else f"{len(v.problems)} PROBLEM(S)"
    return [
        "",
        "integrity check (the database after the load):",
        f"  {v.acknowledged} acknowledged sends ({v.unanswered} unanswered) by {v.applications} enterprises; "
        f"{v.attachments} attachments read back and compared; {load.ledger.get('downloads', 0)} downloads "
        f"compared during the run: {verdict}",
        *(f"  {p}" for p in v.problems[:20]),
    ]


def _time(load: LoadRun) -> list[str]:
    out = ["", "where the time goes (CPU during the load):", *(f"  {line}" for line in load.cpu.lines())]
    if load.cpu.others_share > NOISE:
        out.append(f"  NOTE: other processes took {load.cpu.others_share:.0%} of the machine during the load: these "
                   "figures are not the server's alone; run again on a quiet machine")  # fmt: skip
    if load.server:
        out += ["", "inside the server (its access log; the rest of a page's time above is queueing for a worker):"]
        out += [f"  {name:<48} {n:>6} requests  median {med:>6.1f} ms  p95 {p95:>6.1f} ms"
                for name, n, med, p95 in load.server[:12]]  # fmt: skip
    if load.profile:
        out += ["", "the slowest pages replayed alone (median of 5; SQL from CaptureQueriesContext):"]
    for p in load.profile:
        if "note" in p:
            out.append(f"  {p['name']:<28} {p['note']}")
        else:
            out.append(
                f"  {p['name']:<28} {p['wall_ms']:>6.1f} ms, {p['queries']:>3} queries taking "
                f"{p['sql_ms']:.1f} ms, {p['wall_ms'] - p['sql_ms']:.1f} ms in Python  ({p['path']})"
            )
    return out
