"""Each server worker loads its matching index in the background as soon as it starts.

The first search of a worker would otherwise pay for loading the saved index (or rebuilding it from
the database); the worker answers /healthz and every other page meanwhile, and /readyz says
"loading" until the index is there. If the database cannot be read yet (not migrated, not reachable)
the thread tries again every few seconds until it can.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import connections

from rainforest.matching.engine import engine
from rainforest.matching.models import Collection

log = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0  # ready within seconds of `rainforest migrate`; a failed try is one small query
LOG_EVERY_SECONDS = 60.0

_lock = threading.Lock()
_thread: threading.Thread | None = None


def loaded() -> bool:
    """Whether this process holds an index for every collection."""
    return set(engine().indexes) >= set(Collection.values)


def state() -> str:
    """ "loaded", "loading" (the warm-up thread is at work) or "not loaded"."""
    if loaded():
        return "loaded"
    thread = _thread
    return "loading" if thread is not None and thread.is_alive() else "not loaded"


def start() -> threading.Thread:
    """Start warming this process's index, unless it is loaded or already warming."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_warm, name="rainforest-warmup", daemon=True)
            _thread.start()
        return _thread


def _warm() -> None:
    delay, logged_at = RETRY_FIRST_SECONDS, None
    while True:
        started = time.monotonic()
        try:
            engine().sync()  # loads the saved index, or rebuilds it, then applies later changes
        except Exception as error:  # the database is not there yet: try again shortly
            if logged_at is None or started - logged_at >= LOG_EVERY_SECONDS:
                log.warning(
                    "matching: index not loaded (%s); trying again every %.0f s",
                    type(error).__name__,
                    RETRY_MAX_SECONDS,
                    exc_info=logged_at is None,  # the whole story once, then a reminder a minute
                )
                logged_at = started
        else:
            documents = sum(len(index) for index in engine().indexes.values())
            log.info("matching: index ready in %.1f s (%d documents)", time.monotonic() - started, documents)
            return
        finally:
            # Connections are per thread: this one's would otherwise stay open beside the worker's
            # own, one more per worker than the arithmetic in `rainforest serve --help`.
            connections.close_all()
        time.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_SECONDS)
