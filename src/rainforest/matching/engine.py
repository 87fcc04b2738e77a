"""The process's match indexes, kept current with the database.

Each worker holds one index per collection. On first use it loads the snapshot saved by
`rainforest match_index save` (if it exists and is usable) or builds from the database, then
applies every ``IndexChange`` after its watermark; later searches apply new changes at most
MATCH_SYNC_SECONDS apart. Selectors still re-read every result from the database, so even between
two syncs a withdrawn item is never shown.

The ranking weights are the adopted version (``ranking.weights_in_use``): a sync that finds another
adopted puts it in place at once (fusion, preferences and calibration are read at search time), or
rebuilds when its field weights differ (they shape the lexical index itself).

No search pays for a compaction (rebuilding the base refits the dense model: about a minute at
200k documents). The indexes here never compact on their own: when a sync finds one due, the
process only enqueues the ``matching.compact`` job (once), which the worker also runs every ten
minutes. The worker's engine compacts and writes a new snapshot; every process notices the new
snapshot at its next sync, loads it in a background thread while searches go on against the old
indexes, then swaps it in and catches up from the snapshot's watermark. Several nodes must
therefore share MATCH_INDEX_DIR (or their web processes keep serving from a growing delta).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
import threading
import time
import uuid

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max

from rainforest.core.matching.index import MatchIndex
from rainforest.matching.documents import indexable, to_document
from rainforest.matching.models import Collection, IndexChange
from rainforest.matching.ranking import weights_in_use

log = logging.getLogger(__name__)
_reported = False


class Engine:
    def __init__(self, *, encoder: str | None = None):
        self.encoder = settings.MATCH_ENCODER if encoder is None else encoder
        self.indexes: dict[str, MatchIndex] = {}
        self.watermark = 0
        self._synced_at = 0.0
        self._lock = threading.RLock()
        self._snapshot_stamp: tuple | None = None  # the saved snapshot these indexes came from or went to
        self._compaction_requested = False
        self._adopting: threading.Thread | None = None
        self.weights = None  # read on first use: settings and the database are ready by then

    def index(self, collection: str) -> MatchIndex:
        self.sync()
        return self.indexes[collection]

    def _new_index(self) -> MatchIndex:
        index = MatchIndex(encoder=self.encoder, auto_compact=False, weights=self.weights)
        global _reported
        if index.encoder_problem is not None and not _reported:
            _reported = True  # once per process, at start: every later index has the same problem
            log.warning(
                "matching: dense encoder %r unavailable (%s); ranking lexically", self.encoder, index.encoder_problem
            )
        return index

    def rebuild(self) -> None:
        """Build both indexes from the database (the watermark is read first, so a change made
        while building is applied again afterwards, which is harmless)."""
        with self._lock:
            # A snapshot saved after this (by the worker's compaction) will be newer than this build.
            self._snapshot_stamp = snapshot_stamp()
            watermark = IndexChange.objects.aggregate(m=Max("pk"))["m"] or 0
            for collection in Collection.values:
                index = self._new_index()
                index.rebuild(to_document(collection, obj) for obj in indexable(collection).iterator())
                self.indexes[collection] = index
            self.watermark = watermark
            self._synced_at = time.monotonic()

    def _read_snapshot(self):
        """The saved indexes and the lowest watermark among them, or None (nothing usable saved)."""
        folder = settings.MATCH_INDEX_DIR
        if not (folder / "capability" / "meta.json").exists():
            return None
        stamp = snapshot_stamp()
        try:
            loaded = {
                c: MatchIndex.load(folder / c, encoder=self.encoder, auto_compact=False, weights=self.weights)
                for c in Collection.values
            }
        except (OSError, ValueError) as problem:
            log.warning("matching: snapshot in %s not used (%s)", folder, problem)
            return None
        watermark = min(meta.get("watermark") or 0 for _index, meta in loaded.values())
        return {c: index for c, (index, _meta) in loaded.items()}, watermark, stamp

    def _load_snapshot(self) -> bool:
        read = self._read_snapshot()
        if read is None:
            return False
        self.indexes, self.watermark, self._snapshot_stamp = read
        self._compaction_requested = False
        return True

    def save(self) -> int:
        """Compact both indexes and write them as the snapshot every process loads (one writer at a
        time; each collection's folder is replaced whole, so a reader never sees half a save)."""
        folder = settings.MATCH_INDEX_DIR
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock, _exclusive(folder / ".save.lock"):
            self.sync(force=True)
            for collection, index in self.indexes.items():
                _replace_folder(folder / collection, lambda target, i=index: i.save(target, watermark=self.watermark))
            self._snapshot_stamp = snapshot_stamp()
            self._compaction_requested = False
            return self.watermark

    def compaction_due(self) -> list[str]:
        return [c for c, index in self.indexes.items() if index.compaction_due]

    def snapshot_outdated(self) -> list[str]:
        """Collections loaded from a snapshot whose dense model had to be fitted again (a release
        with other shipped texts): saving spares every other process the same work."""
        return [c for c, index in self.indexes.items() if index.refitted_on_load]

    def _request_compaction(self) -> None:
        """Ask the worker to compact (once until a new snapshot arrives); never fail a search for it."""
        if self._compaction_requested or not self.compaction_due():
            return
        from rainforest.matching.tasks import compact

        try:
            compact.enqueue()
        except DatabaseError:
            log.warning("matching: could not ask for a compaction; the periodic job will do it", exc_info=True)
            return
        self._compaction_requested = True
        log.info("matching: compaction requested (%s)", ", ".join(self.compaction_due()))

    def _adopt_new_snapshot(self) -> None:
        """A newer snapshot than ours is on disk: load it in the background, then swap it in."""
        if self._adopting is not None:
            return
        stamp = snapshot_stamp()
        if stamp is None or stamp == self._snapshot_stamp:
            return
        self._adopting = threading.Thread(target=self.adopt_snapshot, name="match-snapshot", daemon=True)
        self._adopting.start()

    def adopt_snapshot(self) -> bool:
        """Load the saved snapshot and put it in place of the current indexes (their watermark too,
        so the next sync applies what changed since the snapshot). Searches meanwhile use the old ones."""
        try:
            read = self._read_snapshot()
            if read is None:
                return False
            with self._lock:
                self.indexes, self.watermark, self._snapshot_stamp = read
                self._synced_at = 0.0  # the next search catches up at once
                self._compaction_requested = False
            log.info("matching: adopted the snapshot saved at watermark %s", self.watermark)
            return True
        finally:
            self._adopting = None

    def sync(self, *, force: bool = False) -> int:
        """Apply the changes recorded since the watermark; returns how many objects were re-read."""
        with self._lock:
            if self.weights is None:
                self.weights = weights_in_use()
            if not self.indexes:
                if not self._load_snapshot():
                    self.rebuild()
                    return 0
                force = True
            if not force and time.monotonic() - self._synced_at < settings.MATCH_SYNC_SECONDS:
                return 0
            self._synced_at = time.monotonic()
            if self._take_weights():
                return 0
            self._adopt_new_snapshot()
            changes = list(
                IndexChange.objects.filter(pk__gt=self.watermark)
                .order_by("pk")
                .values_list("pk", "collection", "object_id")
            )
            if not changes:
                if self.watermark and self.watermark > (IndexChange.objects.aggregate(m=Max("pk"))["m"] or 0):
                    # The change log is behind this index (a restore replaced the database): no change
                    # would ever pass the watermark, so build afresh from what the database holds now.
                    log.warning("matching: the change log is behind the index (restored?); rebuilding")
                    self.rebuild()
                return 0
            touched: dict[str, set[int]] = {}
            for _pk, collection, object_id in changes:
                touched.setdefault(collection, set()).add(object_id)
            for collection, ids in touched.items():
                visible = {obj.pk: obj for obj in indexable(collection).filter(pk__in=ids)}
                index = self.indexes[collection]
                for object_id in ids:
                    obj = visible.get(object_id)
                    if obj is None:
                        index.remove(str(object_id))
                    else:
                        index.upsert(to_document(collection, obj))
            self.watermark = changes[-1][0]
            self._request_compaction()
            return sum(len(ids) for ids in touched.values())

    def _take_weights(self) -> bool:
        """Put a newly adopted weights version in place; True when that meant a rebuild."""
        adopted = weights_in_use()
        if adopted == self.weights:
            return False
        rebuild = adopted.fields != self.weights.fields
        self.weights = adopted
        log.info("matching: ranking weights %s in use", adopted.version)
        if rebuild:
            self.rebuild()
            return True
        for index in self.indexes.values():
            index.weights = adopted
        return False


def snapshot_stamp() -> tuple | None:
    """Which snapshot is on disk: the modification times of each collection's metadata."""
    try:
        return tuple((settings.MATCH_INDEX_DIR / c / "meta.json").stat().st_mtime_ns for c in Collection.values)
    except OSError:
        return None


@contextlib.contextmanager
def _exclusive(lock_path):
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace_folder(target, write) -> None:
    """Write into a fresh folder beside ``target``, then swap it in by two renames."""
    token = uuid.uuid4().hex[:8]
    fresh, old = target.with_name(f".{target.name}.new-{token}"), target.with_name(f".{target.name}.old-{token}")
    write(fresh)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """This process's engine (built on first use)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine


def reset_engine() -> None:
    """Forget this process's indexes (tests; after a restore)."""
    global _engine
    with _engine_lock:
        _engine = None
