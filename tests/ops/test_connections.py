"""Database connections under each server, counted by PostgreSQL itself (pg_stat_activity) while many
clients load it: `rainforest serve` (gunicorn, threads) keeps one per thread and never more than its
budget; the development server keeps none once a request is answered."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from rainforest.ops.server_config import connections_needed, server_config

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="connections are counted by PostgreSQL (pg_stat_activity); SQLite has no server to count them",
    ),
]

CLIENTS = 8  # more clients than the server below has threads
REQUESTS = 240
PATHS = ("/exchange/", "/readyz")  # a public page and the readiness probe: each reads the database
SETTINGS_MODULE = """
from rainforest.settings import *  # noqa
# Static files from their folders: nothing to collect for a test of connections.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _conninfo(application_name: str) -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"postgres://{user}@{where}?application_name={application_name}"


class Server:
    """A server process on the test database whose connections carry their own application_name."""

    def __init__(self, folder: Path, *command: str):
        (folder / "connections_settings.py").write_text(SETTINGS_MODULE)
        self.name = f"rf-connections-{os.getpid()}-{_free_port()}"
        self.port = _free_port()
        self.log = folder / f"{self.name}.log"
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        env = keep | {
            "PYTHONPATH": str(folder),
            "DJANGO_SETTINGS_MODULE": "connections_settings",
            "DATABASE_URL": _conninfo(self.name),
            "SECRET_KEY": "connection-tests-" + "c" * 50,
            "RAINFOREST_AUDIT_KEY": "cd" * 32,
            "RAINFOREST_VAR_DIR": str(folder / "var"),
            "RAINFOREST_NODE_MODULES": str(REPO / "node_modules"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
        }
        argv = [a.replace("PORT", str(self.port)) for a in command]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "rainforest", *argv], env=env, cwd=REPO,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_until(self, check, what: str, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server stopped: {self.log.read_text()[-2000:]}"
            try:
                if check():
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{what} not within {seconds:.0f} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Count:
    """The server's connections, sampled every 20 ms from a connection of another name."""

    def __init__(self, name: str):
        self.name, self.peak, self._stop = name, 0, threading.Event()
        self._db = psycopg.connect(_conninfo("rf-connections-counter"), autocommit=True)

    def now(self) -> int:
        sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        return self._db.execute(sql, (self.name,)).fetchone()[0]

    def __enter__(self):
        self._stop.clear()

        def sample():
            while not self._stop.is_set():
                self.peak = max(self.peak, self.now())
                time.sleep(0.02)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def close(self):
        self._db.close()


def load(url: str) -> list[requests.Session]:
    """REQUESTS requests from CLIENTS clients at once, each keeping its connection to the server open
    (as browsers do) afterwards; the clients are returned still open."""
    clients = [requests.Session() for _ in range(CLIENTS)]
    failures = []

    def run(client, index):
        for n in range(REQUESTS // CLIENTS):
            answer = client.get(url + PATHS[(index + n) % len(PATHS)], timeout=60)
            if answer.status_code >= 500 and not answer.url.endswith("/readyz"):
                failures.append(answer.status_code)

    threads = [threading.Thread(target=run, args=(client, i)) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return clients


@pytest.fixture
def folder(tmp_path):
    return tmp_path


def test_serve_keeps_a_connection_per_thread_and_stays_within_its_budget(folder):
    workers, threads = 2, 3
    config = server_config({}, {"workers": workers, "threads": threads}, cpu_count=1)
    server = Server(folder, "serve", "--bind", "127.0.0.1:PORT", "--workers", str(workers), "--threads", str(threads))
    count = Count(server.name)
    try:
        # Each worker warms its matching index on a connection of its own, closed once loaded.
        with count:
            server.wait_until(lambda: server.log.read_text().count("matching: index ready") == workers, "warm-up")
            server.wait_until(lambda: count.now() == 0, "the warm-up connections closed")
        assert count.peak <= connections_needed(config)
        with count:
            clients = load(server.url)
        # After warm-up the budget is the pool's: one connection per thread, kept for the next request.
        assert workers < count.peak <= workers * threads
        assert 0 < count.now() <= workers * threads
        for client in clients:
            client.close()
    finally:
        server.stop()
        count.close()


def test_the_development_server_keeps_no_connection_after_a_request(folder):
    server = Server(folder, "runserver", "127.0.0.1:PORT", "--noreload")
    count = Count(server.name)
    try:
        server.wait_until(lambda: requests.get(server.url + "/healthz", timeout=5).status_code == 200, "runserver")
        with count:
            clients = load(server.url)
        assert count.peak <= CLIENTS  # one per request being answered
        # Every client still holds its connection to the server, each with a thread of its own; no thread
        # holds a database connection any more (it would never be closed: the threads of runserver
        # leave theirs behind).
        time.sleep(0.5)
        assert count.now() == 0
        for client in clients:
            client.close()
    finally:
        server.stop()
        count.close()
