"""The shared cache (Redis) is a help, never a requirement: without it the platform keeps working.

`DegradingRedisCache` is django-redis's cache, configured to ignore connection errors (a read is a
miss, a write is dropped), with a circuit breaker in front: after a failure this process leaves
Redis alone for RETRY_SECONDS, so a dead or unreachable Redis costs one short timeout per interval
instead of one on every cache call of every request. The outage is logged as an ERROR at most once
a minute per process, its recovery once. `cache_status()` asks the cache now, for /readyz.

Nothing here imports a programme app: any layer may ask whether the cache is there.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from dataclasses import dataclass

from django.core.cache import caches
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0
_CREDENTIALS = re.compile(r"//[^/@\s]*@")


def describe(error: BaseException) -> str:
    """The error's kind and message, with any credentials of a URL in it blanked."""
    return _CREDENTIALS.sub("//***@", f"{type(error).__name__}: {error}")


class Breaker:
    """One per Redis server per process, shared by every thread's cache object."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._down_since: float | None = None
        self._logged_at: float | None = None
        self.reason = ""

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._open_until = now + self.retry_seconds
            self.reason = describe(error)
            if self._down_since is None:
                self._down_since = now
            due = self._logged_at is None or now - self._logged_at >= LOG_EVERY_SECONDS
            if due:
                self._logged_at = now
        if due:
            logger.error(
                "Cache unavailable, working without it (next try in %.0f s): %s", self.retry_seconds, self.reason
            )

    def succeeded(self) -> None:
        if self._down_since is None:  # the common case: nothing to clear, no lock taken
            return
        with self._lock:
            down_since, self._down_since = self._down_since, None
            self._open_until, self._logged_at, self.reason = 0.0, None, ""
        if down_since is not None:
            logger.warning("Cache available again after %.0f s without it.", time.monotonic() - down_since)


class Throttle:
    """True at most once per `seconds` in this process: for an error that would repeat on every request."""

    def __init__(self, seconds: float = LOG_EVERY_SECONDS):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._last: float | None = None

    def __call__(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._last is not None and now - self._last < self.seconds:
                return False
            self._last = now
            return True


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(server: str, retry_seconds: float) -> Breaker:
    with _breakers_lock:
        return _breakers.setdefault(server, Breaker(retry_seconds))


def _open_circuit() -> ConnectionInterrupted:
    error = ConnectionInterrupted(connection=None)
    error.__cause__ = ConnectionError("cache skipped: it failed moments ago")
    return error


class _GuardedClient:
    """django-redis's client seen through the breaker: while it is open every call fails at once
    (the cache answers its default), and every call's outcome opens or closes it."""

    def __init__(self, client, breaker: Breaker):
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if name == "close" or not callable(attribute):
            return attribute  # closing a pool says nothing about the server

        @functools.wraps(attribute)
        def guarded(*args, **kwargs):
            if self._breaker.is_open():
                raise _open_circuit()
            try:
                result = attribute(*args, **kwargs)
            except ConnectionInterrupted as error:
                self._breaker.failed(error.__cause__ or error)
                raise
            except RedisError as error:  # what django-redis lets through: a protocol error, say
                self._breaker.failed(error)
                raise ConnectionInterrupted(connection=None) from error
            self._breaker.succeeded()
            return result

        return guarded


class DegradingRedisCache(RedisCache):
    """django-redis with a per-process circuit breaker; OPTIONS["RETRY_SECONDS"] sets its interval.

    Set OPTIONS["IGNORE_EXCEPTIONS"] so that a failed call answers like a miss instead of raising."""

    def __init__(self, server: str, params: dict):
        options = dict(params.get("OPTIONS", {}))
        retry_seconds = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = _breaker_for(str(server), retry_seconds)

    @property
    def client(self):
        return _GuardedClient(self._unguarded_client, self.breaker)

    @property
    def _unguarded_client(self):
        return super().client

    def probe(self) -> str:
        """Ask Redis now, whatever the breaker says: "" when it answers, else why it does not."""
        try:
            self._unguarded_client.get_client(write=True).ping()
        except (RedisError, OSError) as error:
            self.breaker.failed(error)
            return describe(error)
        self.breaker.succeeded()
        return ""


@dataclass(frozen=True)
class CacheStatus:
    ok: bool
    backend: str
    detail: str  # why not, when not ok; never a password


def cache_status(alias: str = "default") -> CacheStatus:
    """Whether the cache answers right now (a Redis PING within its socket timeouts)."""
    cache = caches[alias]
    backend = type(cache).__name__
    if isinstance(cache, DegradingRedisCache):
        reason = cache.probe()
        return CacheStatus(ok=not reason, backend=backend, detail=reason)
    return CacheStatus(ok=True, backend=backend, detail="")
