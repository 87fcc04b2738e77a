"""Read a facts file of any size in batches of rows, as polars frames, one block at a time.

The rows, the cells and the file-level refusals are those of :func:`reader.read_table`: the same
decoding (UTF-8 with or without BOM, else GB18030; NUL refused), the same CSV dialect (Python's
csv module, default dialect), blank rows dropped, cells stripped, the XLSX first sheet through
openpyxl, and the same row numbers. Only the size caps are gone: a CSV is read in blocks of
``BLOCK_BYTES``, an XLSX row by row, so memory does not grow with the file.

Most lines of a facts CSV are plain: no quote character and exactly one cell per column. polars
parses those (quote handling off, so a plain line means the same to both parsers); every other
line (a quote, too few or too many cells, a line longer than the csv module's field limit) goes
through Python's csv reader from that line on, with the following lines a quoted cell runs over,
exactly as read_table reads it. A file with a lone CR line end (old Mac) goes through Python's
reader whole, since the csv module ends rows there too.

Each batch is a frame with ``_row`` (the row number problems cite: header is 1, then the
non-blank rows), ``_cells`` (how many cells the row had), ``_extra`` (whether a cell beyond the
header's width holds anything) and ``c0`` .. ``c<width-1>``, the row's stripped cells ("" for a
blank or missing one).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import polars as pl

from rainforest.core.facts.reader import XLSX_MAGIC, ReadError, _cell_text

BLOCK_BYTES = 16 << 20
EXACT_BATCH = 50_000  # rows per batch where Python's csv reader or openpyxl reads every row
# Every character str.strip() removes (str.isspace); polars would otherwise strip Unicode's set.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WIDE_LEADS = tuple({ch.encode()[0] for ch in WHITESPACE if ord(ch) > 0x7F})
_BOM = codecs.BOM_UTF8
_COMMA, _QUOTE, _LF, _CR = 0x2C, 0x22, 0x0A, 0x0D
_ASCII_SPACES = (0x09, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x20)  # whitespace but the line ends


@cache
def _np():
    """numpy and byte tables, loaded when a block first needs a look at its bytes (a plain file
    whose cells have no space around them never does: the command starts faster without it)."""
    import numpy as np

    wide_lead = np.zeros(256, dtype=bool)
    wide_lead[list(_WIDE_LEADS)] = True
    space = np.zeros(256, dtype=bool)
    space[list(_ASCII_SPACES)] = True
    bound = np.zeros(256, dtype=bool)  # what ends a cell
    bound[[_COMMA, _LF, _CR]] = True
    # non-ASCII whitespace in UTF-8, its 2-byte and 3-byte sequences as numbers
    wide_2 = np.array([int.from_bytes(ch.encode()) for ch in WHITESPACE if 0x7F < ord(ch) < 0x800])
    wide_3 = np.array([int.from_bytes(ch.encode()) for ch in WHITESPACE if ord(ch) >= 0x800])
    return SimpleNamespace(np=np, wide_lead=wide_lead, space=space, bound=bound, wide_2=wide_2, wide_3=wide_3)


def cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


@dataclass
class FactsStream:
    """An opened facts file: its header row, then its data rows in batches (see the module)."""

    header: list[str]
    batches: Iterator[pl.DataFrame]


def open_facts(path: Path) -> FactsStream:
    """Refusals about the whole file (empty, encoding) come before the header is returned; a
    malformed CSV or workbook further on raises :class:`ReadError` from the batches."""
    with open(path, "rb") as f:
        head = f.read(len(XLSX_MAGIC))
    if not _has_content(path):
        raise ReadError("empty")
    if head.startswith(XLSX_MAGIC) or path.name.lower().endswith(".xlsx"):
        rows = _batched(_xlsx_rows(path))
        return _start(rows, xlsx=True)
    encoding, lone_cr = _sniff(path)
    if lone_cr:
        return _start(_batched(_python_csv_rows(path, encoding)), xlsx=False)
    return _CsvBlocks(path, encoding).open()


def _has_content(path: Path) -> bool:
    with open(path, "rb") as f:
        while block := f.read(BLOCK_BYTES):
            if block.strip():  # bytes.strip: ASCII whitespace, as read_table's data.strip()
                return True
    return False


def _sniff(path: Path) -> tuple[str, bool]:
    """The encoding read_table would settle on, after reading the whole file, and whether it
    has a CR that does not start a CRLF."""
    utf8, nul, lone_cr, prev_cr = True, False, False, False
    tail = b""  # a UTF-8 sequence cut by the block's end
    with open(path, "rb") as f:
        while block := f.read(BLOCK_BYTES):
            nul = nul or b"\x00" in block
            if utf8:
                data = tail + block
                cut = _last_whole(data)
                utf8, tail = _utf8(data[:cut]), data[cut:]
            if not lone_cr and (prev_cr or b"\r" in block):
                crs = block.count(b"\r") - block.count(b"\r\n") - block.endswith(b"\r")
                lone_cr = crs > 0 or (prev_cr and not block.startswith(b"\n"))
            prev_cr = block.endswith(b"\r")
    lone_cr = lone_cr or prev_cr
    utf8 = utf8 and not tail
    if nul:  # read_table: NUL decoded from either encoding means UTF-16 or a binary file
        raise ReadError("encoding")
    if utf8:
        return "utf-8", lone_cr
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        with open(path, "rb") as f:
            while block := f.read(BLOCK_BYTES):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ReadError("encoding") from exc
    return "gb18030", lone_cr


def _utf8(data: bytes) -> bool:
    """Whether bytes are UTF-8 (as strict as Python's codec: no surrogates, no overlong forms)."""
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


def _last_whole(data: bytes) -> int:
    """Where the last complete UTF-8 sequence ends: a lead byte in the last three bytes whose
    sequence runs past the end starts the tail kept for the next block."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if need > back else len(data)
    return len(data)


# ---------------------------------------------------------------- rows read one by one


def _start(rows: Iterator[list[list[str]]], *, xlsx: bool) -> FactsStream:
    """Header and batches from batches of raw rows (lists of unstripped cells, blank ones kept)."""
    header: list[str] | None = None
    pending: list[list[str]] = []
    for batch in rows:
        for i, r in enumerate(batch):
            if _blank(r, xlsx):
                continue
            header = list(r) if xlsx else [h.strip() for h in r]
            pending = batch[i + 1 :]
            break
        if header is not None:
            break
    if header is None:
        raise ReadError("empty")
    if xlsx:
        while header and not header[-1]:
            header = header[:-1]
    if not header or not any(header):
        raise ReadError("no_header")
    return FactsStream(header, _frames(header, pending, rows, xlsx))


def _blank(r: list[str], xlsx: bool) -> bool:
    return not any(r) if xlsx else not any(c.strip() for c in r)


def _frames(header, first, rows, xlsx) -> Iterator[pl.DataFrame]:
    width = len(header)
    next_row = 2
    for batch in _chain(first, rows):
        kept = [r for r in batch if not _blank(r, xlsx)]
        if not kept:
            continue
        frame = records_frame(kept, width, xlsx=xlsx)
        yield frame.with_columns(pl.int_range(next_row, next_row + frame.height, dtype=pl.Int64).alias("_row"))
        next_row += frame.height


def _chain(first, rows):
    yield first
    yield from rows


def records_frame(records: list[list[str]], width: int, *, xlsx: bool = False) -> pl.DataFrame:
    """Raw rows to a batch frame (without ``_row``): stripped cells, cell count, extra content.
    An XLSX row is padded to the header's width (a missing cell there is a blank one)."""
    if xlsx:
        records = [r + [""] * (width - len(r)) for r in records]
    cells = [[r[i].strip() if i < len(r) else "" for r in records] for i in range(width)]
    return pl.DataFrame(
        {
            "_cells": pl.Series([len(r) for r in records], dtype=pl.Int32),
            "_extra": pl.Series([any(c.strip() for c in r[width:]) for r in records], dtype=pl.Boolean),
            **{f"c{i}": pl.Series(col, dtype=pl.String) for i, col in enumerate(cells)},
        }
    )


def _batched(rows: Iterator[list[str]]) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= EXACT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _python_csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
        try:
            yield from csv.reader(f)
        except csv.Error as exc:
            raise ReadError("format", str(exc)) from exc


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path):
            pass
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError("format", str(exc)) from exc
    # openpyxl parses an untrusted archive of XML: whatever it raises means the file is not a
    # readable workbook (reader._read_xlsx). data_only=False keeps formulas as text to refuse.
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 (see above)
        raise ReadError("format", str(exc)) from exc
    try:
        ws = book.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 (see above)
        raise ReadError("format", str(exc)) from exc
    finally:
        book.close()


