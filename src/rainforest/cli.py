"""The ``rainforest`` command: every Django management command, plus the project's own."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("demo", "demo_otp", "demo_advance"):
        os.environ.setdefault("RAINFOREST_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainforest.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
