"""Bulk screening runs: asked for on a page, run by the worker as the officer who asked, shown with
their progress, kept compactly, and shown as done only once every result is written.

The run is one ``ScreeningRun`` row. Asking creates it (queued) with its audit event and its place in
the queue, in one transaction. The worker (``policy.tasks.screening_job``) then:

1. reads the whole registry as one columnar frame (``policy.reading``), and says how many enterprises;
2. evaluates it with the batch evaluator, ``CHUNK`` enterprises at a time, and writes each chunk's
   results (narrow rows by COPY on PostgreSQL, the explanations as compressed blocks) and its
   progress in one transaction;
3. marks the run done, with its counts and its audit event, in a last transaction.

Pages show results only of a done run (``policy.selectors``), so the chunks written so far are never
shown as a complete result. An attempt that fails removes its chunks and puts the run back in the
queue; the last one marks it failed with a reason the officer reads. A worker that dies leaves
its chunks, which the next attempt removes before it starts; a run no worker touches for
``GIVE_UP_AFTER`` is failed by the periodic ``policy.screenings_give_up``. Two deliveries of the same
run never both write: each chunk is written under the run's row lock by the current attempt only.

An uploaded file (at most 20 MiB) goes the same way: it is kept with the run until the run ends, and
the worker checks it first; a file with problems fails the run with the problems listed on its page.
The demo's and the benchmark's runs go through the same steps at once (``run_now``), inside the
caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import polars as pl
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import POLICY_SCREEN, REGISTRY_EXPORT, Principal
from rainforest.audit import trail
from rainforest.core.facts.reader import ReadError, read_table
from rainforest.core.facts.validate import Problem, validate_rows
from rainforest.core.policy.batch import evaluate_frame, frame_from_rows
from rainforest.core.policy.model import RuleSet
from rainforest.policy import explain
from rainforest.policy.models import VERDICT_CODES, ScreeningBlock, ScreeningResult, ScreeningRun, ScreeningUpload
from rainforest.policy.reading import registry_frame
from rainforest.policy.rules import current_ruleset
from rainforest.policy.workflows import SCREENING

ATTEMPTS = 3  # the task's @attempts: the run fails for its officer on the last, not before
# Enterprises evaluated and written per transaction; the progress moves between chunks. Each call of
# the batch evaluator costs a fixed ~0.2 s of planning, so chunks are not made smaller.
CHUNK = 20_000
GIVE_UP_AFTER = dt.timedelta(minutes=30)  # a run with no sign of life for this long was lost
SYSTEM = Principal.system("system:screening")

Status, Failure = ScreeningRun.Status, ScreeningRun.Failure


class RulesChanged(Exception):  # noqa: N818 (what happened)
    """The rule set the worker runs no longer has a tier or reading the run asked for."""


class FileRefused(Exception):  # noqa: N818
    """The uploaded file has problems: nothing is screened."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class Superseded(Exception):  # noqa: N818
    """Another delivery of the job took the run over (or it was settled meanwhile): stop writing."""


def check_parameters(ruleset: RuleSet, tiers: list[str], readings: dict[str, str]) -> None:
    unknown = [t for t in tiers if t not in ruleset.tiers]
    if unknown:
        raise ValidationError(_("Unknown tier(s): %(tiers)s.") % {"tiers": ", ".join(unknown)})
    known = {c.id: c for t in ruleset.tiers.values() for c in t.criteria}
    bad = [k for k, v in readings.items() if k not in known or v not in known[k].tests]
    if bad:
        raise ValidationError(_("Unknown reading for: %(ids)s.") % {"ids": ", ".join(bad)})


def rows_from_file(data: bytes, filename: str) -> list[dict]:
    """The file's typed rows, or every problem it has (``FileRefused``)."""
    try:
        sheet = read_table(data, filename)
    except ReadError as exc:
        raise FileRefused([Problem(0, "", "", f"file_{exc.code}")]) from exc
    result = validate_rows(sheet.header, sheet.rows, timezone.localdate())
    if not result.ok:
        raise FileRefused(result.problems)
    return result.rows


def requester(run: ScreeningRun) -> Principal:
    """The officer who asked, in the membership they asked in, with the rights it grants now."""
    return Principal(user=run.created_by, membership=run.membership)


