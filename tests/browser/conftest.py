"""Real-browser journeys: the demo city served by a live server thread, driven by Playwright in the
distribution's Chromium (never a browser downloaded from a vendor), with axe-core checks and
full-page screenshots.

Environment:
  RAINFOREST_CHROMIUM     the browser (default /usr/bin/chromium, Debian's package `chromium`)
  RAINFOREST_SCREENSHOTS  where screenshots go (default tests/browser/.screenshots)
  RAINFOREST_AXE_REPORT   a Markdown file listing every axe violation found, of any impact
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings

from tests.plain_language import demo_city

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RAINFOREST_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("RAINFOREST_SCREENSHOTS", Path(__file__).parent / ".screenshots"))
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Demo:
    url: str
    codes: dict[str, tuple]  # username -> the TOTP device's parameters, read before the browser starts
    facts: dict[str, object] = field(default_factory=dict)  # objects the journeys visit, found in setup

    def code(self, username: str) -> str:
        from django_otp.oath import totp

        key, step, t0, digits, drift = self.codes[username]
        return f"{totp(key, step, t0, digits, drift):06d}"


def _journey_facts() -> dict[str, object]:
    """The demo objects the journeys work on, found as a person finds them on their pages; a journey
    whose object the demo no longer has fails saying so."""
    from rainforest.exchange.models import Application, Call

    enterprise = demo_city.organisation_of("enterprise")
    applied = Application.objects.filter(applicant=enterprise).values("call")
    open_call = Call.objects.filter(status="open").exclude(pk__in=applied).order_by("pk").first()
    publisher = demo_city.organisation_of("publisher")
    own_call = Call.objects.filter(scenario__publisher=publisher).order_by("pk").first()
    return {
        "open_call": open_call and open_call.pk,
        "own_call": own_call and (own_call.scenario_id, own_call.pk),
    }


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """The demo city, committed so that the server thread sees it, and emptied after the package (as a
    TransactionTestCase does), so that tests run after these find the empty database they expect."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    install = "apt-get install -y --no-install-recommends chromium chromium-l10n fonts-noto-cjk"
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's ({install}) or set RAINFOREST_CHROMIUM. "
            "The browser tests never download a browser.",
            pytrace=False,
        )
    fc_list = shutil.which("fc-list")  # fontconfig, which Chromium depends on
    fonts = fc_list and subprocess.run([fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, check=False)
    if not fonts or not fonts.stdout.strip():
        pytest.fail(f"No Chinese font: the screenshots would show boxes ({install}).", pytrace=False)
    if not AXE.is_file():
        pytest.fail(f"No axe-core at {AXE}: run `npm ci` (it is a devDependency).", pytrace=False)
    with django_db_blocker.unblock():
        try:
            demo_city.load()
            codes = {
                d.user.username: (d.bin_key, d.step, d.t0, d.digits, d.drift)
                for d in TOTPDevice.objects.filter(confirmed=True).select_related("user")
            }
            with _live_server() as url:
                yield Demo(url, codes, _journey_facts())
        finally:
            call_command("flush", interactive=False, verbosity=0)


@contextmanager
def _live_server():
    """Django's live server thread, serving static files from their apps' folders (nothing is collected
    for tests). On SQLite in memory it shares this thread's connection, as LiveServerTestCase does."""
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()
    # The live server speaks plain HTTP on 127.0.0.1: cookies cannot be Secure there.
    overrides = override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "127.0.0.1"], SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )
    overrides.enable()
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.terminate()
        overrides.disable()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def playwright(demo):
    """Playwright per test, started after the test's transaction has begun: its sync API keeps an event
    loop on this thread, and while it runs Django hands this thread another connection (connections
    are context-local under a running loop), which on SQLite in memory would lock the one the server
    thread shares. So nothing here touches the database while Playwright is up."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


# The browser's own language as a reader of each interface language has it: Chromium on Linux takes it
# for its widgets (a date field reads 2026/12/31 in zh-CN) from LANGUAGE, with Debian's chromium-l10n.
BROWSER_LANGUAGE = {"zh-hans": "zh-CN", "zh-hant": "zh-TW", "en": "en-GB"}


@dataclass
class AxeRecord:
    role: str
    step: str
    url: str
    violations: list[dict]


_AXE_RECORDS: list[AxeRecord] = []


@pytest.fixture(scope="package")
def axe_records():
    yield _AXE_RECORDS
    path = os.environ.get("RAINFOREST_AXE_REPORT")
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(render_axe_report(_AXE_RECORDS), encoding="utf-8")


@pytest.fixture(scope="package")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Journey:
    """One person's visit: every page it shows is screenshotted and checked with axe-core."""

    def __init__(self, playwright, demo: Demo, role: str, screenshots: Path, records: list, language="zh-hans"):
        self.demo, self.role, self.records = demo, role, records
        self.folder = screenshots / f"{role}-{language}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        locale = BROWSER_LANGUAGE[language]
        self.browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", f"--lang={locale}"],
            env={**os.environ, "LANGUAGE": locale.replace("-", "_"), "LANG": f"{locale.replace('-', '_')}.UTF-8"},
        )  # fmt: skip
        self.context = self.browser.new_context(
            base_url=demo.url, viewport=VIEWPORT, locale=locale,
            bypass_csp=True,  # axe-core is added as an inline script, which the platform's CSP forbids
        )  # fmt: skip
        self.context.add_cookies([{"name": "django_language", "value": language, "url": demo.url}])
        self.context.set_default_timeout(60_000)  # a loaded 2-core CI machine answers slowly
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))
        self.steps = 0
        self.serious: list[str] = []

    def goto(self, path: str, step: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{self.role}: {path} answered {response and response.status}"
        return self.check(step)

    def check(self, step: str):
        """Screenshot the page as it is now and run axe-core's WCAG 2.1 AA rules on it."""
        self.page.wait_for_load_state("load")
        if self.page.locator("[data-chart]").count():
            # Charts are drawn by script after load: wait for every one to be drawn, then for its animation.
            self.page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')].every(c => c.querySelector('canvas, svg'))"
            )
            self.page.wait_for_timeout(1200)
            for problem in self.page.evaluate(CHART_LABELS):
                self.serious.append(f"{step} ({self.page.url}): chart {problem}")
        self.steps += 1
        name = re.sub(r"[^\w\-]+", "-", step).strip("-")
        self.page.screenshot(path=self.folder / f"{self.steps:02d}-{name}.png", full_page=True)
        self.page.add_script_tag(content=_axe_source())
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_21_AA,
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "count": len(v["nodes"]),
             "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
             "detail": _detail(v["nodes"][0]) if v["nodes"] else ""}
            for v in result["violations"]
        ]  # fmt: skip
        self.records.append(AxeRecord(self.role, step, self.page.url.removeprefix(self.demo.url), violations))
        for v in violations:
            if v["impact"] in FAILING_IMPACTS:
                self.serious.append(
                    f"{step} ({self.page.url}): {v['id']} [{v['impact']}] on {v['targets']} {v['detail']}"
                )
        return self.page

    def sign_in(self, username: str):
        page = self.page
        self.goto("/accounts/login/", "sign-in")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", demo_city.PASSWORD)
        page.click("form.stack button")
        page.wait_for_load_state("load")
        if "/accounts/otp/" in page.url:
            self.check("second-factor")
            page.fill("input[name=token]", self.demo.code(username))
            page.click("form.stack button")
            page.wait_for_load_state("load")
        assert "/accounts/" not in page.url, f"{username} is still on {page.url} after signing in"
        return self.check("home")

    def follow(self, selector: str, step: str):
        """Click the first link the page shows for this selector, as a person would."""
        link = self.page.locator(selector).first
        assert link.count(), f"{self.role}: no {selector} on {self.page.url}"
        link.click()
        self.page.wait_for_load_state("load")
        return self.check(step)

    def close(self):
        self.context.close()
        self.browser.close()
        assert not self.errors, f"{self.role}: script errors: {self.errors}"
        assert not self.serious, f"{self.role}: serious or critical axe violations (WCAG 2.1 AA):\n" + "\n".join(
            self.serious
        )


