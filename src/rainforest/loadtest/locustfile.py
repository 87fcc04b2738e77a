"""The hour before an open call closes, compressed: enterprises sign in, browse the scenarios, open
the call, submit and then keep saving their applications with an attachment, check their receipt
and download what they sent; officers and the call's publisher watch the call's page (its
applications and ranking) and their queues.

HTTP only, like a browser: no programme app is imported. The runner hands over the accounts and
the call in a manifest (RAINFOREST_LOAD_MANIFEST) and reads back a ledger (RAINFOREST_LOAD_LEDGER):
every request's time, and every submission as it was sent and whether the server acknowledged it,
so that it can check the database afterwards.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import secrets
import time
from pathlib import Path

import gevent
from django_otp.oath import totp
from locust import HttpUser, between, events, task
from locust.exception import StopUser

from rainforest.loadtest import scrape

MANIFEST = json.loads(Path(os.environ["RAINFOREST_LOAD_MANIFEST"]).read_text())
LEDGER_PATH = Path(os.environ["RAINFOREST_LOAD_LEDGER"])
MAX_REQUESTS = int(os.environ.get("RAINFOREST_LOAD_MAX_REQUESTS", "0"))
CALL = MANIFEST["call_id"]
# Attachments between 64 KiB and 512 KiB: large enough that the upload, the digest and the write to
# disk cost something, small enough that a few hundred saves stay light on a shared disk.
ATTACHMENT_BYTES = (64 * 1024, 512 * 1024)
FILLING_IN = (1.0, 4.0)  # seconds between opening the form and sending it (the text is pasted in)
SEARCHES = ("机器人", "巡检", "养老", "质检", "物流", "导览", "无人机", "康复", "分拣", "安防")
_HASHED = re.compile(r"\.[0-9a-f]{12}(\.[a-z0-9]+)$")

LEDGER: dict = {"samples": [], "submissions": [], "examples": {}, "downloads": 0, "errors": []}
_accounts = {kind: itertools.count() for kind in ("enterprises", "officers", "publishers")}
_environment = None


@events.init.add_listener
def _keep_environment(environment, **_kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, exception, **_kwargs):
    LEDGER["samples"].append(
        [name, request_type, round(response_time, 3), exception is None, response_length, round(time.time(), 3)]
    )
    if exception is not None and len(LEDGER["errors"]) < 200:
        LEDGER["errors"].append(f"{request_type} {name}: {exception}")
    if MAX_REQUESTS and len(LEDGER["samples"]) == MAX_REQUESTS and _environment and _environment.runner:
        gevent.spawn(_environment.runner.quit)  # the request bound is reached: end the run now


@events.quitting.add_listener
def _write_ledger(**_kwargs):
    LEDGER_PATH.write_text(json.dumps(LEDGER, ensure_ascii=False))


def _static_name(path: str) -> str:
    return "static " + _HASHED.sub(r"\1", path.rsplit("/", 1)[-1])


class Visitor(HttpUser):
    """A person at a browser: one account, its own client address behind the proxy, a cache."""

    abstract = True
    kind = ""  # the manifest's list of accounts this visitor signs in with
    role = ""

    def on_start(self):
        number = next(_accounts[self.kind])
        accounts = MANIFEST[self.kind]
        if number >= len(accounts):
            raise StopUser(f"no {self.kind} account left for simulated user {number + 1}")
        self.account = accounts[number]
        # Behind the platform's reverse proxy (TRUSTED_PROXIES), each person has their own address,
        # so the per-address sign-in limit applies per person, as in production.
        serial = {"enterprises": 0, "officers": 1, "publishers": 2}[self.kind]
        self.client.headers["X-Forwarded-For"] = f"10.{8 + serial}.{number // 250}.{number % 250 + 1}"
        self.cached: set[str] = set()
        self.sign_in()
        self.call_page()  # what brings everyone today

    # --- requests --------------------------------------------------------------------------------

    def page(self, path: str, name: str) -> str | None:
        """GET a page that answers 200, then the assets it links that are not in the cache yet."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(_why(response))
                return None
            text = response.text
        LEDGER["examples"].setdefault(name, {"path": path, "user": self.account["username"]})
        for asset in scrape.assets(text):
            if asset not in self.cached:
                self.cached.add(asset)
                self.client.get(asset, name=_static_name(asset))
        return text

    def post(self, path: str, name: str, data: dict, files: dict | None = None) -> str | None:
        """POST a form; success is a redirect. Returns where it redirects to."""
        LEDGER["examples"].setdefault(name, {"path": path, "user": self.account["username"]})
        with self.client.post(
            path, data=data, files=files, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 302:
                response.failure(_why(response))
                return None
            return response.headers["Location"]

    def sign_in(self) -> None:
        form = self.page("/accounts/login/", "sign-in form")
        if form is None:
            raise StopUser("the sign-in form did not load")
        credentials = {"username": self.account["username"], "password": self.account["password"]}
        if self.post("/accounts/login/", "sign in", {"csrfmiddlewaretoken": scrape.csrf_token(form), **credentials}):
            if self.account.get("totp_key"):
                self.second_factor()
            self.page("/", "home")
        else:
            raise StopUser("sign-in refused")

    def second_factor(self) -> None:
        form = self.page("/accounts/otp/?next=/", "second factor form")
        code = f"{totp(bytes.fromhex(self.account['totp_key'])):06d}"
        if form is None or not self.post(
            "/accounts/otp/?next=/", "second factor", {"csrfmiddlewaretoken": scrape.csrf_token(form), "token": code}
        ):
            raise StopUser("second factor refused")

    # --- what everyone does ------------------------------------------------------------------------

    def scenario_list(self):
        choice = random.random()
        if choice < 0.4:
            query = f"?domain={random.choice(MANIFEST['domains'])}"
        elif choice < 0.6:
            query = f"?page={random.randint(2, 3)}"
        else:
            query = ""
        self.page(f"/exchange/{query}", "scenario list")

    def call_page(self):
        self.page(f"/exchange/calls/{CALL}/", f"call page ({self.role})")


class Enterprise(Visitor):
    kind, role = "enterprises", "enterprise"
    wait_time = between(2, 6)

    def on_start(self):
        self.applied = False
        self.receipt_path = ""
        self.sent: set[str] = set()  # digests of the attachments the server acknowledged
        super().on_start()
        self.work_on_application()  # enterprises came to send their application: that first

    @task(5)
    def browse(self):
        self.scenario_list()

    @task(3)
    def search(self):
        self.page(f"/exchange/?q={random.choice(SEARCHES)}", "scenario search")

    @task(4)
    def scenario(self):
        self.page(f"/exchange/scenarios/{random.choice(MANIFEST['scenario_ids'])}/", "scenario")

    @task(3)
    def call(self):
        self.call_page()

    @task(1)
    def capabilities(self):
        self.page("/exchange/capabilities/", "capability list")

    @task(1)
    def home(self):
        self.page("/", "home")

    @task(3)
    def work_on_application(self):
        """Open the form, take a while to fill it in, send it with a new attachment, read the receipt.
        The first send is a submission; every later one a save of the same application."""
        path = f"/exchange/calls/{CALL}/apply/"
        form = self.page(path, "apply form")
        if form is None:
            return
        gevent.sleep(random.uniform(*FILLING_IN))
        tag = secrets.token_hex(8)
        fields = {
            "approach": f"{self.account['organisation']}的整体方案（{tag}）：视觉识别与机械臂协同，适配现场条件。",
            "plan": f"第一个月方案深化，第二至三个月试点运行，第四个月验收推广。版本 {tag}",
            "budget": str(random.randint(30, 300) * 10_000),
            "team": f"{random.randint(5, 40)} 人研发与实施团队，项目负责人具有十年以上经验。",
        }
        data = _attachment()
        entry = {
            "user": self.account["username"],
            "organisation_id": self.account["organisation_id"],
            "kind": "save" if self.applied else "submit",
            "fields": fields,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "acked": False,
        }
        LEDGER["submissions"].append(entry)  # before sending: an unanswered send may still land
        form_data = {"csrfmiddlewaretoken": scrape.csrf_token(form), "version": scrape.hidden_value(form, "version")}
        files = {"attachment": (f"申报方案-{tag}.pdf", data, "application/pdf")}
        name = "apply: save" if self.applied else "apply: submit"
        target = self.post(path, name, {**form_data, **fields}, files)
        if not target or "/receipt/" not in target:
            return
        entry["acked"] = True
        self.applied, self.receipt_path = True, target
        self.sent.add(entry["sha256"])
        receipt = self.page(target, "receipt")
        shown = scrape.receipt(receipt) if receipt else None
        if shown:
            entry["receipt_no"], entry["digest"] = shown

    @task(1)
    def check_receipt(self):
        """Read the receipt again and download the latest attachment: its bytes must be what was sent."""
        if not self.receipt_path:
            return self.call()
        receipt = self.page(self.receipt_path, "receipt")
        links = scrape.attachment_links(receipt or "")
        if not links:
            return
        with self.client.get(links[-1], name="attachment download", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_why(response))
            elif hashlib.sha256(response.content).hexdigest() not in self.sent:
                response.failure("the downloaded attachment is not one this enterprise sent")
            else:
                LEDGER["downloads"] += 1


class Officer(Visitor):
    kind, role = "officers", "officer"
    fixed_count = len(MANIFEST["officers"])
    wait_time = between(5, 15)

    @task(5)
    def call(self):
        self.call_page()

    @task(2)
    def queue(self):
        self.page("/exchange/queue/", "officer queue")

    @task(1)
    def browse(self):
        self.scenario_list()


class Publisher(Visitor):
    kind, role = "publishers", "publisher"
    fixed_count = len(MANIFEST["publishers"])
    wait_time = between(5, 15)

    @task(5)
    def call(self):
        self.call_page()

    @task(2)
    def mine(self):
        self.page("/exchange/mine/", "my scenarios")

    @task(1)
    def scenario(self):
        self.page(f"/exchange/scenarios/{MANIFEST['scenario_id']}/", "scenario")


def _attachment() -> bytes:
    """A PDF by its signature (the server checks the content, not the name), random inside."""
    body = os.urandom(random.randint(*ATTACHMENT_BYTES))
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"\n%%EOF\n"


def _why(response) -> str:
    if not response.status_code:  # no answer at all: the connection failed
        return f"no answer: {response.error!r}"
    if response.status_code in (301, 302, 303):
        return f"HTTP {response.status_code} to {response.headers.get('Location')}"
    if response.status_code == 200:
        return f"refused: {scrape.form_errors(response.text)}"
    return f"HTTP {response.status_code}"
