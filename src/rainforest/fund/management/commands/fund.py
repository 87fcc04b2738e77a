"""rainforest fund check DEAL.json — the compliance report of one deal, as JSON on stdout.

Exit 0 whether or not the deal complies; non-zero only for a file that cannot be checked (every
reason on stderr). See rainforest.core.captable.deal for the file's shape.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rainforest.core.captable.deal import DealError, check
from rainforest.fund.company import CompanyFactsInvalid, company_criteria

MAX_BYTES = 5 * 2**20


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


class Command(BaseCommand):
    help = "The Seedling fund. `fund check DEAL.json`: a deal's compliance report (JSON)."
    # Reads a file and prints: the project's system checks (the whole URL tree) are not its business.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check_parser = sub.add_parser("check", help="compliance report of one deal")
        check_parser.add_argument("deal")

    def handle(self, *args, action, deal, **options):
        path = Path(deal)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
        if len(raw) > MAX_BYTES:
            raise CommandError(f"{path}: larger than {MAX_BYTES // 2**20} MiB; a deal is a few KiB")
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except RecursionError as exc:
            raise CommandError(f"{path}: not a JSON file we can read (nested too deeply)") from exc
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, or an integer of 4,300+ digits
            raise CommandError(f"{path}: not a JSON file ({exc})") from exc
        try:
            report = check(data, company_criteria)
        except (DealError, CompanyFactsInvalid) as problem:
            for line in problem.problems:
                self.stderr.write(line)
            raise CommandError(f"{len(problem.problems)} problem(s) in {path}; nothing checked.") from problem
        self.stdout.write(json.dumps(_plain(report), ensure_ascii=False, indent=1))
