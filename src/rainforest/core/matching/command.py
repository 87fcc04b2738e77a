"""rainforest match --scenarios S.csv --capabilities C.csv [--top 20] [--mode M] [--format jsonl]

Ranks the capabilities for every scenario and prints one JSON line per scenario:
``{"scenario": id, "results": [{"capability": id, "score": s, "reasons": [...]}]}``.
A scenario's optional ``domain`` is a soft preference (capabilities of that domain score higher,
except for a catch-all domain such as ``other``), never a filter. The dense encoder is fitted once,
on both files and the shipped in-domain texts (core/matching/background.py); another encoder
can be named with RAINFOREST_MATCH_ENCODER (e.g. ``sentence-transformers:/models/bge-small-zh``).
An encoder that cannot run is reported once on stderr and the ranking falls back to lexical.

It needs no database and no settings, so the ``rainforest`` entry point runs it without starting
Django (about half a second of a small run); the management command of the same name calls it too.
"""

from __future__ import annotations

import argparse
import json
import os

from rainforest.core.matching.documents import Mode
from rainforest.core.matching.index import DEFAULT_MODE, MatchIndex
from rainforest.core.matching.items import ItemsError, read_items


class CommandProblem(Exception):
    """Bad arguments or unreadable files: the message is for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenarios", required=True)
    parser.add_argument("--capabilities", required=True)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--mode", choices=[m.value for m in Mode], default=DEFAULT_MODE.value)
    parser.add_argument("--format", choices=["jsonl"], default="jsonl")


def encoder_setting() -> str:
    return os.environ.get("RAINFOREST_MATCH_ENCODER", "lsa")


def run(*, scenarios: str, capabilities: str, top: int, mode: str, out, err, encoder: str) -> None:
    """Write the JSON lines to ``out`` (a callable taking one line); raises CommandProblem."""
    if top < 1:
        raise CommandProblem("--top must be at least 1")
    try:
        wanted = read_items(scenarios)
        offered = read_items(capabilities)
    except ItemsError as problem:
        raise CommandProblem(str(problem)) from problem
    index = MatchIndex(encoder=encoder if mode != "lexical" else None)
    if index.encoder_problem is not None:
        err(f"dense encoder unavailable ({index.encoder_problem}); ranking lexically")
    index.rebuild(offered, extra_texts=[d.text for d in wanted] if mode != "lexical" else ())
    warned = index.encoder_problem is not None
    for scenario in wanted:
        answer = index.search(scenario.text, top=top, mode=mode, boosts=index.weights.boosts_for(scenario.domains))
        if answer.mode.value != mode and not warned:
            err("dense ranking unavailable for these files; ranking lexically")
            warned = True
        results = [{"capability": h.id, "score": h.score, "reasons": [str(r) for r in h.reasons]} for h in answer.hits]
        out(json.dumps({"scenario": scenario.id, "results": results}, ensure_ascii=False))


def main(argv: list[str]) -> int:
    """The entry point's fast path: the same arguments, output and errors as the management command."""
    import sys

    parser = argparse.ArgumentParser(
        prog="rainforest match",
        description="Rank capabilities for scenarios (CSV files with id,title,description[,domain]); JSON lines out.",
    )
    add_arguments(parser)
    options = parser.parse_args(argv)
    try:
        run(
            scenarios=options.scenarios,
            capabilities=options.capabilities,
            top=options.top,
            mode=options.mode,
            out=lambda line: sys.stdout.write(line + "\n"),
            err=lambda line: sys.stderr.write(line + "\n"),
            encoder=encoder_setting(),
        )
        sys.stdout.flush()  # a reader gone before a small output's only flush is caught here too
    except CommandProblem as problem:
        sys.stderr.write(f"CommandError: {problem}\n")
        return 1
    except BrokenPipeError:
        reader_gone()
    return 0


def reader_gone() -> None:
    """The reader stopped early (`| head`): not an error of ours. Python would still flush the
    closed stdout at exit and complain, so point it at nothing."""
    import sys

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
