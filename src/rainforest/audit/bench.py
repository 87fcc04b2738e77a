"""rainforest bench audit: do audited writes scale with the number of writers?

N processes (1, 2, 4 by default) each run audited write transactions for a fixed time: lock and
update one account row of 10,000, then record the change (before and after, as a service does).
Two designs are measured in the same run, on the same database:

- old: every transaction takes the chain head with ``select_for_update``, chains its event and
  moves the head before it commits (the design before issue 12): all writers queue on one row;
- new: the event is written unsealed (``trail.record``), no shared lock; a sealer process chains
  the committed events twice a second meanwhile.

After each point the whole trail is sealed and verified (chain, head and checkpoints), so both
designs are shown to have recorded every transaction correctly. The benchmark runs in a database
of its own (``rf_bench_audit`` on the configured PostgreSQL server, dropped afterwards; a
temporary file on SQLite, where one writer at a time is all there is and no scaling is expected).
"""

from __future__ import annotations

import multiprocessing
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from rainforest.audit import macs, sealer, trail
from rainforest.audit.models import AuditChainHead, AuditEvent

ALIAS = "bench_audit"
ACCOUNTS = 10_000
SEAL_EVERY = 0.5


@dataclass(frozen=True)
class Point:
    design: str
    workers: int
    transactions: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.transactions / self.seconds


def _record_under_global_lock(change: trail.Change) -> None:
    """The old design: the head locked until commit, the event chained at once, the head moved."""
    head = AuditChainHead.objects.using(ALIAS).select_for_update().get(pk=1)
    (event,) = trail.unsealed_events(None, [change])
    key = settings.AUDIT_KEYRING.signing
    event.seq, event.prev_hash = head.last_seq + 1, head.last_hash
    event.hash = macs.link(key, seq=event.seq, prev_hash=event.prev_hash, content_mac=event.content_mac)
    AuditEvent.objects.using(ALIAS).bulk_create([event])
    head.last_seq, head.last_hash = event.seq, event.hash
    head.mac = macs.head(key, last_seq=head.last_seq, last_hash=head.last_hash)
    head.save(using=ALIAS, update_fields=["last_seq", "last_hash", "mac"])


def _one_transaction(design: str, rng: random.Random, for_update: str) -> None:
    account = rng.randrange(1, ACCOUNTS + 1)
    amount = rng.randrange(1, 10_000)
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT name, balance, status FROM bench_account WHERE id = %s{for_update}", [account])
        name, balance, status = cursor.fetchone()
        now = timezone.now()
        cursor.execute("UPDATE bench_account SET balance = %s, updated_at = %s WHERE id = %s",
                       [balance + amount, now, account])  # fmt: skip
        state = {"name": name, "status": status, "district": "滨江区", "employees": 42, "revenue": "3000000.00",
                 "rd_expense": "300000.00", "fiscal_year": 2025}  # fmt: skip
        change = trail.Change(
            "bench.account.updated", subject_type="account", subject_id=account, subject_label=name,
            before={**state, "balance": balance}, after={**state, "balance": balance + amount, "at": now},
        )  # fmt: skip
        if design == "old":
            _record_under_global_lock(change)
        else:
            trail.record_many(None, [change], using=ALIAS)


def _writer(design, start, deadline_after, results, seed) -> None:
    rng = random.Random(seed)
    for_update = " FOR UPDATE" if connections[ALIAS].vendor == "postgresql" else ""
    done = errors = 0
    start.wait()
    deadline = time.monotonic() + deadline_after
    while time.monotonic() < deadline:
        try:
            _one_transaction(design, rng, for_update)
            done += 1
        except Exception:  # noqa: BLE001 (a refused transaction is counted, as a user would see it)
            errors += 1
    connections.close_all()
    results.put((done, errors))


def _sealer(start, deadline_after, checkpoint_file) -> None:
    start.wait()
    deadline = time.monotonic() + deadline_after
    while time.monotonic() < deadline:
        sealer.seal(using=ALIAS, checkpoint_file=checkpoint_file)
        time.sleep(SEAL_EVERY)
    connections.close_all()


def _reset(checkpoint_file: Path) -> None:
    with connections[ALIAS].cursor() as cursor:
        if connections[ALIAS].vendor == "postgresql":
            cursor.execute("TRUNCATE accounts_auditevent, accounts_auditchainhead RESTART IDENTITY")
        else:
            cursor.execute("DELETE FROM accounts_auditevent")
            cursor.execute("DELETE FROM accounts_auditchainhead")
    checkpoint_file.unlink(missing_ok=True)
    sealer.seal(using=ALIAS, checkpoint_file=checkpoint_file)  # a signed head at #0, as in a live installation


