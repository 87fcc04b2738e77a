"""What `rainforest serve` checks before it starts: collected static files and database connections."""

from __future__ import annotations

import os

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.db import DatabaseError, connection

COLLECT = "rainforest collectstatic --noinput"
NPM = "npm ci --no-audit --no-fund"


def static_problem() -> str | None:
    """Why pages would fail for want of collected static files (None when they would not).

    Every page links the front-end packages installed from npm. With hashed names every page looks
    each file up in the manifest that collectstatic writes: a missing manifest, or one from an earlier
    release that lacks a file, turns pages into errors."""
    absent = [str(folder) for folder in settings.VENDOR_STATIC.values() if not folder.is_dir()]
    absent += [str(file) for file in settings.VENDOR_FILES.values() if not file.is_file()]
    if not settings.PDF_FONT_DIR.is_dir():
        absent.append(str(settings.PDF_FONT_DIR))
    if absent:
        return f"The front-end packages are not installed ({absent[0]} is missing): run `{NPM}` first."
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None  # debug and demo mode: files come straight from their source folders
    paths, _hash = storage.load_manifest()
    if not paths:
        return f"Static files were not collected into {settings.STATIC_ROOT}: run `{COLLECT}` first."
    missing = sorted(set(_sources()) - set(paths))
    if missing:
        return (
            f"The static files in {settings.STATIC_ROOT} were collected for another release: {len(missing)} "
            f"missing (first {missing[0]}). Run `{COLLECT}` again."
        )
    return None


def _sources():
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None)
            yield (os.path.join(prefix, path) if prefix else path).replace(os.sep, "/")


def connection_budget(needed: int) -> tuple[str | None, str | None]:
    """(refusal, warning) for a server holding up to ``needed`` connections to PostgreSQL.

    Refused when this server alone would exceed what PostgreSQL allows ordinary sessions; warned
    when it would fit only if the sessions open now (other nodes, workers, tools) went away. A
    database that does not answer yet is not a reason to refuse: /readyz reports it."""
    if connection.vendor != "postgresql":
        return None, None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_connections')::int,"
                " current_setting('superuser_reserved_connections')::int,"
                " coalesce(current_setting('reserved_connections', true), '0')::int,"
                " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') - 1"
            )
            maximum, superuser, reserved, others = cursor.fetchone()
    except DatabaseError as error:
        return None, f"Database connections not checked: the database did not answer ({type(error).__name__})."
    usable = maximum - superuser - reserved
    advice = (
        "Run fewer workers or threads (RAINFOREST_WORKERS, RAINFOREST_THREADS), raise max_connections, "
        "or put a pooler such as PgBouncer in front (then RAINFOREST_DB_CONN_MAX_AGE=0)."
    )
    if needed > usable:
        return (
            f"This server may hold {needed} database connections, more than PostgreSQL allows "
            f"(max_connections {maximum} - {superuser + reserved} reserved = {usable}). {advice}"
        ), None
    if needed + others > usable:
        return None, (
            f"This server may hold {needed} database connections; with the {others} open now that is more "
            f"than PostgreSQL allows ({usable}). {advice}"
        )
    return None, None