def request(
    *,
    actor: Principal,
    as_of: dt.date,
    tiers: list[str],
    readings: dict[str, str],
    task: Task | None,
    source: str = ScreeningRun.Source.REGISTRY,
    filename: str = "",
    data: bytes | None = None,
) -> ScreeningRun:
    """Create the queued run with its audit event and, given ``task``, its place in the queue: all
    committed together or not at all; an uploaded file's ``data`` is kept for the worker until the
    run ends. Parameters are checked by the caller."""
    ruleset = current_ruleset()
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            created_by=actor.user, created_by_label=actor.label, membership=actor.membership if actor.user else None,
            ruleset=ruleset.id, ruleset_version=ruleset.version, as_of=as_of, source=source,
            filename=filename[:200], tiers=tiers, readings=readings,
        )  # fmt: skip
        if data is not None:
            ScreeningUpload.objects.create(run=run, data=data)
        if task is not None:
            run.task_id = str(task.enqueue(run.pk).id)
            run.save(update_fields=["task_id"])
        trail.record(
            actor, "policy.screening.requested", subject_type="screening_run", subject_id=run.pk,
            subject_label=f"{run.source} {as_of}",
            after={"ruleset": f"{ruleset.id} {ruleset.version}", "as_of": as_of, "tiers": tiers,
                   "file": filename[:200], "readings": readings},
        )  # fmt: skip
    return run


# The worker's side


def execute(run_id: int) -> None:
    """The job: screen the run as its requester. A refusal (rights, rules, a file with problems) fails
    the run at once; any other error is raised for the worker to retry, and fails the run on the last
    attempt."""
    run = _start(run_id)
    if run is None:
        return  # done, refused or taken already: a repeated delivery changes nothing
    if run.created_by_id is None:  # the account was deleted since: nobody to screen as
        _fail(run_id, Failure.PERMISSION, SYSTEM, attempt=run.attempts)
        return
    actor = requester(run)
    try:
        _screen(run, actor, frame=None)
    except Superseded:
        return
    except PermissionDenied:
        _fail(run_id, Failure.PERMISSION, actor, attempt=run.attempts)
    except RulesChanged:
        _fail(run_id, Failure.RULES, actor, attempt=run.attempts)
    except FileRefused as exc:
        _fail(run_id, Failure.FILE, actor, attempt=run.attempts, problems=exc.problems)
    except Exception:
        if run.attempts >= ATTEMPTS:
            _fail(run_id, Failure.ERROR, actor, attempt=run.attempts)
        else:
            _retry(run_id, attempt=run.attempts)
        raise


def run_now(run: ScreeningRun, actor: Principal, frame: pl.DataFrame | None = None) -> ScreeningRun:
    """Screen a run just requested, in this process and the caller's transaction (a file's checked
    ``frame``, or what the run names). Whatever goes wrong is raised: the caller's rollback keeps nothing."""
    started = _start(run.pk)
    _screen(started, actor, frame=frame)
    return ScreeningRun.objects.get(pk=run.pk)


def _start(run_id: int) -> ScreeningRun | None:
    with transaction.atomic():
        run = ScreeningRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return None
        try:
            SCREENING.apply(run, "start")
        except ValidationError:
            return None
        _discard(run)  # what an earlier attempt (or a dead worker) left
        now = timezone.now()
        run.attempts += 1
        run.started_at = run.active_at = now
        run.failure, run.finished_at, run.counts, run.enterprises, run.screened = "", None, {}, 0, 0
        # Not audited: the queue's own bookkeeping; the request and the outcome are.
        run.save(update_fields=["status", "attempts", "started_at", "active_at", "failure", "finished_at", "counts",
                                "enterprises", "screened"])  # fmt: skip
    return ScreeningRun.objects.select_related("created_by", "membership__organisation").get(pk=run_id)


def _current(run_id: int, attempt: int) -> ScreeningRun:
    """The run, locked, if this attempt still owns it."""
    run = ScreeningRun.objects.select_for_update().get(pk=run_id)
    if run.status != Status.RUNNING or run.attempts != attempt:
        raise Superseded(run_id)
    return run


@dataclass
class Prepared:
    """One chunk, evaluated and laid out for writing."""

    enterprises: int
    layout: dict
    counts: dict[str, dict[str, int]]
    combinations: dict[str, int]
    blocks: list[tuple[int, int, bytes]]  # (seq, enterprises, Parquet)
    results: pl.DataFrame  # RESULT_COLUMNS


