"""gunicorn inside `rainforest serve`: the application, the worker hook and the access line.

Django is set up once in the master process (the command runs there), so every worker starts from
a forked copy with the code already imported; each then opens its own database connections and
warms its own matching index in the background (ops.warmup).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from rainforest.accounts.middleware import client_ip
from rainforest.ops import warmup


class ServerLogger(glogging.Logger):
    """gunicorn's error and access lines through the platform's logging (JSON or text, one handler,
    settings.LOGGING) instead of gunicorn's own handlers.

    The access line: method, path without the query string (a query may carry a name, a phone
    number or a search), status, bytes, duration, request id, and the client's address as the audit
    trail records it (behind TRUSTED_PROXIES, the address they saw). No user agent, referrer (it
    carries the previous page's query), cookie or header."""

    def setup(self, cfg) -> None:
        self.cfg = cfg
        self._access_log_enabled = True
        for log in (self.error_log, self.access_log):
            log.propagate = True
            log.setLevel(logging.NOTSET)  # LOG_LEVEL decides, as for every other logger
            for handler in list(log.handlers):
                log.removeHandler(handler)

    def access(self, resp, req, environ, request_time) -> None:
        status = int(str(resp.status).split(None, 1)[0])
        headers = {name.lower(): value for name, value in resp.headers}
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "-")
        duration_ms = round(request_time.total_seconds() * 1000, 1)
        self.access_log.info(
            "%s %s %s %.1f ms",
            method,
            path,
            status,
            duration_ms,
            extra={
                "method": method,
                "path": path,
                "status": status,
                # Files go out by sendfile, which gunicorn does not count: their length is the header's.
                "bytes": resp.sent or resp.response_length or 0,
                "duration_ms": duration_ms,
                "request_id": headers.get("x-request-id"),
                "client_ip": client_ip(SimpleNamespace(META=environ)),
            },
        )


def _post_worker_init(worker) -> None:
    warmup.start()


class Server(BaseApplication):
    """gunicorn serving rainforest.wsgi.application with the settings of ops.server_config."""

    def __init__(self, config: dict):
        self.config = config
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.config.items():
            self.cfg.set(name, value)
        self.cfg.set("logger_class", ServerLogger)
        self.cfg.set("post_worker_init", _post_worker_init)

    def load(self):
        from rainforest.wsgi import application

        return application
