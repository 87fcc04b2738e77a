"""rainforest registry import FILE | export FILE"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rainforest.accounts.permissions import Principal
from rainforest.registry import services
from rainforest.registry.problems import problem_message, shown


class Command(BaseCommand):
    help = "Import or export enterprise facts in the canonical schema (CSV or XLSX)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="validate every row, then import all or nothing")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="write the whole registry; .xlsx or .csv by name")
        exp.add_argument("file")

    def handle(self, *args, action, file, **options):
        actor = Principal.system(f"cli:{getpass.getuser()}")
        path = Path(file)
        if action == "export":
            fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
            path.write_bytes(services.facts_export(actor=actor, fmt=fmt))
            self.stdout.write(f"Exported to {path}.")
            return
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
        try:
            report = services.facts_import(actor=actor, data=data, filename=path.name)
        except services.ImportRefused as exc:
            for p in exc.problems:
                self.stderr.write(f"row {p.row or '-'}\t{p.column or '-'}\t{shown(p.value)}\t"
                                  f"{problem_message(p)}")  # fmt: skip
            raise CommandError(f"Nothing imported: {len(exc.problems)} problem(s).") from exc
        self.stdout.write(
            f"Imported {report.rows} rows: enterprises {report.enterprises_created} new, "
            f"{report.enterprises_updated} updated; years {report.facts_created} new, "
            f"{report.facts_updated} updated, {report.facts_unchanged} unchanged."
        )