# Every category name drawn whole (not hidden for overlap, not cut with an ellipsis) and every text of a
# chart inside its box: long district, cluster and indicator names in any of the three languages.
CHART_LABELS = """() => {
  const problems = [];
  for (const c of document.querySelectorAll('[data-chart]')) {
    const id = c.getAttribute('data-chart');
    const spec = JSON.parse(document.getElementById(id).textContent);
    const box = c.getBoundingClientRect();
    const texts = [...c.querySelectorAll('svg text')];
    const shown = texts.map(t => t.textContent.replace(/\\s+/g, ''));
    for (const name of spec.kind === 'pie' ? [] : spec.categories || []) {
      if (!shown.includes(String(name).replace(/\\s+/g, ''))) {
        problems.push(`${id}: category "${name}" not drawn whole`);
      }
    }
    for (const t of texts) {
      const r = t.getBoundingClientRect();
      const out = r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      if (r.width && out) {
        problems.push(`${id}: "${t.textContent}" drawn outside the chart`);
      }
    }
  }
  return problems;
}"""


def _detail(node: dict) -> str:
    """What axe measured on the first element (colours and ratio for contrast), else its summary."""
    for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
        data = check.get("data")
        if isinstance(data, dict) and "contrastRatio" in data:
            return (
                f"contrast {data['contrastRatio']} (needs {data.get('expectedContrastRatio')}), "
                f"text {data.get('fgColor')} on {data.get('bgColor')}, {data.get('fontSize')}"
            )
    return " ".join((node.get("failureSummary") or "").split())[:200]


_AXE_CACHE: list[str] = []


def _axe_source() -> str:
    if not _AXE_CACHE:
        _AXE_CACHE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_CACHE[0]


@pytest.fixture
def journey(playwright, demo, screenshots, axe_records):
    opened = []

    def start(role: str, language: str = "zh-hans") -> Journey:
        j = Journey(playwright, demo, role, screenshots, axe_records, language)
        opened.append(j)
        return j

    yield start
    for j in opened:
        if j.browser.is_connected():
            j.browser.close()


def render_axe_report(records: list[AxeRecord]) -> str:
    rows = [(r, v) for r in records for v in r.violations]
    out = [
        "# axe-core findings (WCAG 2.1 AA) from the browser journeys",
        "",
        f"Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `pytest -m browser tests/browser` "
        f"({len(records)} pages checked, {len(rows)} violations; serious and critical ones fail the run).",
        "",
    ]
    by_rule: dict[str, list] = {}
    for r, v in rows:
        by_rule.setdefault(f"{v['id']} [{v['impact']}]: {v['help']}", []).append((r, v))
    for rule in sorted(by_rule, key=lambda k: (0 if "critical" in k or "serious" in k else 1, k)):
        out.append(f"## {rule}")
        for r, v in by_rule[rule]:
            detail = f" — {v['detail']}" if v.get("detail") else ""
            out.append(f"- {r.role} · {r.step} · {r.url}: {v['count']} element(s): {json.dumps(v['targets'])}{detail}")
        out.append("")
    if not rows:
        out.append("No violations.")
    return "\n".join(out)