# ---------------------------------------------------------------- CSV in blocks


class _CsvBlocks:
    def __init__(self, path: Path, encoding: str):
        self.path, self.encoding = path, encoding
        self.width = 0
        self.next_row = 2
        self.field_limit = csv.field_size_limit()

    def open(self) -> FactsStream:
        blocks = self._blocks()
        pending = b""
        for block, final in blocks:
            data = pending + block
            header, used = self._header(data, final)
            if header is not None:
                break
            pending = data
        else:
            raise ReadError("empty")
        if not any(header):
            raise ReadError("no_header")
        self.width = len(header)
        return FactsStream(header, self._batches(data[used:], final, blocks))

    def _blocks(self) -> Iterator[tuple[bytes, bool]]:
        """UTF-8 bytes ending with a line feed (the last one may not), and whether it is the last."""
        decoder = codecs.getincrementaldecoder("gb18030")() if self.encoding == "gb18030" else None
        carry = b""
        first = True
        with open(self.path, "rb") as f:
            raw = f.read(max(BLOCK_BYTES, len(_BOM)))
            while raw:
                following = f.read(BLOCK_BYTES)
                if first and decoder is None and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                first = False
                data = carry + (decoder.decode(raw, final=not following).encode() if decoder else raw)
                if not following:
                    yield data, True
                    return
                cut = data.rfind(b"\n") + 1
                carry = data[cut:]
                if cut:
                    yield data[:cut], False
                raw = following
        if carry:
            yield carry, True

    def _header(self, data: bytes, final: bool) -> tuple[list[str] | None, int]:
        """The first non-blank record and the bytes it ends at, or None when the block has none yet.
        It is looked for in the block's first lines, then in the whole block."""
        header = _first_plain_record(data)
        if header is not None:
            return header
        cut = data.find(b"\n", 1 << 16) + 1
        if 0 < cut < len(data):
            header, used = self._header_in(data[:cut], False)
            if header is not None:
                return header, used
        return self._header_in(data, final)

    def _header_in(self, data: bytes, final: bool) -> tuple[list[str] | None, int]:
        lines = _Lines(data)
        i = 0
        while i < lines.n:
            record, used, incomplete = lines.record(i, final)
            if incomplete:
                return None, 0
            if record is not None and any(c.strip() for c in record):
                return [h.strip() for h in record], int(lines.starts[i + used]) if i + used < lines.n else len(data)
            i += used
        return None, 0

    def _batches(self, data: bytes, final: bool, blocks) -> Iterator[pl.DataFrame]:
        while True:
            frame, rest = self._parse(data, final)
            if frame is not None and frame.height:
                yield frame.with_columns(
                    pl.int_range(self.next_row, self.next_row + frame.height, dtype=pl.Int64).alias("_row")
                )
                self.next_row += frame.height
            if final:
                return
            block, final = next(blocks, (b"", True))
            data = rest + block

    def _parse(self, data: bytes, final: bool) -> tuple[pl.DataFrame | None, bytes]:
        """The block's non-blank rows, and the bytes of a record that runs past its end."""
        frame = self._all_plain(data)
        if frame is not None:
            return _finished(frame, self.width, data), b""
        lines = _Lines(data)
        np = _np().np
        if not lines.n:
            return None, b""
        width = self.width
        # An empty line is a blank row (unless a quoted cell runs over it): neither parser needs it.
        empty = lines.content == 0
        simple = (lines.quotes == 0) & (lines.commas == width - 1) & ~empty
        simple &= (lines.ends - lines.starts) <= self.field_limit
        cut = lines.n
        exact: list[tuple[int, list[str]]] = []
        other = np.flatnonzero(~simple & ~empty)
        k, done = 0, 0  # the next line that is neither plain nor empty; lines before `done` are read
        while k < len(other):
            i = int(other[k])
            k += 1
            if i < done:
                continue
            record, used, incomplete = lines.record(i, final)
            if incomplete:
                cut = i
                break
            simple[i : i + used] = False
            exact.append((i, record))
            done = i + used
        rest = data[int(lines.starts[cut]) :] if cut < lines.n else b""
        frames = []
        plain = np.flatnonzero(simple[:cut])
        if len(plain):
            frames.append(self._plain(data, lines, plain, whole=len(plain) == lines.n))
        if exact:
            kept = [(i, r) for i, r in exact if r is not None and any(c.strip() for c in r)]
            if kept:
                frame = records_frame([r for _, r in kept], width)
                frames.append(frame.with_columns(pl.Series("_line", [i for i, _ in kept], dtype=pl.Int64)))
        if not frames:
            return None, rest
        frame = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
        if len(frames) > 1:
            frame = frame.sort("_line")
        return frame.select("_cells", "_extra", *cell_names(width)), rest

    def _all_plain(self, data: bytes) -> pl.DataFrame | None:
        """The whole block through polars when every line is plain, known without a look at each
        line: no quote; polars refuses a line with too many cells; one row per line; no row all
        empty cells (an empty line, or only commas); and as many commas as full rows have, so no
        row lacks one. None when the block needs the line-by-line reading."""
        if not data or b'"' in data:
            return None
        names = cell_names(self.width)
        try:
            frame = _read_plain(data, names)
        except pl.exceptions.PolarsError:  # a line with more cells than the header, or a short first line
            return None
        if frame.height != data.count(b"\n") + (not data.endswith(b"\n")):
            return None
        if data.count(b",") != (self.width - 1) * frame.height:
            return None
        longest = frame.select(pl.max_horizontal(pl.col(n).str.len_bytes().max() for n in names)).item()
        empty = frame.select(pl.all_horizontal(pl.col(n) == "" for n in names).any()).item()
        return None if empty or (longest or 0) > self.field_limit else frame

    def _plain(self, data: bytes, lines: _Lines, index, *, whole: bool) -> pl.DataFrame:
        np = _np().np
        width = self.width
        if whole:
            buf = data
        else:
            a = lines.bytes
            keep = np.zeros(lines.n, dtype=bool)
            keep[index] = True
            spans = np.diff(np.append(lines.starts, len(a)))
            buf = a[np.repeat(keep, spans)].tobytes()
        names = cell_names(width)
        frame = _read_plain(buf, names)
        if frame.height != len(index):  # not a parse this module knows: read those lines the exact way
            records = [lines.record(int(i), True)[0] or [] for i in index]
            return records_frame(records, width).with_columns(pl.Series("_line", index, dtype=pl.Int64))
        return _finished(frame.with_columns(pl.Series("_line", index, dtype=pl.Int64)), width, buf)


