"""rainforest screen FILE [--as-of YYYY-MM-DD] [--tiers a,b] [--format jsonl|csv|xlsx] [-o OUT]

A stable contract for other tools: reads a canonical facts file and writes one record per
enterprise with each tier's verdict, score and criteria (before a tier's rules take effect, the
verdict ``not_in_force`` and ``in_force_from``; see rainforest.core.policy.screen). Exit 0 on
success; a bad file exits 1 with every problem listed on standard error.

A file of any size streams (rainforest.core.policy.screen.FileScreen): it is read and validated
in blocks, its typed rows kept on disk past 250,000 rows, and evaluated 100,000 rows of
enterprises at a time, in code order. Memory: about 0.5-0.6 GiB, plus about 45 bytes a row for the
codes and years the duplicate check has seen. The problems of a bad file wait in a temporary file
until the whole file is read, so that a file-level refusal found late still replaces them, as it
did when the file was read whole.
"""

import codecs
import csv
import datetime as dt
import io
import os
import tempfile
from itertools import batched
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rainforest.core.facts.reader import ReadError
from rainforest.core.facts.validate import Problem
from rainforest.core.policy.screen import FileScreen, RecordText
from rainforest.policy.rules import current_ruleset
from rainforest.registry.problems import problem_message, shown

PROBLEMS_IN_MEMORY = 4 << 20  # bytes of problem lines held before they go to a temporary file
CSV_ROWS = 10_000


class Command(BaseCommand):
    help = (
        "Screen a facts file (CSV or XLSX) for every tier; one record per enterprise. A file of any size streams: "
        "peak memory about 0.5-0.6 GiB, plus about 45 bytes a row for the duplicate check (1 GiB near 10 million "
        "rows); typed rows past 250,000 wait in a temporary folder (about 300 bytes a row)."
    )
    # Reads a file and prints: the project's system checks (the whole URL tree) are not its business.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--tiers", help="comma-separated tier ids (default all)")
        parser.add_argument("--format", dest="fmt", choices=("jsonl", "csv", "xlsx"), default="jsonl")
        parser.add_argument("-o", dest="out", help="output file (default standard output; xlsx needs -o)")

    def handle(self, *args, file, as_of, tiers, fmt, out, **options):
        ruleset = current_ruleset()
        try:
            when = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of must be YYYY-MM-DD, not {as_of!r}") from exc
        wanted = [t.strip() for t in tiers.split(",")] if tiers else list(ruleset.tiers)
        unknown = [t for t in wanted if t not in ruleset.tiers]
        if unknown:
            raise CommandError(f"unknown tier(s) {', '.join(unknown)}; known: {', '.join(ruleset.tiers)}")
        if fmt == "xlsx" and not out:
            raise CommandError("--format xlsx needs -o OUT")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            try:
                run = FileScreen(path, timezone.localdate())
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
            with run:
                self._validate(run, path)
                text = RecordText(ruleset, wanted, when)
                getattr(self, f"_write_{fmt}")(text, run.results(ruleset, when, wanted), out)
        except ReadError as exc:
            self._refuse([Problem(0, "", "", f"file_{exc.code}")])

    def _validate(self, run: FileScreen, path: Path) -> None:
        if run.header_problems:
            run.read_to_end()  # a file the csv module cannot read further on is refused as that
            self._refuse(run.header_problems)
        count = 0
        with tempfile.SpooledTemporaryFile(PROBLEMS_IN_MEMORY, mode="w+", encoding="utf-8") as lines:
            try:
                for problems in run.problems():
                    for p in problems:
                        lines.write(self._line(p) + "\n")
                    count += len(problems)
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
            if count:
                lines.seek(0)
                for line in lines:
                    self.stderr.write(line[:-1])
                raise CommandError(f"{count} problem(s) in the file; nothing screened.")

    def _line(self, p: Problem) -> str:
        return f"row {p.row or '-'}\t{p.column or '-'}\t{shown(p.value)}\t{problem_message(p)}"

    def _refuse(self, problems):
        for p in problems:
            self.stderr.write(self._line(p))
        raise CommandError(f"{len(problems)} problem(s) in the file; nothing screened.")

    def _write_jsonl(self, text: RecordText, results, out: str | None) -> None:
        if out:
            with open(out, "wb") as stream:
                for result in results:
                    text.write_jsonl(result, stream)
            return
        stdout = self.stdout._out
        buffer = getattr(stdout, "buffer", None)
        encoding = getattr(stdout, "encoding", None) or ""
        if buffer is not None and os.linesep == "\n" and encoding and codecs.lookup(encoding).name == "utf-8":
            # the bytes the text stream would write for these lines, without decoding them first
            stdout.flush()
            for result in results:
                text.write_jsonl(result, buffer)
            buffer.flush()
            return
        for result in results:
            data = io.BytesIO()
            text.write_jsonl(result, data)
            self.stdout.write(data.getvalue().decode(), ending="")

    def _write_csv(self, text: RecordText, results, out: str | None) -> None:
        # The old writer's bytes: csv.DictWriter, "\n" line ends; a file in UTF-8 with BOM.
        stream = open(out, "w", encoding="utf-8-sig") if out else None  # noqa: SIM115 - closed below
        try:
            for rows in batched(text.table(results), CSV_ROWS):
                buf = io.StringIO(newline="")
                csv.writer(buf, lineterminator="\n").writerows(rows)
                if stream:
                    stream.write(buf.getvalue())
                else:
                    self.stdout.write(buf.getvalue(), ending="")
        finally:
            if stream:
                stream.close()

    def _write_xlsx(self, text: RecordText, results, out: str) -> None:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        ws = book.create_sheet("screening")
        for row in text.table(results):
            ws.append(row)
        book.save(out)
