"""Simplified Chinese text as a Hong Kong government reader writes it in Traditional characters.

The reviewed phrases of ``hant_glossary.yaml`` first, then OpenCC character conversion without any
regional phrase table, then the Hong Kong character variants (the glossary's header explains the
choices). Used for the Traditional catalogue (scripts/po_hant_from_hans.py) and for data kept only in
Simplified (the cockpit's definitions), so both read alike.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import opencc
import yaml

GLOSSARY = Path(__file__).resolve().with_name("hant_glossary.yaml")


class HantConverter:
    """Simplified Chinese text to Traditional, by the reviewed glossary and OpenCC characters."""

    def __init__(self, glossary_path: Path = GLOSSARY):
        glossary = yaml.safe_load(glossary_path.read_text(encoding="utf-8"))
        self.phrases: dict[str, str] = {str(k): str(v) for k, v in glossary["phrases"].items()}
        self.variants: dict[str, str] = {str(k): str(v) for k, v in glossary["variants"].items()}
        self.entries: dict[str, str] = {str(k): str(v) for k, v in (glossary.get("entries") or {}).items()}
        self.rejected: dict[str, str] = {str(k): str(v) for k, v in (glossary.get("rejected") or {}).items()}
        self._characters = opencc.OpenCC(glossary["characters"]).convert
        # Longest phrase first: the regex alternation takes the first alternative that matches.
        keys = sorted(self.phrases, key=len, reverse=True)
        self._phrase_re = re.compile("|".join(map(re.escape, keys)))
        self._variant_re = re.compile("|".join(map(re.escape, sorted(self.variants, key=len, reverse=True))))

    def _plain(self, text: str) -> str:
        converted = self._characters(text)
        return self._variant_re.sub(lambda m: self.variants[m.group(0)], converted) if self.variants else converted

    def convert(self, text: str) -> str:
        out, last = [], 0
        for match in self._phrase_re.finditer(text):
            out.append(self._plain(text[last : match.start()]))
            out.append(self.phrases[match.group(0)])
            last = match.end()
        out.append(self._plain(text[last:]))
        return "".join(out)

    def entry(self, msgctxt: str | None, msgid: str, msgstr: str) -> str:
        """The Traditional text of one catalogue entry (a whole-entry rule wins over phrases)."""
        key = f"{msgctxt}|{msgid}" if msgctxt else msgid
        if key in self.entries:
            return self.entries[key]
        return self.convert(msgstr) if msgstr else ""


@cache
def converter() -> HantConverter:
    return HantConverter()