def _screen(run: ScreeningRun, actor: Principal, frame: pl.DataFrame | None) -> None:
    started = time.perf_counter()
    actor.require(POLICY_SCREEN)
    registry = frame is None and run.source == ScreeningRun.Source.REGISTRY
    if registry:
        actor.require(REGISTRY_EXPORT)  # the whole registry is read, as its export reads it
    if CHUNK % explain.BLOCK_SIZE:
        raise ImproperlyConfigured("A chunk is a whole number of blocks.")
    ruleset = current_ruleset()
    try:
        check_parameters(ruleset, run.tiers, run.readings)
    except ValidationError as exc:
        raise RulesChanged(run.pk) from exc
    if frame is None:
        frame = registry_frame() if registry else _uploaded(run)
    facts, total = _numbered(frame)
    with transaction.atomic():
        _current(run.pk, run.attempts)
        ScreeningRun.objects.filter(pk=run.pk).update(enterprises=total, active_at=timezone.now())
    counts: dict[str, dict[str, int]] = {t: {} for t in run.tiers}
    combinations: dict[str, int] = {}
    layout = None

    def prepare(first: int) -> Prepared:
        chunk = facts.filter(pl.col("_n").is_between(first, first + CHUNK - 1))
        return _prepare(run, ruleset, chunk)

    # The next chunk is evaluated (polars, off the GIL) while this one is written (the database):
    # on two cores the two overlap.
    starts = range(0, max(total, 1), CHUNK)  # an empty registry is one empty chunk: its layout
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(prepare, starts[0])
        for i in range(len(starts)):
            prepared = ahead.result()
            if i + 1 < len(starts):
                ahead = pool.submit(prepare, starts[i + 1])
            layout = layout or prepared.layout
            for t, verdicts in prepared.counts.items():
                for verdict, n in verdicts.items():
                    counts[t][verdict] = counts[t].get(verdict, 0) + n
            for codes, n in prepared.combinations.items():
                combinations[codes] = combinations.get(codes, 0) + n
            _write_chunk(run, prepared)
    with transaction.atomic():
        locked = _current(run.pk, run.attempts)
        SCREENING.apply(locked, "finish")
        locked.counts, locked.combinations, locked.layout = counts, combinations, layout
        locked.ruleset_version, locked.seconds = ruleset.version, time.perf_counter() - started
        locked.finished_at = locked.active_at = timezone.now()
        locked.save(update_fields=["status", "counts", "combinations", "layout", "ruleset_version", "seconds",
                                   "finished_at", "active_at"])  # fmt: skip
        ScreeningUpload.objects.filter(run=locked).delete()  # the file was kept for this run only
        trail.record(
            actor, "policy.screening.run", subject_type="screening_run", subject_id=run.pk,
            subject_label=f"{run.source} {run.as_of}",
            after={"ruleset": f"{ruleset.id} {ruleset.version}", "as_of": run.as_of, "tiers": run.tiers,
                   "enterprises": locked.enterprises, "counts": counts, "file": run.filename,
                   "readings": run.readings},
        )  # fmt: skip
    _analyze()


def _analyze() -> None:
    """Fresh statistics for the results table (PostgreSQL samples a bounded number of rows: a few
    hundred ms however big it grows). Without them a run just written is unknown to the planner,
    which then walks the whole run for a filtered page instead of using the (run, codes) index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(ScreeningResult._meta.db_table)}")


def _uploaded(run: ScreeningRun) -> pl.DataFrame:
    data = ScreeningUpload.objects.filter(run=run).values_list("data", flat=True).first()
    if data is None:  # gone with a run that ended meanwhile
        raise Superseded(run.pk)
    return frame_from_rows(rows_from_file(bytes(data), run.filename))


def _numbered(facts: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The facts with ``_n``, the enterprise's place in code order (its chunk and block), and how
    many enterprises there are."""
    order = facts.select(pl.col("uscc").unique().sort()).with_row_index("_n")
    return facts.join(order.with_columns(pl.col("_n").cast(pl.Int64)), on="uscc", how="left"), order.height


