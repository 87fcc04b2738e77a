"""rainforest match: see rainforest.core.matching.command (the entry point runs it without Django;
this command is the same, for manage.py and call_command)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rainforest.core.matching.command import CommandProblem, add_arguments, reader_gone, run


class Command(BaseCommand):
    help = "Rank capabilities for scenarios (CSV files with id,title,description[,domain]); JSON lines out."
    # Reads a file and prints: the project's system checks (the whole URL tree) are not its business.
    requires_system_checks = []

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, scenarios, capabilities, top, mode, **options):
        try:
            run(
                scenarios=scenarios,
                capabilities=capabilities,
                top=top,
                mode=mode,
                out=self.stdout.write,
                err=self.stderr.write,
                encoder=settings.MATCH_ENCODER,
            )
            self.stdout.flush()
        except CommandProblem as problem:
            raise CommandError(str(problem)) from problem
        except BrokenPipeError:
            reader_gone()
