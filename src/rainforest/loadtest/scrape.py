"""What the simulated browsers read from the pages: form tokens, hidden fields, the receipt, the
static assets a page links. Plain regular expressions over the server's own templates."""

from __future__ import annotations

import html
import re

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
_RECEIPT = re.compile(r"<code>(RF[^<]+)</code>")
_DIGEST = re.compile(r'<code class="secret">([0-9a-f]{64})</code>')
_ATTACHMENT = re.compile(r'href="(/exchange/attachments/\d+/)"')
_ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
_TAG = re.compile(r"<[^>]+>")


def csrf_token(page: str) -> str | None:
    found = _CSRF.search(page)
    return html.unescape(found.group(1)) if found else None


def hidden_value(page: str, name: str) -> str | None:
    """The value of a hidden input (the application's version), "" when it is empty."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def assets(page: str) -> list[str]:
    """The stylesheets and scripts a browser fetches with the page (once, then from its cache)."""
    return list(dict.fromkeys(_ASSET.findall(page)))


def receipt(page: str) -> tuple[str, str] | None:
    """(receipt number, digest) as the receipt page shows them."""
    number, digest = _RECEIPT.search(page), _DIGEST.search(page)
    return (html.unescape(number.group(1)), digest.group(1)) if number and digest else None


def attachment_links(page: str) -> list[str]:
    return _ATTACHMENT.findall(page)


def form_errors(page: str) -> str:
    """The form's error messages as one line, to say why a post was refused."""
    found = [html.unescape(_TAG.sub(" ", block)).strip() for block in _ERRORS.findall(page)]
    return " | ".join(" ".join(text.split()) for text in found if text) or "no error shown"
