"""rainforest screen FILE [--as-of YYYY-MM-DD] [--tiers a,b] [--format jsonl|csv|xlsx] [-o OUT]

A stable contract for other tools: reads a canonical facts file and writes one record per
enterprise with each tier's verdict, score and criteria (before a tier's rules take effect, the
verdict ``not_in_force`` and ``in_force_from``; see rainforest.core.policy.screen). Exit 0 on
success; a bad file exits 1 with every problem listed on standard error.
"""

import csv
import datetime as dt
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rainforest.core.facts.reader import ReadError, read_table
from rainforest.core.facts.validate import Problem, validate_rows
from rainforest.core.facts.writer import defuse
from rainforest.core.policy.batch import frame_from_rows
from rainforest.core.policy.screen import flat_row, screen, to_jsonl
from rainforest.policy.rules import current_ruleset
from rainforest.registry.problems import problem_message, shown


class Command(BaseCommand):
    help = "Screen a facts file (CSV or XLSX) for every tier; one record per enterprise."
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
        rows = self._rows(path)
        items = screen(ruleset, frame_from_rows(rows), when, wanted)
        self._write(items, fmt, out)

    def _rows(self, path: Path) -> list[dict]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
        try:
            sheet = read_table(data, path.name)
        except ReadError as exc:
            self._refuse([Problem(0, "", "", f"file_{exc.code}")])
        result = validate_rows(sheet.header, sheet.rows, timezone.localdate())
        if not result.ok:
            self._refuse(result.problems)
        return result.rows

    def _refuse(self, problems):
        for p in problems:
            self.stderr.write(f"row {p.row or '-'}\t{p.column or '-'}\t{shown(p.value)}\t{problem_message(p)}")
        raise CommandError(f"{len(problems)} problem(s) in the file; nothing screened.")

    def _write(self, items, fmt: str, out: str | None) -> None:
        if fmt == "jsonl":
            if out:
                with open(out, "w", encoding="utf-8") as stream:
                    stream.writelines(to_jsonl(items))
            else:
                for line in to_jsonl(items):
                    self.stdout.write(line, ending="")
            return
        rows = [flat_row(item) for item in items]
        header = list(rows[0]) if rows else ["uscc", "name", "fiscal_year"]
        if fmt == "csv":
            buf = io.StringIO(newline="")
            writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: defuse(str(v)) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
            if out:
                Path(out).write_text(buf.getvalue(), encoding="utf-8-sig")
            else:
                self.stdout.write(buf.getvalue(), ending="")
            return
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        ws = book.create_sheet("screening")
        ws.append(header)
        for r in rows:
            ws.append([defuse(str(v)) if isinstance(v, str) else v for v in (r.get(h) for h in header)])
        book.save(out)
