"""`rainforest serve`: the production web server."""

from __future__ import annotations

import argparse
import json
import logging
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from rainforest.ops import preflight
from rainforest.ops.server_config import SETTINGS, ConfigError, connections_needed, server_config

log = logging.getLogger("rainforest.ops.serve")

HELP = """Run the production web server: gunicorn serving the platform, static files included (WhiteNoise).

Each setting comes from its flag, else its environment variable, else the default (see below).
Outside debug mode the static files must be collected first, once per release, like migrations:
  rainforest collectstatic --noinput
serve does not collect them itself: several servers of one release would write the same folder at
once, the folder may be read-only to the service, and every restart would pay for compressing.

/healthz answers as soon as a worker runs; /readyz once the database answers, every migration is
applied, the cache answers and the worker has loaded its matching index (in the background, right
after it starts). Signals to the master: TERM stops gracefully (requests in flight finish), HUP
restarts the workers, TTIN/TTOU add or remove one. The code is loaded once, in the master: a new
release needs a restart of the service, not HUP.

Database connections. Django keeps one connection per thread (RAINFOREST_DB_CONN_MAX_AGE seconds,
checked before reuse), so one server holds up to
  workers x threads             (every thread serving a request)
  + workers                     (while each worker loads its matching index, then closed)
For example 5 workers x 4 threads: 20 + 5 = 25. Add every web node, every `rainforest worker` and
the tools (backups, psql); the sum must stay below PostgreSQL's max_connections minus its
superuser_reserved_connections (100 - 3 by default). On PostgreSQL serve refuses to start when this
server alone would not fit, and warns when it fits only if the connections open now go away.
With a pooler (PgBouncer, transaction mode) in front, set RAINFOREST_DB_CONN_MAX_AGE=0."""


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the arithmetic's lines
        return parser

    def add_arguments(self, parser):
        for name, setting in SETTINGS.items():
            parser.add_argument(
                "--" + name.replace("_", "-"),
                dest=name,
                metavar="VALUE",
                help=f"{setting.help}; env {setting.variable}",
            )
        parser.add_argument("--print-config", action="store_true", help="print gunicorn's settings as JSON and exit")

    def handle(self, *args, **options):
        try:
            config = server_config(
                os.environ,
                {name: options[name] for name in SETTINGS},
                cpu_count=_cpu_count(),
                trusted_proxies=settings.TRUSTED_PROXIES,
            )
        except ConfigError as problem:
            raise CommandError(str(problem)) from problem
        if options["print_config"]:
            self.stdout.write(json.dumps(config, indent=2, sort_keys=True))
            return
        problem = preflight.static_problem()
        if problem:
            raise CommandError(problem)
        refusal, warning = preflight.connection_budget(connections_needed(config))
        if refusal:
            raise CommandError(refusal)
        if warning:
            log.warning(warning)
        self._run(config)

    def _run(self, config: dict) -> None:
        from rainforest.ops.server import Server
        from rainforest.wsgi import application  # noqa: F401  (loaded once here, shared by every forked worker)

        connections.close_all()  # a connection opened here must not be shared by the forked workers
        Server(config).run()
