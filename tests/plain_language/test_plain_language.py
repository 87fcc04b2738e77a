"""Every page of the demo reads in plain Chinese (issue 14, item 2).

Each role (and a visitor) walks every page it can reach, in Simplified Chinese: every page route
without parameters, then every link those pages show, up to a few pages per route (so a few detail
pages of each kind of demo object). A Latin word or a raw code in what a person reads is a finding,
unless scan.ALLOWED_WORDS names it with its reason.

RAINFOREST_LATIN_REPORT=path writes the findings as Markdown, grouped by the page's template and by
route, with where each text is most likely written.

A ratchet: known_findings.txt lists the findings still open (route and word; a raw number by its
kind), the backlog of issue 14. A finding not in it fails the test, so no page gets worse and every
new page starts clean; fixing one lets its line go. RAINFOREST_LATIN_BASELINE=write rewrites the
file from a run (only to remove what has been fixed: review its diff).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from tests.plain_language import demo_city
from tests.plain_language.scan import LATIN_RUN, Finding, findings_in, page_findings, read_page

LANGUAGE = "zh-hans"
PAGES_PER_ROUTE = 3
MAX_PAGES_PER_ROLE = 250
# Not pages: signing out, switching language, the API, files and probes; exports are downloads.
SKIPPED_PREFIXES = ("/accounts/logout/", "/i18n/", "/api/", "/static/", "/files/", "/healthz", "/readyz")
DOWNLOAD_ROUTE = re.compile(r"(export|download)$")
SRC = Path(__file__).resolve().parents[2] / "src" / "rainforest"


@dataclass
class Page:
    role: str
    url: str
    route: str
    templates: list[str]
    findings: list[Finding] = field(default_factory=list)


def _page_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route without parameters: the pages a menu or a bookmark reaches."""
    out = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(p.pattern)
        if "<" in text or "^" in text or "(" in text:
            continue
        if isinstance(p, URLResolver):
            out += _page_routes(p.url_patterns, text)
        elif isinstance(p, URLPattern):
            out.append("/" + text)
    return out


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client: Client, role: str, usernames: set[str]) -> list[Page]:
    seeds = ["/", *_page_routes()]
    queue, seen, per_route, pages = deque(seeds), set(), Counter(), []
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen or url.startswith(SKIPPED_PREFIXES):
            continue
        seen.add(url)
        route = _route(urlsplit(url).path)
        if route is None or per_route[route] >= PAGES_PER_ROUTE or DOWNLOAD_ROUTE.search(route):
            continue
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
        if response.status_code in (301, 302, 303) and _internal(url, response["Location"]):
            queue.append(_internal(url, response["Location"]))  # e.g. "mine" pages that lead to one's own
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_route[route] += 1
        html = response.content.decode()
        templates = [t.origin.name for t in response.templates if getattr(t, "origin", None) and t.origin.name]
        pages.append(Page(role, url, route, list(dict.fromkeys(templates)), page_findings(html, usernames)))
        queue.extend(filter(None, (_internal(url, href) for href in read_page(html)[1])))
    return pages


def _internal(base: str, href: str) -> str | None:
    """The path and query of a link on this site, or None for another site's."""
    target = urlsplit(urljoin(base, href))
    if target.scheme in ("", "http") and target.netloc in ("", "testserver"):
        return target.path + (f"?{target.query}" if target.query else "")
    return None


_RESULTS: list[Page] = []
KNOWN = Path(__file__).with_name("known_findings.txt")
_NUMBER_KIND = re.compile(r"^[-+\d.,:]+ \((?P<kind>[^)]+)\)$")


_HEX = re.compile(r"^[0-9a-f]{8,}$")


def finding_key(route: str, token: str) -> str:
    """A finding as the ratchet knows it: its route and word; a raw number by its kind only (the
    demo's amounts and dates move with the day it is built), a digest or nonce as such (they differ
    in every build)."""
    number = _NUMBER_KIND.match(token)
    if number:
        return f"{route}\t<{number['kind']}>"
    return f"{route}\t{'<hex digest>' if _HEX.match(token) else token}"


