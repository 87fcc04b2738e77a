"""Time what users wait for at city scale: ``python -m rainforest.loadtest.city_time OUT.json REPEAT``.

Run by `rainforest bench city` in the scratch installation (production settings). Each page and API
is asked through Django's test client, signed in as the demo's people (password, then TOTP), so the
whole request is timed — middleware, sessions, the view, the template — without a network between.
Medians over REPEAT runs after one unmeasured warm-up; the query count of the last run with each."""

from __future__ import annotations

import json
import statistics
import sys
import time


def _client(username: str):
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rainforest.demo.loader import DEMO_PASSWORD

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    answer = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, secure=True)
    assert answer.status_code == 302, f"{username} could not sign in ({answer.status_code})"
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
        answer = client.post("/accounts/otp/", {"token": code}, secure=True)
        assert answer.status_code == 302, f"{username}'s second factor was refused ({answer.status_code})"
    return client


def _timed(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer = client.get(url, secure=True)
    if answer.status_code != 200:
        return {"url": url, "status": answer.status_code, "median_ms": None}
    seconds = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            answer = client.get(url, secure=True)
            seconds.append(time.perf_counter() - started)
    return {"url": url, "status": answer.status_code, "median_ms": statistics.median(seconds) * 1000,
            "queries": len(queries)}  # fmt: skip


def _last_offset(client, url: str, limit: int = 50) -> str:
    answer = client.get(f"{url}{'&' if '?' in url else '?'}limit={limit}&offset=0", secure=True).json()
    if not isinstance(answer, dict):
        return url  # not paged: the whole list is its only page
    return f"{url}{'&' if '?' in url else '?'}limit={limit}&offset={max(0, answer['count'] - limit)}"


def measure(repeat: int) -> dict:
    from django.utils import timezone

    from rainforest.registry.models import Enterprise, YearlyFacts

    officer = _client("officer")
    fund = _client("fundmanager")
    figures = {"enterprises": Enterprise.objects.count(), "facts_rows": YearlyFacts.objects.count(), "timings": {}}
    timings = figures["timings"]
    timings["floor: the signed-in officer's own record (API)"] = _timed(officer, "/api/v1/me", repeat)
    timings["pyramid page"] = _timed(officer, "/seedling/", repeat)
    timings["pyramid page, one district"] = _timed(officer, "/seedling/?district=西湖区", repeat)
    timings["pyramid API"] = _timed(officer, f"/api/v1/seedling/pyramid?year={timezone.localdate().year}", repeat)
    # The city cockpit (issue 15): every indicator, one drill-down with its district and cluster bars.
    timings["city cockpit page"] = _timed(officer, "/cockpit/", repeat)
    timings["city cockpit API"] = _timed(officer, "/api/v1/cockpit/indicators", repeat)
    timings["city cockpit, tech SMEs by district and cluster"] = _timed(officer, "/cockpit/i/tech_sme/", repeat)
    timings["registry list, first page"] = _timed(officer, "/registry/", repeat)
    # A page past the end shows the last page (page_actions.query_page).
    timings["registry list, last page"] = _timed(officer, "/registry/?page=999999", repeat)
    for label, client, url in [
        ("enterprises API", officer, "/api/v1/enterprises"),
        ("organisations API", officer, "/api/v1/organisations"),
        ("scenarios API", officer, "/api/v1/exchange/scenarios"),
        ("capabilities API", officer, "/api/v1/exchange/capabilities"),
        ("fund deals API", fund, "/api/v1/fund/deals"),
        ("screening runs API", officer, "/api/v1/policy/runs"),
    ]:
        timings[f"{label}, first page"] = _timed(client, f"{url}?limit=50&offset=0", repeat)
        timings[f"{label}, last page"] = _timed(client, _last_offset(client, url), repeat)
    timings["bulk screening, whole registry, to stored"] = _screening(repeat)
    return figures


def _screening(repeat: int) -> dict:
    """The officer's screening of every enterprise, as the worker runs it (policy/screening_bench.py);
    its median over at most three runs: each takes seconds and leaves a run behind."""
    from rainforest.accounts.models import Membership
    from rainforest.accounts.permissions import Principal
    from rainforest.policy.screening_bench import storage_per_enterprise, time_registry_screening

    membership = Membership.objects.select_related("user", "organisation").get(user__username="officer")
    actor = Principal(user=membership.user, membership=membership)
    seconds = [time_registry_screening(actor) for _ in range(min(3, repeat))]
    stored = storage_per_enterprise()
    return {"url": "policy.screening_bench", "status": 200, "median_ms": statistics.median(seconds) * 1000,
            "queries": None, "bytes_per_enterprise": round(sum(stored.values())) if stored else None}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    import django

    django.setup()
    out, repeat = (argv or sys.argv[1:])[:2]
    with open(out, "w") as handle:
        json.dump(measure(int(repeat)), handle, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
