"""The production server under test, in a child process: `rainforest serve` (gunicorn in-process)."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SEARCH = "/exchange/?q=%E6%9C%BA%E5%99%A8%E4%BA%BA"  # 机器人


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def has_serve_command() -> bool:
    return importlib.util.find_spec("rainforest.ops.management.commands.serve") is not None


SERVE = [sys.executable, "-m", "rainforest.cli", "serve"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """The status and body of a GET, redirects not followed; (0, b"") when nothing answers."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def get(url: str, timeout: float = 10.0) -> int:
    return fetch(url, timeout)[0]


class Server:
    """`rainforest serve`, started on entry and stopped (TERM, then KILL) on exit; its output goes to
    ``log``. Workers and threads are the command's own defaults unless given."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int | None, threads: int | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        given = {"RAINFOREST_WORKERS": workers, "RAINFOREST_THREADS": threads}
        self.env = env | {"RAINFOREST_BIND": f"127.0.0.1:{self.port}"} | {k: str(v) for k, v in given.items() if v}
        self.log = log
        config = json.loads(subprocess.run([*SERVE, "--print-config"], env=self.env, capture_output=True,
                                           check=True, text=True).stdout)  # fmt: skip
        self.workers, self.threads, self.worker_class = config["workers"], config["threads"], config["worker_class"]

    def __enter__(self) -> Server:
        self._log = self.log.open("ab")
        self.process = subprocess.Popen(
            SERVE, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()

    def pids(self) -> set[int]:
        import psutil

        try:
            master = psutil.Process(self.process.pid)
            return {master.pid, *(p.pid for p in master.children(recursive=True))}
        except psutil.NoSuchProcess:
            return set()

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until /readyz answers 200: database, migrations, cache, and every worker's matching index."""
        deadline, answer = time.monotonic() + timeout, b""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {self.process.returncode}); see {self.log}")
            status, answer = fetch(f"{self.url}/readyz")
            if status == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"the server was not ready after {timeout:.0f} s ({answer.decode()[:300]}); see {self.log}")

    def warm_up(self) -> None:
        """What a server that has been up all morning has done: each worker has loaded the matching
        index (its first search) and its templates. Requests go in parallel, so that every worker
        takes some."""
        paths = [SEARCH, "/exchange/", "/accounts/login/"] * (self.workers * 4)
        with ThreadPoolExecutor(max_workers=max(2, self.workers * self.threads)) as pool:
            list(pool.map(lambda path: get(self.url + path, timeout=120), paths))
