"""Degrade, don't die: a dead Redis and dropped database connections cost no request a 500.

The first tests run in this process against a real Redis that cannot be reached (a closed port).
The rest start the real server, gunicorn over the production settings, on a scratch PostgreSQL
database, and make Redis unreachable or kill the database's connections under it. A sign-out made
while Redis is down must hold when Redis comes back with everything it held before: sessions live
in the database alone (settings.py), and the last test fails with a session cache in front.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from rainforest import cache_health
from rainforest.accounts.models import SecurityPolicy
from rainforest.accounts.policy import security_policy
from rainforest.cache_health import cache_status

REPO = Path(__file__).resolve().parents[2]
POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the live server runs on a scratch PostgreSQL database"
)
NEEDS_REDIS_SERVER = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed: no private Redis to stop and start"
)
PASSWORD = "Seedling#2027x"
SIGNED_IN = 'action="/accounts/logout/"'
OUTAGE_LOGGED = "Cache unavailable, working without it"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(url: str, retry_seconds: float = 5.0) -> dict:
    """CACHES as production builds them for REDIS_URL=url (settings.py), plus the local counter."""
    return {
        "default": {
            "BACKEND": "rainforest.cache_health.DegradingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "rainforest-tests",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.5,
                "RETRY_SECONDS": retry_seconds,
            },
        },
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "degrade-tests"},
    }


# --- in this process: a Redis nobody answers on ------------------------------------------------


@pytest.fixture
def redis_down():
    with override_settings(CACHES=redis_cache(f"redis://:hunter2@127.0.0.1:{free_port()}/14")):
        yield caches["default"]


def test_with_redis_down_reads_miss_and_writes_are_dropped(redis_down):
    assert redis_down.get("anything", "default") == "default"
    redis_down.set("anything", 1)
    assert redis_down.add("anything", 1) is None
    assert redis_down.incr("anything") is None
    redis_down.delete("anything")


def test_the_status_names_the_failure_without_the_password(redis_down):
    status = cache_status()
    assert not status.ok
    assert "ConnectionError" in status.detail and "hunter2" not in status.detail


def test_an_outage_is_logged_once_not_on_every_call(redis_down, caplog):
    with caplog.at_level(logging.ERROR, logger="rainforest.cache_health"):
        for _ in range(20):
            redis_down.get("key")
            cache_status()  # asks Redis again, whatever the breaker says
    ours = [r.getMessage() for r in caplog.records if r.name == "rainforest.cache_health"]
    assert len(ours) == 1 and ours[0].startswith(OUTAGE_LOGGED)


def test_the_security_policy_is_read_from_the_database(redis_down, db):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"lockout_threshold": 7})
    assert security_policy().lockout_threshold == 7


def test_people_sign_in_and_work_with_redis_down(redis_down, client, enterprise_user):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert SIGNED_IN in client.get("/").content.decode()


def test_with_no_redis_configured_the_cache_is_local_and_ready():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert cache_status().ok


# --- a private Redis that this test stops and starts --------------------------------------------


class PrivateRedis:
    """redis-server on a free port, its dump file in a folder of the test's own."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/14"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, db=14, socket_timeout=2)

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self.folder), "--dbfilename", "dump.rdb"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.client().ping(), "redis-server to answer")

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop the server; with keep_data, as systemd does by default: save everything, then restart with it."""
        if keep_data:
            self.client().shutdown(save=True)
        else:
            self.process.kill()
        self.process.wait(timeout=10)


def wait_for(check, what: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, redis.RedisError, requests.RequestException):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    # Breakers are per server address and process: a port an earlier test's server had is a new server.
    monkeypatch.setattr(cache_health, "_breakers", {})
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


@NEEDS_REDIS_SERVER
def test_after_a_failure_redis_is_left_alone_for_the_retry_interval_then_used_again(private_redis, caplog):
    caplog.set_level(logging.WARNING, logger="rainforest.cache_health")
    with override_settings(CACHES=redis_cache(private_redis.url, retry_seconds=2)):
        cache = caches["default"]
        cache.set("key", 1)
        private_redis.stop()
        assert cache.get("key") is None
        private_redis.start()
        private_redis.client().set(cache.make_key("key"), 42)
        assert cache.get("key") is None  # the breaker is open: Redis is not asked...
        wait_for(lambda: cache.get("key") == 42, "the breaker to close", 5)  # ...until the interval has passed
    assert [r.getMessage()[:21] for r in caplog.records] == ["Cache unavailable, wo", "Cache available again"]


# --- the real server ----------------------------------------------------------------------------

SCRATCH = "rf_degrade_live"
SETUP = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rainforest.accounts import services
from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.accounts.permissions import Principal
from rainforest.core import uscc
system = Principal.system("system:tests")
org = services.organisation_create(actor=system, name="杭州甲科技有限公司", kind=OrganisationKind.ENTERPRISE,
                                   uscc=uscc.build("9", "1", "330108", "10000001"), district="滨江区")
user = services.user_create(actor=system, username="alice", password=sys.argv[1])
services.membership_grant(actor=system, user=user, organisation=org, role=Role.ENTERPRISE_USER)
"""