def _first_plain_record(data: bytes) -> tuple[list[str], int] | None:
    """The header and where it ends when the lines up to it hold no quote (each is then a record
    on its own); None when a quote or the block's end comes first."""
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        line = data[start : end + 1]
        if b'"' in line:
            return None
        record = next(csv.reader([line.decode()]), [])
        if any(c.strip() for c in record):
            return [h.strip() for h in record], end + 1
        start = end + 1
    return None


def _read_plain(buf: bytes, names: list[str]) -> pl.DataFrame:
    """Plain lines: no quoting, every cell as text ("" for an empty one)."""
    return pl.read_csv(
        io.BytesIO(buf), has_header=False, schema=dict.fromkeys(names, pl.String), quote_char=None,
        empty_string_is_null=False, raise_if_empty=False, truncate_ragged_lines=False,
    )  # fmt: skip


def _finished(frame: pl.DataFrame, width: int, buf: bytes) -> pl.DataFrame:
    """Plain rows as a batch: cells stripped (when one could need it), blank rows dropped."""
    names = cell_names(width)
    if _needs_strip(buf):
        frame = frame.with_columns(pl.col(n).str.strip_chars(WHITESPACE) for n in names)
    extra = ["_line"] if "_line" in frame.columns else []
    frame = frame.select(pl.lit(width, dtype=pl.Int32).alias("_cells"), pl.lit(False).alias("_extra"), *names, *extra)
    if frame.select((pl.col("c0") == "").any()).item():  # a blank row has a blank first cell
        frame = frame.filter(~pl.all_horizontal(pl.col(n) == "" for n in names))
    return frame


