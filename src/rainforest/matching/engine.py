"""The process's match indexes, kept current with the database.

Each worker holds one index per collection. On first use it loads the snapshot saved by
`rainforest match_index save` (if it exists and is usable) or builds from the database, then
applies every ``IndexChange`` after its watermark; later searches apply new changes at most
MATCH_SYNC_SECONDS apart. Selectors still re-read every result from the database, so even between
two syncs a withdrawn item is never shown.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db.models import Max

from rainforest.core.matching.index import MatchIndex
from rainforest.matching.documents import indexable, to_document
from rainforest.matching.models import Collection, IndexChange

log = logging.getLogger(__name__)
_reported = False


class Engine:
    def __init__(self, *, encoder: str | None = None):
        self.encoder = settings.MATCH_ENCODER if encoder is None else encoder
        self.indexes: dict[str, MatchIndex] = {}
        self.watermark = 0
        self._synced_at = 0.0
        self._lock = threading.RLock()

    def index(self, collection: str) -> MatchIndex:
        self.sync()
        return self.indexes[collection]

    def _new_index(self) -> MatchIndex:
        index = MatchIndex(encoder=self.encoder)
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
            watermark = IndexChange.objects.aggregate(m=Max("pk"))["m"] or 0
            for collection in Collection.values:
                index = self._new_index()
                index.rebuild(to_document(collection, obj) for obj in indexable(collection).iterator())
                self.indexes[collection] = index
            self.watermark = watermark
            self._synced_at = time.monotonic()

    def _load_snapshot(self) -> bool:
        folder = settings.MATCH_INDEX_DIR
        if not (folder / "capability" / "meta.json").exists():
            return False
        try:
            loaded = {c: MatchIndex.load(folder / c, encoder=self.encoder) for c in Collection.values}
        except (OSError, ValueError) as problem:
            log.warning("matching: snapshot in %s not used (%s); rebuilding", folder, problem)
            return False
        self.indexes = {c: index for c, (index, _meta) in loaded.items()}
        self.watermark = min(meta.get("watermark") or 0 for _index, meta in loaded.values())
        return True

    def save(self) -> int:
        with self._lock:
            self.sync(force=True)
            for collection, index in self.indexes.items():
                index.save(settings.MATCH_INDEX_DIR / collection, watermark=self.watermark)
            return self.watermark

    def sync(self, *, force: bool = False) -> int:
        """Apply the changes recorded since the watermark; returns how many objects were re-read."""
        with self._lock:
            if not self.indexes:
                if not self._load_snapshot():
                    self.rebuild()
                    return 0
                force = True
            if not force and time.monotonic() - self._synced_at < settings.MATCH_SYNC_SECONDS:
                return 0
            self._synced_at = time.monotonic()
            changes = list(
                IndexChange.objects.filter(pk__gt=self.watermark)
                .order_by("pk")
                .values_list("pk", "collection", "object_id")
            )
            if not changes:
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
            return sum(len(ids) for ids in touched.values())


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
