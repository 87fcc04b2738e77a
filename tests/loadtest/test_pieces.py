"""The load scenario's own pieces that need no server: what it reads from pages, how it counts,
what it refuses to touch."""

from __future__ import annotations

import pytest

from rainforest.loadtest import report, scrape, scratch, serverlog

APPLY_FORM = """<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
<input type="hidden" name="version" value="3" id="id_version"><ul class="errorlist nonfield"><li>窗口已关闭</li></ul>
<link rel="stylesheet" href="/static/rainforest/site.0123456789ab.css">
<script src="/static/rainforest/site.js"></script><script src="/static/rainforest/site.js"></script>"""
RECEIPT = """<dd><code>RF12-20261204153000-ABC123</code></dd>
<dd><code class="secret">{}</code></dd><a href="/exchange/attachments/7/">a.pdf</a>""".format("ab" * 32)


def test_the_form_fields_are_read_from_the_page():
    assert scrape.csrf_token(APPLY_FORM) == "tok&en"
    assert scrape.hidden_value(APPLY_FORM, "version") == "3"
    assert scrape.hidden_value(APPLY_FORM, "missing") is None
    assert scrape.form_errors(APPLY_FORM) == "窗口已关闭"


def test_a_page_without_errors_says_so():
    assert scrape.form_errors("<p>ok</p>") == "no error shown"


def test_assets_are_fetched_once_each():
    assert scrape.assets(APPLY_FORM) == ["/static/rainforest/site.0123456789ab.css", "/static/rainforest/site.js"]


def test_the_receipt_shows_its_number_digest_and_attachments():
    assert scrape.receipt(RECEIPT) == ("RF12-20261204153000-ABC123", "ab" * 32)
    assert scrape.attachment_links(RECEIPT) == ["/exchange/attachments/7/"]
    assert scrape.receipt("<p>no receipt</p>") is None


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert report.percentile(values, 0.5) == 50
    assert report.percentile(values, 0.95) == 95
    assert report.percentile(values, 0.99) == 99
    assert report.percentile([7.0], 0.95) == 7
    assert report.percentile([], 0.95) == 0


def _samples(name, times, failed=0, at=1000.0):
    return [[name, "GET", t, i >= failed, 100, at + t / 1000] for i, t in enumerate(times)]


def test_pages_exclude_static_files_and_the_sign_in_post():
    samples = _samples("scenario", [100.0] * 20) + _samples("static site.css", [900.0] * 20)
    samples += _samples("sign in", [700.0] * 20)
    summary = report.summarise(samples)
    assert (summary.pages.count, summary.pages.p95) == (20, 100)
    assert (summary.static.count, summary.sign_in.count, summary.everything.count) == (20, 20, 60)
    assert summary.misses(goal_ms=300, sign_in_ms=1000) == []


def test_a_slow_page_a_slow_sign_in_and_a_failure_are_each_a_miss():
    samples = _samples("call page (officer)", [100.0] * 18 + [400.0] * 2)  # its p95: 400 ms
    samples += _samples("apply form", [100.0] * 100, failed=1)  # all pages together: p95 100 ms
    samples += _samples("sign in", [1200.0] * 5)
    misses = report.summarise(samples).misses(goal_ms=300, sign_in_ms=1000)
    assert misses == [
        "1 failed request(s)",
        "call page (officer) p95 400 ms >= 300 ms",
        "sign in p95 1200 ms >= 1000 ms",
    ]


def test_a_page_with_few_requests_is_shown_but_not_held_to_the_goal():
    summary = report.summarise(_samples("officer queue", [900.0] * 3) + _samples("home", [50.0] * 100))
    assert summary.misses(goal_ms=300, sign_in_ms=1000) == []
    assert any("(few samples)" in line for line in report.table(summary))


def test_server_routes_group_ids_and_static_files():
    assert serverlog.route("GET", "/exchange/calls/12/apply/") == "GET /exchange/calls/[id]/apply/"
    assert serverlog.route("GET", "/static/rainforest/site.css") == "GET /static/…"


@pytest.mark.parametrize(
    ("postgres", "redis", "database"),
    [
        ("postgres://postgres@db.example.org:5432", "redis://127.0.0.1:6379/8", "rf_load"),
        ("postgres://postgres@127.0.0.1:5432", "redis://10.0.0.5:6379/8", "rf_load"),
        ("postgres://postgres@127.0.0.1:5432", "redis://127.0.0.1:6379/8", "rainforest"),
        ("postgres://postgres@127.0.0.1:5432", "redis://127.0.0.1:6379/8", 'rf_load"; drop'),
    ],
)
def test_only_a_scratch_database_on_this_machine_is_touched(postgres, redis, database):
    with pytest.raises(ValueError):
        scratch.refuse_unsafe(postgres, redis, database)


def test_a_scratch_database_on_this_machine_is_accepted():
    scratch.refuse_unsafe("postgres://postgres@127.0.0.1:5432", "redis://localhost:6379/8", "rf_load_2")
    assert scratch.database_url("postgres://u:p@127.0.0.1:5432", "rf_load") == "postgres://u:p@127.0.0.1:5432/rf_load"


def test_pages_are_split_at_the_end_of_the_arrivals():
    early = _samples("scenario", [800.0] * 10, at=1000.0) + _samples("sign in", [900.0] * 10, at=1000.0)
    late = _samples("scenario", [50.0] * 30, at=1100.0)
    arriving, arrived = report.phases(early + late, ramp_seconds=50)
    assert (arriving.count, arriving.p95) == (10, 800)  # the sign-in posts are not pages
    assert (arrived.count, arrived.p95) == (30, 50)


def test_a_process_that_ended_during_the_load_still_counts():
    import subprocess
    import sys
    import time

    from rainforest.loadtest.cpu import CpuWatch

    watch = CpuWatch(lambda pid, name, cmdline: "burner" if cmdline.endswith("load-burner") else None, every=0.1)
    watch.start()
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass"
    subprocess.run([sys.executable, "-c", burn, "load-burner"], check=True)
    time.sleep(0.5)
    assert watch.stop().groups["burner"] >= 0.3  # all of it but the time after the last reading
