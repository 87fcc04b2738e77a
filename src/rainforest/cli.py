"""The ``rainforest`` command: every Django management command, plus the project's own."""

from __future__ import annotations

import os
import sys

# Commands that read files and print results, with no session, token or signature involved.
OFFLINE_COMMANDS = frozenset({"screen", "bench", "match"})
OFFLINE_SUBCOMMANDS = frozenset({("fund", "check")})


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "match" and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        # Files in, JSON lines out: no database or settings, so Django is not started (half a second).
        from rainforest.core.matching.command import main as match

        sys.exit(match(sys.argv[2:]))
    if command in ("demo", "demo_otp", "demo_advance"):
        os.environ.setdefault("RAINFOREST_DEMO", "1")
    if command in OFFLINE_COMMANDS or tuple(sys.argv[1:3]) in OFFLINE_SUBCOMMANDS:
        # These neither sign nor store anything: they may run where no SECRET_KEY is configured.
        os.environ.setdefault("RAINFOREST_EPHEMERAL_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainforest.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