def _point(design: str, workers: int, seconds: float, checkpoint_file: Path) -> Point:
    _reset(checkpoint_file)
    connections.close_all()  # the children open their own
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Barrier(workers + (design == "new") + 1), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(design, start, seconds, results, 2026 + i)) for i in range(workers)]
    if design == "new":
        procs.append(ctx.Process(target=_sealer, args=(start, seconds, checkpoint_file)))
    for proc in procs:
        proc.start()
    start.wait()
    counts = [results.get(timeout=seconds + 60) for _ in range(workers)]
    for proc in procs:
        proc.join(timeout=60)
    return Point(design, workers, sum(c[0] for c in counts), sum(c[1] for c in counts), seconds)


def _check(point: Point, checkpoint_file: Path) -> str:
    sealed = sealer.seal(using=ALIAS, checkpoint_file=checkpoint_file)
    result = trail.verify(using=ALIAS, checkpoint_file=checkpoint_file, seal_first=False)
    if not result.ok or result.checked != point.transactions:
        raise RuntimeError(f"the {point.design} design's trail does not verify: {result.message or result.checked}")
    return f"{result.checked} events verified" + (f", {sealed.sealed} sealed after the run" if sealed.sealed else "")


def _create_database(name: str, tmp: Path) -> dict:
    base = connections["default"]
    db = {**base.settings_dict, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False}
    if base.vendor == "postgresql":
        with base._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        db["NAME"] = name
    else:
        db["NAME"] = str(tmp / f"{name}.sqlite3")
        db["OPTIONS"] = {**db.get("OPTIONS", {}), "timeout": 30, "transaction_mode": "IMMEDIATE"}
    settings.DATABASES[ALIAS] = db
    connections.settings[ALIAS] = db
    call_command("migrate", "audit", database=ALIAS, verbosity=0, skip_checks=True)
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_account (id bigint PRIMARY KEY, name varchar(200) NOT NULL,"
            " status varchar(20) NOT NULL, balance bigint NOT NULL, updated_at timestamp with time zone)"
            if base.vendor == "postgresql"
            else "CREATE TABLE bench_account (id integer PRIMARY KEY, name varchar(200) NOT NULL,"
            " status varchar(20) NOT NULL, balance bigint NOT NULL, updated_at datetime)"
        )
        cursor.executemany(
            "INSERT INTO bench_account (id, name, status, balance) VALUES (%s, %s, %s, 0)",
            [(i, f"杭州第{i}号科技有限公司", "active") for i in range(1, ACCOUNTS + 1)],
        )
    return db


def _drop_database(name: str) -> None:
    connections[ALIAS].close()
    if connections["default"].vendor == "postgresql":
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run(write, *, workers: list[int], seconds: float, database: str = "rf_bench_audit") -> bool:
    """Measure both designs at each worker count; True when the new one scales (PostgreSQL) or
    when the database cannot run writers at once anyway (SQLite)."""
    vendor = connections["default"].vendor
    tmp = Path(tempfile.mkdtemp(prefix="rf-bench-audit-"))
    checkpoint_file = tmp / "checkpoints.jsonl"
    try:
        _create_database(database, tmp)
        where = database if vendor == "postgresql" else f"{tmp / database}.sqlite3 (a temporary file)"
        write(f"audit bench on {vendor}: database {where}; {seconds:g} s per point; "
              f"{ACCOUNTS:,} accounts; one UPDATE and one audit event per transaction")  # fmt: skip
        if vendor != "postgresql":
            write("SQLite lets one writer in at a time: more workers cannot add throughput there.")
        rows = {}
        for n in workers:
            for design in ("old", "new"):
                point = _point(design, n, seconds, checkpoint_file)
                rows[design, n] = point
                refused = f", {point.errors} refused" if point.errors else ""
                checked = _check(point, checkpoint_file)
                write(f"  {design} design, {n} worker(s): {point.per_second:8.1f} tx/s{refused}; {checked}")
        write(f"{'workers':>8} {'old tx/s':>10} {'new tx/s':>10} {'new/old':>8}")
        for n in workers:
            old, new = rows["old", n].per_second, rows["new", n].per_second
            write(f"{n:>8} {old:>10.1f} {new:>10.1f} {new / old if old else float('inf'):>7.2f}x")
    finally:
        _drop_database(database)
        shutil.rmtree(tmp, ignore_errors=True)
    if vendor != "postgresql" or len(workers) < 2:
        return True
    first, last = rows["new", min(workers)].per_second, rows["new", max(workers)].per_second
    write(f"new design, {max(workers)} workers against {min(workers)}: {last / first:.2f}x")
    return last > first