def known_findings() -> set[str]:
    lines = KNOWN.read_text(encoding="utf-8").splitlines() if KNOWN.exists() else []
    return {line for line in lines if line and not line.startswith("#")}


@pytest.fixture(scope="module")
def report():
    yield _RESULTS
    path = os.environ.get("RAINFOREST_LATIN_REPORT")
    if path and _RESULTS:
        Path(path).write_text(render_report(_RESULTS), encoding="utf-8")
    if os.environ.get("RAINFOREST_LATIN_BASELINE") == "write" and _RESULTS:
        keys = sorted({finding_key(p.route, f.token) for p in _RESULTS for f in p.findings})
        header = (
            "# Findings of the plain-language scan still open (issue 14's backlog): route<TAB>word, a raw number\n"
            "# by its kind. A finding not listed here fails tests/plain_language; remove lines as they are fixed.\n"
        )
        KNOWN.write_text(header + "\n".join(keys) + "\n", encoding="utf-8")


def test_the_scan_finds_codes_and_numbers_and_spares_the_allow_list():
    html = """<html><head><title>政策库</title><style>.x{color:red}</style><script>var tech_sme = 1;</script></head>
      <body><p>tech_sme: 50,000</p><p>缺少: provincial_tech_sme.</p><button>Exit</button>
      <input type="submit" value="Decline"><input placeholder="- Select an option -">
      <span title="auth.otp.verified">审计</span><img alt="logo">
      <p>营业收入 17228000.00 元，比例 0.1471，时间 10:00+08:00</p>
      <p>规则 HT-05 与 RF-08；产业 HZ296X.T.AI；下载 PDF 与 XLSX；代码 91330108MA2CFE2X4A 的 A轮、Pre-A轮</p>
      <p>距离 100m，面积 5 km，联系 officer 或 someone@example.cn，见 https://www.hangzhou.gov.cn/a_b</p>
      <p>倍数 1.67x，回报按 XIRR 计算；密钥 <code>4FR634GMZHXUZBBOB6SOBQG2B6D6ZBAI</code>；计划 RM-HMZ-01</p>
      <p>见项目简报S0；工地PM2.5、PM10监测；详见https://www.hangzhou.gov.cn/</p>
      <template><p>hidden_code</p></template></body></html>"""
    tokens = [f.token for f in page_findings(html, {"officer"})]
    assert tokens == [
        "tech_sme", "provincial_tech_sme", "Exit", "Decline", "Select", "an", "option", "auth.otp.verified",
        "logo", "17228000.00 (ungrouped amount)",
        "0.1471 (ratio or rate with four or more decimals)", "+08:00 (time-zone offset)",
    ]  # fmt: skip
    # A USCC code is allowed only when its check character is right: otherwise it is a stray code.
    assert [f.token for f in findings_in("text", "代码 91330108MA2CFE2X4B")] == ["91330108MA2CFE2X4B"]


