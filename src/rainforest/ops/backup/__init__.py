"""Backup and restore of a whole installation: the database, the uploaded files and the audit checkpoints.

A backup is one tar file (compressed by its name's suffix: ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.xz``)::

    database/postgresql.dump     pg_dump --format=custom of one snapshot     (PostgreSQL)
    database/sqlite3.db          sqlite3's online backup of the database file  (SQLite)
    media/<path>                 every regular file under MEDIA_ROOT
    audit/checkpoints.jsonl      the signed audit checkpoints, when the installation keeps them
    manifest.json                versions, migrations, every table's row count, each member's size and sha256
    manifest.mac                 the manifest's MAC under the audit trail's signing key

``create.backup_create`` writes one; ``restore.restore`` checks one, rebuilds the installation from it
in a scratch database and folders, verifies the audit chain there, and only then swaps it in.
"""


class BackupError(Exception):
    """A refusal or failure the operator reads: the message says what happened and what to do."""
