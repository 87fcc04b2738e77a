"""Derive the Traditional Chinese catalogue from the Simplified one (run after editing zh_Hans).

    python scripts/po_hant_from_hans.py          # rewrite zh_Hant/LC_MESSAGES/django.po and .mo
    python scripts/po_hant_from_hans.py --check  # exit 1 if the catalogue is not what zh_Hans gives

The conversion follows Hong Kong government usage (rainforest.core.hant: the reviewed phrases of
src/rainforest/core/hant_glossary.yaml, then OpenCC characters, then Hong Kong variants).
zh_Hant is rebuilt from zh_Hans every time, so running it twice gives the same file: entries that
zh_Hans no longer has are dropped, new ones are added. An entry a translator wrote by hand in zh_Hant
and marked with the translator comment ``manual`` keeps its text.

Needs OpenCC and PyYAML (runtime dependencies) and polib (the dev extra); the conversion itself
(``HantConverter``) needs no polib, so the tests use it to check the catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rainforest.core.hant import HantConverter

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "rainforest" / "locale"


def build(converter: HantConverter):
    import polib

    hans = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    hant_path = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
    old = polib.pofile(str(hant_path)) if hant_path.exists() else None
    manual = {
        (e.msgctxt, e.msgid): e for e in (old or []) if "manual" in (e.tcomment or "") and not e.obsolete
    }  # fmt: skip
    hant = polib.POFile(wrapwidth=hans.wrapwidth)
    hant.header = old.header if old is not None else hans.header
    hant.metadata = dict(hans.metadata)
    hant.metadata["Language"] = "zh_Hant"
    hant.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    hant.metadata_is_fuzzy = hans.metadata_is_fuzzy
    for origin in hans:
        if origin.obsolete:
            continue
        entry = polib.POEntry(
            msgid=origin.msgid, msgctxt=origin.msgctxt, msgid_plural=origin.msgid_plural,
            occurrences=list(origin.occurrences), comment=origin.comment, flags=list(origin.flags),
        )  # fmt: skip
        hand = manual.get((origin.msgctxt, origin.msgid))
        if hand is not None:
            entry.tcomment = hand.tcomment
            entry.msgstr = hand.msgstr
            entry.msgstr_plural = dict(hand.msgstr_plural)
        elif origin.msgid_plural:
            entry.msgstr_plural = {
                k: converter.entry(origin.msgctxt, origin.msgid, v) for k, v in origin.msgstr_plural.items()
            }
        else:
            entry.msgstr = converter.entry(origin.msgctxt, origin.msgid, origin.msgstr)
        hant.append(entry)
    return hant, hant_path


def main(argv: list[str]) -> int:
    hant, path = build(HantConverter())
    text = str(hant)
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current.rstrip("\n") != text.rstrip("\n"):
            sys.stderr.write(f"{path} is not what zh_Hans gives: run scripts/po_hant_from_hans.py\n")
            return 1
        return 0
    hant.save(str(path))
    hant.save_as_mofile(str(path.with_suffix(".mo")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