def _prepare(run: ScreeningRun, ruleset: RuleSet, chunk: pl.DataFrame) -> Prepared:
    blocks = chunk.group_by("uscc").agg(pl.col("_n").first() // explain.BLOCK_SIZE).rename({"_n": "_block"})
    detail = evaluate_frame(ruleset, chunk.drop("_n"), run.as_of, tiers=run.tiers, readings=run.readings,
                            details=True)  # fmt: skip
    detail = detail.join(blocks, on="uscc", how="left", maintain_order="left")
    layout = explain.layout(ruleset, run.tiers, run.as_of, detail.columns)
    codes = pl.concat_str([pl.col(t).replace_strict(VERDICT_CODES, return_dtype=pl.String) for t in run.tiers])
    results = detail.select("uscc", "name", "fiscal_year", codes.alias("codes"), pl.col("_block").alias("block"))
    keep = explain.block_columns(layout)
    parts = detail.partition_by("_block", maintain_order=True, as_dict=True) if detail.height else {}
    return Prepared(
        enterprises=detail.height,
        layout=layout,
        counts={t: dict(detail[t].value_counts().iter_rows()) for t in run.tiers},
        combinations=dict(results["codes"].value_counts().iter_rows()),
        blocks=[(seq, part.height, explain.encode(part.select(keep))) for (seq,), part in parts.items()],
        results=results,
    )


def _write_chunk(run: ScreeningRun, prepared: Prepared) -> None:
    """One chunk's blocks and results, and the progress, in one transaction."""
    if not prepared.enterprises:
        return
    with transaction.atomic():
        _current(run.pk, run.attempts)
        ScreeningBlock.objects.bulk_create(
            ScreeningBlock(run_id=run.pk, seq=seq, enterprises=n, data=data) for seq, n, data in prepared.blocks
        )
        _insert_results(run.pk, prepared.results)
        ScreeningRun.objects.filter(pk=run.pk).update(
            screened=F("screened") + prepared.enterprises, active_at=timezone.now()
        )


RESULT_COLUMNS = ("uscc", "name", "fiscal_year", "codes", "block")


def _insert_results(run_id: int, results: pl.DataFrame) -> None:
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(ScreeningResult._meta.get_field(n).column) for n in ("run", *RESULT_COLUMNS))
        data = io.BytesIO()
        results.select(pl.lit(run_id).alias("run_id"), *RESULT_COLUMNS).write_csv(
            data, include_header=False, null_value=r"\N", quote_style="non_numeric"
        )  # every text quoted: a name that reads \N stays a name
        with connection.cursor() as cursor:
            sql = f"COPY {quote(ScreeningResult._meta.db_table)} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with cursor.copy(sql) as copy:
                copy.write(data.getvalue())
        return
    ScreeningResult.objects.bulk_create(
        (ScreeningResult(run_id=run_id, uscc=u, name=n, fiscal_year=y, codes=c, block=b)
         for u, n, y, c, b in results.select(RESULT_COLUMNS).iter_rows()),
        batch_size=2000,
    )  # fmt: skip


def _discard(run: ScreeningRun) -> None:
    """Remove what an unfinished attempt wrote (never shown: the run was not done)."""
    ScreeningResult.objects.filter(run=run).delete()
    ScreeningBlock.objects.filter(run=run).delete()


def _retry(run_id: int, *, attempt: int) -> None:
    with transaction.atomic():
        try:
            run = _current(run_id, attempt)
        except Superseded:
            return
        SCREENING.apply(run, "retry")
        _discard(run)
        run.screened, run.active_at = 0, timezone.now()
        run.save(update_fields=["status", "screened", "active_at"])


PROBLEMS_KEPT = 500  # of a refused file, the first problems are kept to be listed; all are counted


def _fail(
    run_id: int, reason: str, actor: Principal, *, attempt: int | None = None, problems: list[Problem] | None = None
) -> None:
    with transaction.atomic():
        run = ScreeningRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or not run.pending or (attempt is not None and run.attempts != attempt):
            return
        SCREENING.apply(run, "fail")
        _discard(run)
        ScreeningUpload.objects.filter(run=run).delete()
        run.failure, run.screened, run.finished_at = reason, 0, timezone.now()
        if problems:
            run.problems = {"count": len(problems), "items": [asdict(p) for p in problems[:PROBLEMS_KEPT]]}
        run.save(update_fields=["status", "failure", "screened", "finished_at", "problems"])
        after = {"reason": reason, "problems": len(problems)} if problems else {"reason": reason}
        trail.record(actor, "policy.screening.failed", subject_type="screening_run", subject_id=run.pk,
                     subject_label=f"{run.source} {run.as_of}", after=after)  # fmt: skip


def give_up(*, now: dt.datetime | None = None) -> int:
    """Fail the runs no worker has touched for ``GIVE_UP_AFTER`` (lost with a worker on their last
    attempt, or never picked up); returns how many."""
    cutoff = (now or timezone.now()) - GIVE_UP_AFTER
    stale = ScreeningRun.objects.filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING), active_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    for pk in ids:
        _fail(pk, Failure.LOST, SYSTEM)
    return len(ids)
