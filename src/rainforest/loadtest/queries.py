"""Where a page's time goes, without load: the slowest pages of the run replayed in a child process
on the scratch database (`python -m rainforest.loadtest.queries`), each as the user locust sent,
through Django's test client with the production settings, counting the SQL queries and their time
(CaptureQueriesContext). What is left of the time is Python: middleware, the view, the template.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import time
from pathlib import Path

NOT_REPLAYED = {"second factor": "not replayed: a one-time code is good once"}


def _client(username: str):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rainforest.accounts.models import User

    user = User.objects.get(username=username)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # past the second factor, as the simulated officer was
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _measure(send) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = send()
        wall = time.perf_counter() - started
    return {
        "status": response.status_code,
        "wall_ms": wall * 1000,
        "queries": len(queries),
        "sql_ms": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
    }


def _sender(name: str, example: dict, manifest: dict):
    """A function that sends one request of this kind, as the example's user; None if not replayable."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from rainforest.loadtest import scrape

    password = manifest["password"]
    if name == "sign in":
        client = Client(SERVER_NAME="127.0.0.1")  # one client: its middleware (WhiteNoise's index) loads once

        def sign_in():
            client.logout()
            return client.post("/accounts/login/", {"username": example["user"], "password": password})

        return sign_in
    client = _client(example["user"])
    if name.startswith("apply: "):
        path = f"/exchange/calls/{manifest['call_id']}/apply/"

        def save():
            version = scrape.hidden_value(client.get(path).content.decode(), "version") or ""
            data = b"%PDF-1.7\n" + os.urandom(256 * 1024) + b"\n%%EOF\n"
            fields = {"approach": f"回放 {secrets.token_hex(4)}", "plan": "回放", "budget": "500000", "team": "回放"}
            upload = SimpleUploadedFile("replay.pdf", data, "application/pdf")
            return client.post(path, {**fields, "version": version, "attachment": upload})

        return save
    return lambda: client.get(example["path"])


def profile(names: list[str], examples: dict, manifest: dict, repeats: int = 5) -> list[dict]:
    out = []
    for name in names:
        example = examples.get(name)
        if name in NOT_REPLAYED or example is None:
            out.append({"name": name, "note": NOT_REPLAYED.get(name, "no example request recorded")})
            continue
        send = _sender(name, example, manifest)
        _measure(send)  # the first: this process's caches (templates, the matching index) fill
        runs = [_measure(send) for _ in range(repeats)]
        out.append(
            {
                "name": name,
                "path": example["path"],
                "status": runs[-1]["status"],
                "wall_ms": statistics.median(r["wall_ms"] for r in runs),
                "queries": runs[-1]["queries"],
                "sql_ms": statistics.median(r["sql_ms"] for r in runs),
            }
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("ledger", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainforest.settings")
    import django

    django.setup()
    manifest = json.loads(args.manifest.read_text())
    examples = json.loads(args.ledger.read_text())["examples"]
    args.out.write_text(json.dumps(profile(args.names, examples, manifest), ensure_ascii=False))


if __name__ == "__main__":
    main()
