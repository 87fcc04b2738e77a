"""gunicorn's settings for `rainforest serve`, from the environment and the command's flags.

A flag wins over its environment variable, which wins over the default. A bad value is refused
with a message naming where it came from. Plain Python: no Django, no gunicorn.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

DEFAULT_BIND = "127.0.0.1:8000"
# gunicorn's rule of thumb is 2 x cores + 1; every worker holds its own matching index in memory,
# so beyond 8 a machine runs out of memory before it runs out of CPU.
MAX_DEFAULT_WORKERS = 8

_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")


class ConfigError(ValueError):
    """A setting that cannot be used; the message says which, where from, and what would do."""


def default_workers(cpu_count: int) -> int:
    return max(1, min(2 * cpu_count + 1, MAX_DEFAULT_WORKERS))


def _bind(raw: str, source: str) -> str:
    if raw.startswith("unix:") and len(raw) > len("unix:"):
        return raw
    match = _HOST_PORT.match(raw)
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise ConfigError(f"{source} must be HOST:PORT or unix:PATH (for example 127.0.0.1:8000), not {raw!r}.")
    return raw


def _whole(low: int, high: int) -> Callable[[str, str], int]:
    def parse(raw: str, source: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise ConfigError(f"{source} must be a whole number from {low} to {high}, not {raw!r}.")
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    variable: str
    parse: Callable[[str, str], object]
    help: str


SETTINGS: dict[str, Setting] = {
    "bind": Setting("RAINFOREST_BIND", _bind, f"address to listen on, HOST:PORT or unix:PATH (default {DEFAULT_BIND})"),
    "workers": Setting(
        "RAINFOREST_WORKERS",
        _whole(1, 64),
        f"worker processes (default 2 x CPU cores + 1, at most {MAX_DEFAULT_WORKERS})",
    ),
    "threads": Setting("RAINFOREST_THREADS", _whole(1, 64), "threads per worker (default 1: one request at a time)"),
    "timeout": Setting(
        "RAINFOREST_TIMEOUT",
        _whole(1, 3600),
        "seconds a request may take with one thread, or a worker may hang, before it is restarted (default 30)",
    ),
    "graceful_timeout": Setting(
        "RAINFOREST_GRACEFUL_TIMEOUT", _whole(1, 3600), "seconds to finish requests on SIGTERM (default 30)"
    ),
    "max_requests": Setting(
        "RAINFOREST_MAX_REQUESTS", _whole(0, 10_000_000), "restart a worker after this many requests (default 0: never)"
    ),
    "max_requests_jitter": Setting(
        "RAINFOREST_MAX_REQUESTS_JITTER",
        _whole(0, 10_000_000),
        "up to this many more, so workers do not restart together (default a tenth of --max-requests)",
    ),
}


def server_config(
    environ: Mapping[str, str],
    flags: Mapping[str, object] | None = None,
    *,
    cpu_count: int,
    trusted_proxies: Iterable[str] = (),
) -> dict:
    """gunicorn's settings (names as in its documentation) for this environment and these flags."""
    flags = flags or {}
    values: dict[str, object] = {}
    for name, setting in SETTINGS.items():
        if flags.get(name) is not None:
            raw, source = str(flags[name]), "--" + name.replace("_", "-")
        else:
            raw, source = environ.get(setting.variable, ""), setting.variable
        if raw.strip():
            values[name] = setting.parse(raw.strip(), source)
    threads = values.get("threads", 1)
    max_requests = values.get("max_requests", 0)
    jitter = values.get("max_requests_jitter", max_requests // 10)
    if jitter and not max_requests:
        raise ConfigError("RAINFOREST_MAX_REQUESTS_JITTER (--max-requests-jitter) needs RAINFOREST_MAX_REQUESTS.")
    config = {
        "bind": [values.get("bind", DEFAULT_BIND)],
        "workers": values.get("workers", default_workers(cpu_count)),
        "threads": threads,
        # One thread: gunicorn's plain process-per-request worker; several: its threaded worker.
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": values.get("timeout", 30),
        "graceful_timeout": values.get("graceful_timeout", 30),
        "max_requests": max_requests,
        "max_requests_jitter": jitter,
        "proc_name": "rainforest",
        # The scheme (X-Forwarded-Proto) is believed from the same proxies as the client's address.
        "forwarded_allow_ips": ",".join(sorted({"127.0.0.1", "::1", *trusted_proxies})),
        # gunicorn's control socket lives in $HOME by default, where two servers of one user would
        # collide; a process supervisor sends signals instead (TTIN, TTOU, HUP, TERM).
        "control_socket_disable": True,
    }
    if os.path.isdir("/dev/shm"):
        # Workers show they are alive by touching a file: in memory, a busy disk cannot stall them.
        config["worker_tmp_dir"] = "/dev/shm"
    return config


def connections_needed(config: Mapping[str, object]) -> int:
    """Database connections one server holds at most: one per thread of every worker (Django keeps
    a connection per thread), plus one per worker while its matching index warms up."""
    workers, threads = int(config["workers"]), int(config["threads"])
    return workers * threads + workers
