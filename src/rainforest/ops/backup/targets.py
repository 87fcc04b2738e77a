"""The live database a restore replaces, PostgreSQL or SQLite, behind one small interface.

Each target builds the backup's database as a scratch copy beside the live one (``build_scratch``
returns the settings of a Django alias for it), drops it on failure, swaps it in, and can drop the
previous database after success.
"""

from __future__ import annotations

from pathlib import Path

from django.db import connections

from rainforest.ops.backup import BackupError, postgres, sqlite
from rainforest.ops.backup.manifest import Manifest
from rainforest.ops.backup.state import holds_data


class PostgresTarget:
    vendor = "postgresql"

    def __init__(self, settings_dict: dict, stamp: str):
        self.settings_dict = settings_dict
        self.live = settings_dict["NAME"]
        self.scratch, self.aside = postgres.scratch_names(self.live, stamp)
        self.created = False
        self.tool: postgres.Tool | None = None

    def holds_data(self) -> bool:
        with postgres.maintenance(self.settings_dict) as connection:
            if not postgres.exists(connection, self.live):
                return False
        return holds_data(connections["default"])

    def check_tools(self, manifest: Manifest) -> None:
        with postgres.maintenance(self.settings_dict) as connection:
            server = postgres.server_major(connection)
        self.tool = postgres.find_tool("pg_restore", server)
        if not manifest.server_version.isdigit():
            raise BackupError(f"The manifest's server version {manifest.server_version!r} is not PostgreSQL's.")
        postgres.check_restore_tool(self.tool, manifest.dump_tool, int(manifest.server_version) // 10000, server)

    def build_scratch(self, dump: Path) -> dict:
        with postgres.maintenance(self.settings_dict) as connection:
            if postgres.exists(connection, self.scratch):
                raise BackupError(f"The database {self.scratch} exists already: is another restore running?")
            postgres.create(connection, self.scratch, like=self.live)
            self.created = True
        postgres.restore(self.tool, self.settings_dict, self.scratch, dump)
        return {"NAME": self.scratch}

    def drop_scratch(self) -> None:
        if self.created:
            with postgres.maintenance(self.settings_dict) as connection:
                postgres.drop(connection, self.scratch)
            self.created = False

    def swap(self) -> str | None:
        connections["default"].close()
        with postgres.maintenance(self.settings_dict) as connection:
            had_live = postgres.swap(connection, self.live, self.scratch, self.aside)
        self.created = False
        return self.aside if had_live else None

    def drop_previous(self) -> None:
        with postgres.maintenance(self.settings_dict) as connection:
            postgres.drop(connection, self.aside)


class SqliteTarget:
    vendor = "sqlite"

    def __init__(self, settings_dict: dict, stamp: str):
        self.live = sqlite.database_path(settings_dict)
        self.stamp = stamp
        self.aside = self.live.with_name(f"{self.live.name}.before_restore-{stamp}")
        self.scratch: Path | None = None

    def holds_data(self) -> bool:
        # Django would create a missing file on connecting: look first.
        return self.live.exists() and holds_data(connections["default"])

    def check_tools(self, manifest: Manifest) -> None:
        pass  # the sqlite3 module reads any SQLite 3 file

    def build_scratch(self, dump: Path) -> dict:
        self.scratch = sqlite.scratch_copy(dump, self.live, self.stamp)
        return {"NAME": str(self.scratch)}

    def drop_scratch(self) -> None:
        if self.scratch is not None:
            sqlite.drop(self.scratch)
            self.scratch = None

    def swap(self) -> str | None:
        connections["default"].close()
        had_live = sqlite.swap(self.live, self.scratch, self.aside)
        self.scratch = None
        return str(self.aside) if had_live else None

    def drop_previous(self) -> None:
        sqlite.drop(self.aside)


def target_for(stamp: str) -> PostgresTarget | SqliteTarget:
    default = connections["default"]
    if default.vendor == "postgresql":
        return PostgresTarget(default.settings_dict, stamp)
    if default.vendor == "sqlite":
        return SqliteTarget(default.settings_dict, stamp)
    raise BackupError(f"Restore supports PostgreSQL and SQLite, not {default.vendor}.")
