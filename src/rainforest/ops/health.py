"""What a load balancer asks a process: is it alive (/healthz), may it take requests (/readyz)?

Readiness is four checks: the database answers, every migration is applied, the cache answers, and
this process has loaded its matching index. Each check says only ok or not, how long it took, and a
short reason (a count, a state, an exception's class): never a host name, a user or a password,
since the answer is public. The reasons in full are in the logs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rainforest.cache_health import Throttle, cache_status
from rainforest.ops import warmup

log = logging.getLogger(__name__)
# A load balancer asks every few seconds: one line a minute per failing check.
_log_allowed: dict[str, Throttle] = {}

Check = dict[str, object]


def database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def migrations() -> Check:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not plan, "unapplied": len(plan)}


def cache() -> Check:
    status = cache_status()
    return {"ok": status.ok, "backend": status.backend} | ({} if status.ok else {"error": "not answering"})


def matching() -> Check:
    state = warmup.state()
    return {"ok": state == "loaded", "state": state}


def _timed(check: Callable[[], Check]) -> Check:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a check that cannot run has failed; its class says enough here
        result = {"ok": False, "error": type(error).__name__}
        name = check.__name__
        if _log_allowed.setdefault(name, Throttle())():
            log.warning("readiness: the %s check failed", name, exc_info=True)
    return result | {"ms": round((time.perf_counter() - started) * 1000, 1)}


# Checks that take a node out of the load balancer. The cache is reported but does not: with Redis
# down every node would fail together and the whole site would go dark, although people can still
# sign in and work (sessions live in the database; the rate limit counts per process).
REQUIRED = ("database", "migrations", "matching")


def readiness() -> tuple[bool, dict[str, Check]]:
    """Whether the required checks passed, and each check's answer (the cache's included)."""
    checks = {"database": _timed(database)}
    # Without the database the migrations cannot be read: say so instead of waiting for it twice.
    checks["migrations"] = _timed(migrations) if checks["database"]["ok"] else {"ok": False, "error": "no database"}
    checks["cache"] = _timed(cache)
    checks["matching"] = _timed(matching)
    return all(checks[name]["ok"] for name in REQUIRED), checks