def postgres_url(database: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A migrated production-like installation: its database, folders and one enterprise user."""
    folder = tmp_path_factory.mktemp("live")
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {SCRATCH}")
    # Production settings but for static files: these tests need no collectstatic (17 s of compression).
    (folder / "live_settings.py").write_text(
        "from rainforest.settings import *  # noqa: F403\n"
        'STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}\n'
    )
    env = server_env(folder, redis_url="")
    done = subprocess.run([sys.executable, "-c", SETUP, PASSWORD], env=env, cwd=folder, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    yield folder
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


def server_env(folder: Path, *, redis_url: str, **extra: str) -> dict:
    own = ("DJANGO", "DATABASE", "REDIS", "RAINFOREST", "GUNICORN", "SECRET", "DEBUG", "ALLOWED", "SECURE", "STATIC")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "live_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])),
        "DATABASE_URL": postgres_url(SCRATCH),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "rf-degrade-live",
        "SECRET_KEY": "live-degrade-" + "s" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",  # plain http on the loopback
        "CSRF_COOKIE_SECURE": "0",
        "RAINFOREST_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "RAINFOREST_NODE_MODULES": str(REPO / "node_modules"),
        **{
            k: os.environ[k] for k in ("RAINFOREST_AUDIT_KEY",) if k in os.environ
        },  # the tests' key (tests/settings.py)
        **extra,
    }


class LiveServer:
    def __init__(self, folder: Path, env: dict):
        self.port = free_port()
        self.log = folder / f"gunicorn-{self.port}.log"
        # Started in the installation's folder, away from any gunicorn.conf.py of the checkout.
        command = [sys.executable, "-m", "gunicorn", "rainforest.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", "1", "--threads", "2", "--graceful-timeout", "2"]  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: requests.get(self.url("/accounts/login/"), timeout=5).ok, "the server to answer")
        except AssertionError:
            self.stop()
            raise AssertionError(self.log.read_text()[-3000:]) from None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: no wait for idle keep-alives
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def logged(self, text: str) -> int:
        return self.log.read_text().count(text)


@pytest.fixture
def serve(scratch):
    servers = []

    def start(*, redis_url: str = "", **extra: str) -> LiveServer:
        servers.append(LiveServer(scratch, server_env(scratch, redis_url=redis_url, **extra)))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class Browser:
    """One person's cookies against the live server; every answer is checked to be no 5xx."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        response = self.session.get(self.server.url(path), allow_redirects=False, timeout=10)
        assert response.status_code < 500, (path, response.status_code)
        return response

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get("/accounts/login/")
        form = {"csrfmiddlewaretoken": self.session.cookies["csrftoken"], **(data or {})}
        response = self.session.post(self.server.url(path), data=form, allow_redirects=False, timeout=10)
        assert response.status_code < 500, (path, response.status_code)
        return response

    def sign_in(self) -> None:
        response = self.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
        assert response.status_code == 302, re.findall(r'class="errorlist[^"]*">(.*?)</ul>', response.text)

    def signed_in(self) -> bool:
        return SIGNED_IN in self.get("/").text

    def work(self) -> None:
        """What a signed-in person does: pages that read the session, the user and the policy."""
        for path in ("/", "/exchange/", "/policy/check/"):
            assert self.get(path).status_code == 200, path
        assert self.signed_in()


def kill_database_connections() -> int:
    with psycopg.connect(postgres_url(SCRATCH), autocommit=True) as own:
        killed = own.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(killed)


@POSTGRES_ONLY
def test_after_the_database_drops_every_connection_the_next_requests_answer(serve):
    server = serve()
    person = Browser(server)
    person.sign_in()
    # Both server threads hold a connection (the index warm-up thread may hold a third a while).
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: person.work(), range(4)))
    assert kill_database_connections() >= 2
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: person.work(), range(4)))
    assert kill_database_connections() >= 2  # each thread reconnected
    newcomer = Browser(server)
    newcomer.get("/accounts/login/")  # reads no table: the connections killed above are still there, dead
    newcomer.sign_in()  # in its thread the first query since the kill opens a transaction
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: newcomer.work(), range(4)))


@POSTGRES_ONLY
def test_with_redis_unreachable_people_sign_in_and_work(serve):
    server = serve(redis_url=f"redis://127.0.0.1:{free_port()}/14")
    person = Browser(server)
    person.sign_in()
    person.work()
    person.post("/accounts/logout/")
    assert not person.signed_in()
    person.sign_in()
    person.work()
    assert server.logged(OUTAGE_LOGGED) == 1
    assert server.logged("Sign-in attempts are counted per process") == 1


@POSTGRES_ONLY
@NEEDS_REDIS_SERVER
def test_redis_stopped_and_started_under_a_signed_in_person(serve, private_redis):
    server = serve(redis_url=private_redis.url, REDIS_RETRY_SECONDS="0.2")
    person = Browser(server)
    person.sign_in()
    person.work()
    assert private_redis.client().keys("rf-degrade-live:*")  # the cache was in use
    private_redis.stop()
    person.work()
    private_redis.start()
    person.work()
    wait_for(lambda: person.work() or private_redis.client().keys("rf-degrade-live:*"), "the cache to be used again")
    assert server.logged(OUTAGE_LOGGED) == 1
    assert server.logged("Cache available again") == 1


@POSTGRES_ONLY
@NEEDS_REDIS_SERVER
def test_signing_out_while_redis_is_down_stays_signed_out_when_it_returns_with_its_data(serve, private_redis):
    server = serve(redis_url=private_redis.url, REDIS_RETRY_SECONDS="0.2")
    person = Browser(server)
    person.sign_in()
    person.work()
    cookies = person.session.cookies.get_dict()  # a copy that outlives the sign-out (another device, a thief)
    private_redis.stop(keep_data=True)
    person.post("/accounts/logout/")
    private_redis.start()  # with everything it held before the sign-out
    assert private_redis.client().dbsize() > 0
    time.sleep(0.3)  # past the retry interval, then an attempt that the server counts in Redis again
    Browser(server).post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert server.logged("Cache available again") == 1
    other_tab = Browser(server)
    other_tab.session.cookies.update(cookies)
    assert not other_tab.signed_in()
    person.sign_in()
    person.work()
