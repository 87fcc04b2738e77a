"""Derive the Traditional Chinese catalogue from the Simplified one (run after editing zh_Hans).

    python scripts/po_hant_from_hans.py

Needs the dev extra (OpenCC and polib). Entries a translator already wrote in zh_Hant by hand
and marked with the comment ``manual`` are kept.
"""

from pathlib import Path

import opencc
import polib

LOCALE = Path(__file__).resolve().parents[1] / "src" / "rainforest" / "locale"


def main() -> None:
    convert = opencc.OpenCC("s2twp").convert
    hans = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    hant_path = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
    hant = polib.pofile(str(hant_path))
    source = {(e.msgctxt, e.msgid): e for e in hans}
    for entry in hant:
        if "manual" in (entry.tcomment or ""):
            continue
        origin = source.get((entry.msgctxt, entry.msgid))
        if origin is None:
            continue
        entry.msgstr = convert(origin.msgstr) if origin.msgstr else ""
        if origin.msgstr_plural:
            entry.msgstr_plural = {k: convert(v) for k, v in origin.msgstr_plural.items()}
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    hant.save(str(hant_path))
    hant.save_as_mofile(str(hant_path.with_suffix(".mo")))


if __name__ == "__main__":
    main()
