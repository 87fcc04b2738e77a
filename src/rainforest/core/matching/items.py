"""The ``id,title,description[,domain]`` CSV files of `rainforest match` and the evaluation set."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rainforest.core.matching.documents import Document

REQUIRED = ("id", "title", "description")


class ItemsError(ValueError):
    """A file that cannot be used; the message names the file, the line and the reason."""


def _text(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ItemsError(f"{name}: not UTF-8 or GB18030 text")


def read_items(path: Path | str) -> list[Document]:
    """Documents from a CSV with columns id,title,description and optional domain. Every problem
    (missing column, blank or repeated id, blank title) is reported at once."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ItemsError(f"{path}: cannot be read ({exc.strerror})") from exc
    reader = csv.DictReader(io.StringIO(_text(raw, str(path)), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ItemsError(f"{path}: missing column(s) {', '.join(missing)}; expected id,title,description[,domain]")
    reader.fieldnames = header
    problems, docs, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        doc_id = (row.get("id") or "").strip()
        title = (row.get("title") or "").strip()
        if not doc_id:
            problems.append(f"line {line}: id is blank")
        elif doc_id in seen:
            problems.append(f"line {line}: id {doc_id!r} repeats an earlier line")
        if not title and not (row.get("description") or "").strip():
            problems.append(f"line {line}: title and description are both blank")
        seen.add(doc_id)
        domain = (row.get("domain") or "").strip()
        docs.append(
            Document(
                id=doc_id, title=title, body=(row.get("description") or "").strip(), domains=(domain,) if domain else ()
            )
        )
    if problems:
        raise ItemsError(f"{path}:\n  " + "\n  ".join(problems))
    return docs
