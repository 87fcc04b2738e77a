"""The ``id,title,description[,domain]`` CSV files of `rainforest match` and the evaluation set."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rainforest.core.matching.documents import Document

REQUIRED = ("id", "title", "description")
MAX_BYTES = 20 * 2**20  # 20 MiB: the benchmark's files are a few hundred KiB
MAX_ID = 200


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
    (missing column, blank or repeated id, blank title, a field or file too large, a line the CSV
    reader cannot read) is reported at once, as :class:`ItemsError`; nothing else is raised."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ItemsError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if len(raw) > MAX_BYTES:
        raise ItemsError(f"{path}: larger than {MAX_BYTES // 2**20} MiB ({len(raw)} bytes); split it")
    text = _text(raw, str(path))
    if "\x00" in text:
        raise ItemsError(f"{path}: holds NUL characters, so it is not a CSV text file")
    # The csv module refuses a field over its field_size_limit (128 KiB) with csv.Error; that
    # refusal becomes a listed problem for the line, as does any other line it cannot read.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ItemsError(f"{path}: line 1: {_csv_problem(exc)}") from exc
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ItemsError(f"{path}: missing column(s) {', '.join(missing)}; expected id,title,description[,domain]")
    repeated = sorted({h for h in header if header.count(h) > 1 and h in (*REQUIRED, "domain")})
    if repeated:
        raise ItemsError(f"{path}: column(s) {', '.join(repeated)} appear more than once")
    reader.fieldnames = header
    problems, docs, seen = [], [], set()
    rows = iter(reader)
    while True:
        line = reader.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"line {line}: {_csv_problem(exc)}")
            break  # the reader cannot resynchronise after a broken field
        line = reader.line_num
        doc_id = (row.get("id") or "").strip()
        title = (row.get("title") or "").strip()
        body = (row.get("description") or "").strip()
        if not doc_id:
            problems.append(f"line {line}: id is blank")
        elif doc_id in seen:
            problems.append(f"line {line}: id {_shown(doc_id)} repeats an earlier line")
        elif len(doc_id) > MAX_ID:
            problems.append(f"line {line}: id is longer than {MAX_ID} characters")
        if not title and not body:
            problems.append(f"line {line}: title and description are both blank")
        seen.add(doc_id)
        domain = (row.get("domain") or "").strip()
        docs.append(Document(id=doc_id, title=title, body=body, domains=(domain,) if domain else ()))
    if problems:
        raise ItemsError(f"{path}:\n  " + "\n  ".join(problems))
    return docs


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit() // 1024} KiB; shorten it"
    return f"not readable as CSV ({exc})"


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")
