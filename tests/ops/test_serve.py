"""`rainforest serve`: gunicorn's settings from the environment and flags, what it refuses, and the
real server started as an operator starts it (SQLite, collected static files, SIGTERM to stop)."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db import connection

from rainforest.ops import preflight
from rainforest.ops.server_config import ConfigError, connections_needed, server_config

REPO = Path(__file__).resolve().parents[2]

# --- gunicorn's settings -----------------------------------------------------------------------------------------


def test_defaults_listen_on_localhost_with_a_worker_per_half_core():
    config = server_config({}, cpu_count=2)
    assert config["bind"] == ["127.0.0.1:8000"]
    assert (config["workers"], config["threads"], config["worker_class"]) == (5, 1, "sync")
    assert (config["timeout"], config["graceful_timeout"]) == (30, 30)
    assert (config["max_requests"], config["max_requests_jitter"]) == (0, 0)
    assert config["control_socket_disable"] is True


@pytest.mark.parametrize(("cores", "workers"), [(1, 3), (3, 7), (4, 8), (64, 8)])
def test_the_default_worker_count_is_capped(cores, workers):
    assert server_config({}, cpu_count=cores)["workers"] == workers


def test_the_environment_sets_every_value():
    environ = {
        "RAINFOREST_BIND": "0.0.0.0:9000", "RAINFOREST_WORKERS": "3", "RAINFOREST_THREADS": "4",
        "RAINFOREST_TIMEOUT": "60", "RAINFOREST_GRACEFUL_TIMEOUT": "20", "RAINFOREST_MAX_REQUESTS": "5000",
        "RAINFOREST_MAX_REQUESTS_JITTER": "50",
    }  # fmt: skip
    config = server_config(environ, cpu_count=2)
    assert config["bind"] == ["0.0.0.0:9000"]
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 4, "gthread")
    assert (config["timeout"], config["graceful_timeout"]) == (60, 20)
    assert (config["max_requests"], config["max_requests_jitter"]) == (5000, 50)


def test_a_flag_wins_over_its_environment_variable():
    environ = {"RAINFOREST_WORKERS": "3", "RAINFOREST_BIND": "127.0.0.1:9000"}
    config = server_config(environ, {"workers": "2", "bind": None}, cpu_count=2)
    assert config["workers"] == 2
    assert config["bind"] == ["127.0.0.1:9000"]


@pytest.mark.parametrize("bind", ["unix:/run/rainforest/web.sock", "[::1]:8000", "localhost:80", "10.0.0.7:65535"])
def test_addresses_the_server_can_listen_on(bind):
    assert server_config({"RAINFOREST_BIND": bind}, cpu_count=1)["bind"] == [bind]


def test_jitter_defaults_to_a_tenth_of_max_requests():
    assert server_config({"RAINFOREST_MAX_REQUESTS": "1000"}, cpu_count=1)["max_requests_jitter"] == 100


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RAINFOREST_WORKERS", "0"),
        ("RAINFOREST_WORKERS", "-1"),
        ("RAINFOREST_WORKERS", "four"),
        ("RAINFOREST_WORKERS", "65"),
        ("RAINFOREST_THREADS", "1.5"),
        ("RAINFOREST_TIMEOUT", "0"),
        ("RAINFOREST_GRACEFUL_TIMEOUT", "soon"),
        ("RAINFOREST_MAX_REQUESTS", "-5"),
        ("RAINFOREST_BIND", "8000"),
        ("RAINFOREST_BIND", "127.0.0.1:99999"),
        ("RAINFOREST_BIND", ":8000"),
        ("RAINFOREST_BIND", "unix:"),
        ("RAINFOREST_BIND", "http://127.0.0.1:8000"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(variable, value):
    with pytest.raises(ConfigError, match=re.escape(variable) + ".*" + re.escape(repr(value))):
        server_config({variable: value}, cpu_count=2)


def test_a_bad_flag_is_refused_naming_the_flag():
    with pytest.raises(ConfigError, match="--max-requests-jitter must be a whole number"):
        server_config({}, {"max_requests_jitter": "lots"}, cpu_count=2)


def test_jitter_without_max_requests_is_refused():
    with pytest.raises(ConfigError, match="needs RAINFOREST_MAX_REQUESTS"):
        server_config({"RAINFOREST_MAX_REQUESTS_JITTER": "10"}, cpu_count=2)


def test_the_scheme_is_believed_from_the_trusted_proxies_only():
    config = server_config({}, cpu_count=1, trusted_proxies=frozenset({"10.0.0.2"}))
    assert config["forwarded_allow_ips"] == "10.0.0.2,127.0.0.1,::1"


def test_connections_are_one_per_thread_plus_one_per_warming_worker():
    assert connections_needed({"workers": 5, "threads": 4}) == 25
    assert connections_needed({"workers": 2, "threads": 1}) == 4


# --- the command -------------------------------------------------------------------------------------------------


def test_print_config_shows_what_the_flags_and_environment_make(capsys, monkeypatch):
    monkeypatch.setenv("RAINFOREST_THREADS", "2")
    call_command("serve", "--print-config", "--workers", "3")
    config = json.loads(capsys.readouterr().out)
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 2, "gthread")


def test_the_command_refuses_a_bad_flag_before_starting():
    with pytest.raises(CommandError, match="--workers must be a whole number from 1 to 64, not 'zero'"):
        call_command("serve", "--workers", "zero")


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_without_collected_static_files_serve_says_how_to_collect_them(settings, tmp_path):
    settings.STORAGES, settings.STATIC_ROOT = MANIFEST_STORAGE, tmp_path
    with pytest.raises(CommandError, match=r"not collected into .*: run `rainforest collectstatic --noinput` first"):
        call_command("serve")


def test_static_files_of_an_earlier_release_are_refused(settings, tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {"old.css": "old.1.css"}}))
    settings.STORAGES, settings.STATIC_ROOT = MANIFEST_STORAGE, tmp_path
    with pytest.raises(CommandError, match=r"collected for another release: \d+ missing .*collectstatic --noinput"):
        call_command("serve")


def test_front_end_packages_not_installed_are_refused(settings, tmp_path):
    settings.VENDOR_STATIC = {"vendor/htmx": tmp_path / "node_modules" / "htmx.org" / "dist"}
    with pytest.raises(CommandError, match=r"front-end packages are not installed .*npm ci --no-audit --no-fund"):
        call_command("serve")


def test_in_debug_mode_static_files_come_from_their_sources():
    assert preflight.static_problem() is None  # the tests' plain storage, as in debug and demo mode


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="connection limits are PostgreSQL's")
def test_more_connections_than_postgresql_allows_are_refused():
    refusal, _warning = preflight.connection_budget(100_000)
    assert refusal and "max_connections" in refusal and "RAINFOREST_WORKERS" in refusal
    assert preflight.connection_budget(1) == (None, None)


def test_on_sqlite_there_is_no_connection_limit_to_check():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert preflight.connection_budget(100_000) == (None, None)


# --- the real server ---------------------------------------------------------------------------------------------

# Production settings; the static files are compressed with gzip only, as in production, whose lock
# (requirements/base.txt) has no brotli: the test tools bring it in, and brotli's best quality on every
# admin file costs a minute of CPU.
SETTINGS_MODULE = """
from rainforest.settings import *  # noqa
from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipOnlyStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)


STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "serve_settings.GzipOnlyStorage"}}
"""
PASSWORD = "Wr0ng#Secret-4711"
PROBE_ID = "e2e-probe-0001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} not within {seconds:.0f} s")


class Served:
    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "serve_settings.py").write_text(SETTINGS_MODULE)
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        self.env = keep | {
            "PYTHONPATH": str(folder),
            "DJANGO_SETTINGS_MODULE": "serve_settings",
            "SECRET_KEY": "serve-tests-" + "s" * 50,
            "RAINFOREST_AUDIT_KEY": "ab" * 32,
            "RAINFOREST_VAR_DIR": str(folder / "var"),
            "STATIC_ROOT": str(folder / "static"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "RAINFOREST_NODE_MODULES": str(REPO / "node_modules"),
        }
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "serve.log"

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "rainforest", *args], env=self.env, cwd=REPO, check=True,
                       capture_output=True, timeout=300)  # fmt: skip

    def start(self) -> None:
        command = [sys.executable, "-m", "rainforest", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, allow_redirects=False, timeout=30, **kwargs)

    def log_lines(self) -> list[dict]:
        """Every complete line: the server may be writing the last one while it is read."""
        text = self.log.read_text()
        complete = text[: text.rfind("\n") + 1]
        return [json.loads(line) for line in complete.splitlines() if line.strip()]

    def warmed_workers(self) -> int:
        """Readiness is each worker's own: each says once that its matching index is loaded."""
        return sum(line["message"].startswith("matching: index ready") for line in self.log_lines())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Static files collected, then the server started on a database nobody has migrated yet (what
    /readyz says then is kept), then migrated while it runs, until /readyz answers 200."""
    server = Served(tmp_path_factory.mktemp("serve"))
    server.manage("collectstatic", "--noinput")
    server.start()
    try:
        _wait(lambda: server.get("/healthz").status_code == 200, "/healthz", 60)
        server.before_migrate = server.get("/readyz")
        server.manage("migrate", "--noinput")
        _wait(lambda: server.warmed_workers() == 2, "both workers' matching index", 90)
        yield server
    finally:
        server.stop()


def test_readyz_names_the_unapplied_migrations_of_a_fresh_database(served):
    answer = served.before_migrate
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"]["ok"] is False and body["checks"]["migrations"]["unapplied"] > 0
    assert body["checks"]["database"]["ok"] is True


def test_once_migrated_and_warmed_up_every_check_passes(served):
    body = served.get("/readyz").json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "cache", "matching"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["matching"]["state"] == "loaded"


def test_probes_answer_over_plain_http_while_pages_go_to_https(served):
    assert served.get("/healthz").status_code == 200
    page = served.get("/")
    assert page.status_code == 301 and page.headers["Location"].startswith("https://")


HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front says; believed from 127.0.0.1


def test_a_page_keeps_its_csp_and_links_hashed_static_files(served):
    page = served.get("/", headers=HTTPS)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert any(re.fullmatch(r"/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js", a) for a in assets), assets
    assert all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", a) for a in assets), assets


def test_a_hashed_static_file_is_served_gzipped_and_cached_for_a_year(served):
    page = served.get("/", headers=HTTPS)
    htmx = re.search(r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)"', page.text)[1]
    zipped = served.get(htmx, headers={**HTTPS, "Accept-Encoding": "gzip"}, stream=True)
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "immutable" in zipped.headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", zipped.headers["Cache-Control"])[1]) >= 365 * 24 * 3600
    assert b"htmx" in gzip.decompress(zipped.raw.read())
    plain = served.get(htmx, headers={**HTTPS, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"htmx" in plain.content


def test_every_log_line_is_json_and_the_access_line_carries_the_request_id(served):
    answer = served.get("/healthz?email=someone@example.com&phone=13912345678", headers={"X-Request-ID": PROBE_ID})
    assert answer.headers["X-Request-ID"] == PROBE_ID
    _wait(lambda: any(line.get("request_id") == PROBE_ID for line in served.log_lines()), "the access line", 10)
    lines = served.log_lines()  # each line parses, or this fails
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    access = next(line for line in lines if line.get("request_id") == PROBE_ID)
    assert access["logger"] == "gunicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/healthz", 200)
    assert access["client_ip"] == "127.0.0.1" and access["duration_ms"] >= 0
    text = served.log.read_text()
    assert "someone@example.com" not in text and "13912345678" not in text  # the query string is not logged


def test_a_failed_sign_in_leaves_no_password_in_the_logs(served):
    form = served.get("/accounts/login/", headers=HTTPS)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    answer = requests.post(
        served.url + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "nobody-here", "password": PASSWORD},
        headers={
            **HTTPS,
            "Referer": served.url.replace("http:", "https:") + "/accounts/login/",
            # The cookie is Secure: a client keeps it for https only, and this one speaks to the proxy's side.
            "Cookie": f"csrftoken={form.cookies['csrftoken']}",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 200 and "nobody-here" in answer.text  # refused, the form shown again
    _wait(lambda: any(line.get("path") == "/accounts/login/" and line.get("method") == "POST"
                      for line in served.log_lines()), "the sign-in's access line", 10)  # fmt: skip
    text = served.log.read_text()
    assert PASSWORD not in text
    assert token not in text


def test_sigterm_stops_the_server_gracefully(served):
    os.kill(served.process.pid, signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    assert served.log_lines()[-1]["message"] == "Shutting down: Master"