def _sign_in(role: str) -> tuple[Client, str]:
    client = Client()
    client.cookies["django_language"] = LANGUAGE
    if role == "visitor":
        return client, ""
    username = demo_city.ROLE_ACCOUNTS[role]
    demo_city.sign_in(client, username)
    return client, username


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["visitor", *demo_city.ROLE_ACCOUNTS])
def test_every_page_a_role_reaches_reads_in_plain_chinese(demo, report, role):
    from rainforest.accounts.models import User

    client, _ = _sign_in(role)
    from rainforest.audit.models import AuditEvent

    # Who did what, by the name they sign in with: today's accounts, and those the audit trail keeps
    # (the trail outlives an account, and other test modules' accounts leave their events in it).
    usernames = set(User.objects.values_list("username", flat=True))
    usernames |= set(AuditEvent.objects.values_list("actor_label", flat=True).distinct())
    # The pages that list the trail (the auditor's, the back office's) show what every test module left
    # in it: the names its objects had when recorded are those objects' own, and a code only another
    # module's test records reads by its fallback name (tests/audit/test_labels.py holds every code a
    # service records to a name of its own).
    from rainforest.audit.labels import ACTIONS, action_name

    for label in AuditEvent.objects.values_list("subject_label", "organisation_label").distinct():
        usernames |= {m.group(0) for text in label if text for m in LATIN_RUN.finditer(text)}
    for code in AuditEvent.objects.exclude(action__in=list(ACTIONS)).values_list("action", flat=True).distinct():
        usernames |= {m.group(0) for m in LATIN_RUN.finditer(action_name(code))}
    # The permission matrix's world (tests/accounts) leaves its rounds and case work visible to the
    # crawl in a full run on SQLite, under its own accounts' names.
    from tests.accounts.test_permission_matrix import USERS

    usernames |= set(USERS.values())
    # What enterprises and publishers wrote themselves (a capability's "OCR", a scenario's "5G") is
    # their text, not the interface's: the Latin words of scenario and capability texts are theirs.
    from rainforest.exchange.models import Capability, Scenario

    for texts in (
        Capability.objects.values_list("title", "description", "reference_cases", "certifications"),
        Scenario.objects.values_list("title", "problem", "site"),
    ):
        for row in texts:
            usernames |= {m.group(0) for text in row if text for m in LATIN_RUN.finditer(text)}
    pages = crawl(client, role, usernames)
    report.extend(pages)
    # A role that reaches only a few pages is stopped somewhere (a redirect, an expired password), not clean.
    assert len(pages) >= (10 if role == "visitor" else 15), f"{role} reached only {[p.url for p in pages]}"
    if os.environ.get("RAINFOREST_LATIN_BASELINE") == "write":
        return
    known = known_findings()
    new = [(p, f) for p in pages for f in p.findings if finding_key(p.route, f.token) not in known]
    lines = [f"{p.url} ({p.route}): {f}" for p, f in new[:40]]
    assert not new, (
        f"{len(new)} Latin words or raw codes not in known_findings.txt on pages {role} reaches:\n" + "\n".join(lines)
    )


# The report: where each finding most likely comes from.


@functools.cache
def _sources() -> dict[Path, str]:
    return {
        path: " ".join(path.read_text(encoding="utf-8", errors="replace").split())
        for path in sorted(SRC.rglob("*"))
        if path.suffix in (".py", ".html") and "migrations" not in path.parts and "locale" not in path.parts
    }


