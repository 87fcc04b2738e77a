"""rainforest demo: migrate the SQLite file under ./var/, load the demo city, print the
demo accounts and serve http://127.0.0.1:8000, with a job worker beside the server (notices, mail
to the console, reminders, calls closing at their deadline, audit sealing, exports)."""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rainforest.demo import guard, loader


class Command(BaseCommand):
    help = "Build the demo city (deterministic from --seed) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--enterprises", type=int, default=2400)
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="load and print, then stop")

    def handle(self, *args, seed, enterprises, addrport, no_serve, **options):
        if not settings.DEMO:
            raise CommandError("The demo runs only in demo mode (RAINFOREST_DEMO=1).")
        if not guard.may_migrate():
            raise CommandError(guard.NOT_A_DEMO)
        call_command("migrate", interactive=False, verbosity=0)
        if guard.is_demo() and loader.is_loaded():
            self.stdout.write("The demo city is already loaded.")
            accounts = loader.accounts_summary(seed)
        elif guard.is_empty():
            self.stdout.write(f"Building the demo city (seed {seed}, {enterprises} enterprises)…")
            with transaction.atomic():
                guard.mark(seed)
                accounts = loader.load(seed=seed, enterprises=enterprises)
            # Index the exchange once now, so the first search of the demo does not wait for it.
            from rainforest.matching.engine import Engine

            Engine().save()
        else:
            raise CommandError(guard.NOT_A_DEMO)
        self._print(accounts)
        if not no_serve:
            worker = subprocess.Popen([sys.executable, "-m", "rainforest", "worker"])
            try:
                # Static files from the source folders, as with DEBUG, but without its debug pages.
                call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
            finally:
                worker.terminate()  # SIGTERM: the worker finishes the job in hand, then stops
                worker.wait(timeout=60)

    def _print(self, accounts):
        w = self.stdout.write
        w("")
        w(f"Demo accounts (password for all: {loader.DEMO_PASSWORD})")
        w(f"{'user':<13} {'role':<20} organisation / TOTP key")
        for a in accounts:
            w(f"{a.username:<13} {a.role:<20} {a.organisation}")
            if a.totp_key:
                w(f"{'':<34} TOTP key {a.totp_key}  (or: rainforest demo_otp {a.username})")
        w("")
        w("Officers, fund managers, experts and administrators need a six-digit code after the")
        w("password: add the key to an authenticator app, or print the current code with")
        w("`rainforest demo_otp USER` in another terminal.")
        w("")