def _needs_strip(buf: bytes) -> bool:
    """Whether a cell of plain lines could start or end with whitespace (a space next to a comma or
    a line end, or any non-ASCII space anywhere): then every cell is stripped."""
    ascii_space = any(bytes((b,)) in buf for b in _ASCII_SPACES)
    wide = any(bytes((b,)) in buf for b in _WIDE_LEADS)
    if not ascii_space and not wide:  # (each a search at memory speed)
        return False
    t = _np()
    np = t.np
    a = np.frombuffer(buf + b"\0\0", dtype=np.uint8)  # two bytes past the end to look at
    leads = np.flatnonzero(t.wide_lead[a])
    if len(leads):
        two = a[leads].astype(np.int64) << 8 | a[leads + 1]
        if np.isin(two, t.wide_2).any() or np.isin(two << 8 | a[leads + 2], t.wide_3).any():
            return True
    a = a[:-2]
    spaces = np.flatnonzero(t.space[a])
    if not len(spaces):
        return False
    before = np.where(spaces > 0, t.bound[a[np.maximum(spaces - 1, 0)]], True)
    after = np.where(spaces < len(a) - 1, t.bound[a[np.minimum(spaces + 1, len(a) - 1)]], True)
    return bool((before | after).any())


class _Lines:
    """A block's lines: where each starts and ends (before its LF), its content without a final
    CR, and how many commas and quotes it holds."""

    def __init__(self, data: bytes):
        self.data = data
        np = _np().np
        a = self.bytes = np.frombuffer(data, dtype=np.uint8)
        lf = np.flatnonzero(a == _LF)
        starts = np.concatenate(([0], lf + 1))
        ends = np.concatenate((lf, [len(a)]))
        if starts[-1] == len(a):  # the block ends with a line feed: no line after it
            starts, ends = starts[:-1], ends[:-1]
        self.starts, self.ends, self.n = starts, ends, len(starts)
        with_cr = np.zeros(self.n, dtype=bool)
        nonempty = ends > starts
        with_cr[nonempty] = a[ends[nonempty] - 1] == _CR
        self.content = ends - starts - with_cr
        self.commas = _per_line(np.flatnonzero(a == _COMMA), starts, ends)
        self.quotes = _per_line(np.flatnonzero(a == _QUOTE), starts, ends)

    def record(self, i: int, final: bool) -> tuple[list[str] | None, int, bool]:
        """Python's csv reader from line i: (the record, lines it used, whether it runs past
        the block's end and the block is not the file's last)."""
        past_end = False

        def source():
            nonlocal past_end
            for j in range(i, self.n):
                yield self.data[int(self.starts[j]) : int(self.ends[j]) + 1].decode()
            past_end = True

        reader = csv.reader(source())
        try:
            record = next(reader)
        except StopIteration:
            return None, 1, False
        except csv.Error as exc:
            raise ReadError("format", str(exc)) from exc
        if past_end and not final:
            return None, 0, True
        return record, max(reader.line_num, 1), False


def _per_line(positions, starts, ends):
    np = _np().np
    if not len(positions):
        return np.zeros(len(starts), dtype=np.int64)
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)