@functools.cache
def _pending_msgids() -> frozenset[str]:
    """Message ids written to the JSON files in RAINFOREST_PENDING_I18N (a folder of i18n_*.json, each
    {msgid: translations}) but not yet in the catalogues: the report marks their text as pending."""
    folder = os.environ.get("RAINFOREST_PENDING_I18N")
    ids = set()
    for path in Path(folder).glob("i18n_*.json") if folder else ():
        try:
            ids |= set(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return frozenset(" ".join(i.split()) for i in ids)


@functools.cache
def written_in(phrase: str, word: str, templates: tuple[str, ...]) -> str:
    """Where the text a person reads is written: the templates the page rendered that hold it, else
    any template or Python file (at most three), else data or a message built at run time."""
    sources = _sources()
    rendered = [Path(t) for t in templates if Path(t) in sources]
    for needle in (phrase, word):
        if len(needle) < 3:
            continue
        holders = [p for p in rendered if needle in sources[p]] or [p for p, text in sources.items() if needle in text]
        if holders and len(holders) <= 3:
            return ", ".join(str(p.relative_to(SRC.parents[1])) for p in holders)
    return "data or built at run time"


def _own_template(page: Page) -> str:
    """The view's own template: the first one the page rendered (base.html and includes come later)."""
    for name in page.templates:
        path = Path(name)
        if path.is_relative_to(SRC):
            return str(path.relative_to(SRC.parents[1]))
    if page.templates:  # Django's own (the back office): name it from its package
        return page.templates[0].split("site-packages/")[-1]
    return "(no template)"


def _phrase(f: Finding) -> str:
    return " ".join(f.chunk.split())[:200]


def render_report(pages: list[Page], per_route: int = 40) -> str:
    by_template: dict[str, dict[str, dict]] = defaultdict(dict)
    routes_of: dict[str, set[str]] = defaultdict(set)
    by_route: dict[str, list[tuple[str, str, Finding]]] = defaultdict(list)
    pending = _pending_msgids()
    for page in pages:
        own = _own_template(page)
        for f in page.findings:
            phrase = _phrase(f)
            entry = by_template[own].setdefault(phrase, {"tokens": set(), "routes": set(), "f": f, "page": page})
            entry["tokens"].add(f.token)
            entry["routes"].add(page.route)
            routes_of[own].add(page.route)
            by_route[page.route].append((page.role, page.url, f))
    total = sum(len(p.findings) for p in pages)
    clean = sorted({p.route for p in pages} - set(by_route))
    out = [
        "# Latin-word scan: findings in zh-Hans",
        "",
        f"Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by "
        "`RAINFOREST_LATIN_REPORT=latin_findings.md pytest tests/plain_language` "
        "(the demo city; a visitor and every role; every route without parameters and the links they show, "
        f"up to {PAGES_PER_ROUTE} pages per route).",
        f"{total} findings on {sum(1 for p in pages if p.findings)} of {len(pages)} pages; "
        f"{len(by_route)} of {len(by_route) + len(clean)} routes have findings.",
        "",
        "Grouped by the page's own template (the view's template; base.html and includes are named under "
        "'written in'). Each entry is one text a person reads (a text node, or a title, placeholder, "
        "aria-label, alt or button value), the Latin words or raw numbers in it, the routes that show it, and "
        "where it is written. **[pending]**: the text is a msgid in a RAINFOREST_PENDING_I18N file, so it "
        "reads in Chinese once those translations are merged. Allowed words and their reasons: "
        "tests/plain_language/scan.py.",
        "",
        "## By page template",
        "",
    ]
    for own in sorted(by_template, key=lambda t: (-len(by_template[t]), t)):
        items = by_template[own]
        out.append(f"### {own} ({len(items)} texts; {', '.join(sorted(routes_of[own]))})")
        # A cell that is only a raw number (a table of amounts): one line per kind, with examples.
        numbers: dict[str, list[str]] = defaultdict(list)
        for phrase, e in list(items.items()):
            kinds = {re.sub(r"^\S+ \((.*)\)$", r"\1", t) for t in e["tokens"]}
            if not re.search(r"[A-Za-z]", phrase) and all(" (" in t for t in e["tokens"]):
                numbers[", ".join(sorted(kinds))].append(phrase)
                del items[phrase]
        for kinds, phrases in sorted(numbers.items()):
            examples = ", ".join(f"«{p}»" for p in phrases[:4])
            out.append(f"- {len(phrases)} cells holding only a number ({kinds}), e.g. {examples}")
        for phrase, e in sorted(items.items()):
            mark = "**[pending]** " if phrase in pending else ""
            word = re.sub(r" \(.*\)$", "", sorted(e["tokens"])[0])
            where = written_in(phrase, word, tuple(e["page"].templates))
            tokens = ", ".join(f"`{t}`" for t in sorted(e["tokens"]))
            out.append(f"- {mark}{e['f'].where} «{phrase}»: {tokens} (written in: {where})")
        out.append("")
    out += ["## By route (first findings of each)", ""]
    for route in sorted(by_route):
        listed: dict[tuple, str] = {}
        for role, url, f in by_route[route]:
            listed.setdefault(
                (f.token, f.where, f.context), f"- [{role}] {url}: `{f.token}` in {f.where}: …{f.context}…"
            )
        lines = list(listed.values())
        out.append(f"### {route} ({len(lines)})")
        out += lines[:per_route]
        if len(lines) > per_route:
            out.append(f"- … and {len(lines) - per_route} more")
        out.append("")
    out += ["## Routes with no finding", "", ", ".join(clean) or "(none)", ""]
    reached = {p.route for p in pages}
    not_pages = ("admin:", "api-", "healthz", "readyz", "set_language")  # the back office's own, the API, probes
    unreached = sorted(r for r in _route_names() if r not in reached and not r.startswith(not_pages))
    out += [
        "## Routes no role reached (POST-only actions, downloads, or pages no demo link leads to)",
        "",
        ", ".join(unreached) or "(none)",
        "",
    ]
    return "\n".join(out)


def _route_names(patterns=None, namespace: str = "") -> list[str]:
    out = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            out += _route_names(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            out.append(namespace + p.name)
    return out
