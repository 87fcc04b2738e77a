"""`rainforest screen` is an interface other tools depend on: for the same input, the same bytes.

screen_contract/ holds fixture inputs and what the command printed, wrote and exited with for each
of them before it streamed (captured with the command at commit cd6d7fd, see screen_contract/README.md):
good files in every format and encoding, every validation problem, file-level refusals and
argument errors. Each case runs again here and must match byte for byte (an XLSX output by its
cells: the workbook's own timestamps differ between runs). "Today" appears in two problem
messages, so the expectations hold it as {TODAY} and {YEAR}.
"""

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from rainforest.policy.management.commands.screen import Command

CONTRACT = Path(__file__).parent / "screen_contract"
CASES = json.loads((CONTRACT / "cases.json").read_text())


def _huge_field_file(folder: Path) -> None:
    """A row with a 140,000-character cell: more than Python's csv field limit, a format refusal."""
    header, first = (CONTRACT / "inputs" / "good.csv").read_text().splitlines()[:2]
    cells = first.split(",")
    cells[1] = "长" * 140_000
    (folder / "huge_field.csv").write_text(f"{header}\n{','.join(cells)}\n")


def _inputs(folder: Path) -> None:
    for f in (CONTRACT / "inputs").iterdir():
        shutil.copy(f, folder)
    _huge_field_file(folder)


def _expected(name: str, suffix: str) -> bytes:
    data = (CONTRACT / "expected" / f"{name}.{suffix}").read_bytes()
    if suffix == "stderr":
        today = timezone.localdate()
        data = data.replace(b"{TODAY}", today.isoformat().encode()).replace(b"{YEAR}", str(today.year).encode())
    return data


def run_screen(argv: list[str]) -> tuple[int, bytes, bytes]:
    """The command as the console script runs it (exit status, standard output, standard error),
    in this process: argument parsing, CommandError printed as `CommandError: ...`, exit 1."""
    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err)
    code = 0
    with translation.override(settings.LANGUAGE_CODE):
        try:
            command.run_from_argv(["rainforest", "screen", *argv])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue().encode(), err.getvalue().encode()


def check_case(name: str, folder: Path) -> None:
    case = CASES[name]
    code, out, err = run_screen(case["argv"])
    assert (code, err) == (case["rc"], _expected(name, "stderr"))
    assert out == _expected(name, "stdout")
    if case.get("out") == "bytes":
        assert (folder / case["argv"][case["argv"].index("-o") + 1]).read_bytes() == _expected(name, "out")
    elif case.get("out") == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(folder / case["argv"][case["argv"].index("-o") + 1]).worksheets[0]
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert json.loads(json.dumps(cells, default=str)) == json.loads(_expected(name, "out.json"))


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    _inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


IN_PROCESS = [n for n in CASES if n != "bad_format_choice"]  # argparse prints its usage with the program's name


@pytest.mark.parametrize("name", IN_PROCESS)
def test_the_same_bytes_as_before(name, inputs):
    check_case(name, inputs)


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Every boundary the streaming has, a few rows apart: blocks of 64 bytes (lines and quoted
    cells cut across them), batches of 2 rows where Python's reader reads, rows on disk past the
    third and evaluated 3 at a time, JSON written 2 records at a time."""
    from rainforest.core.facts import stream
    from rainforest.core.policy import screen

    monkeypatch.setattr(stream, "BLOCK_BYTES", 64)
    monkeypatch.setattr(stream, "EXACT_BATCH", 2)
    monkeypatch.setattr(screen, "KEEP_ROWS", 3)
    monkeypatch.setattr(screen, "SLICE_ROWS", 3)
    monkeypatch.setattr(screen, "JSON_BLOCK", 2)


SMALL_PIECES = ("good", "bad", "bom", "lone", "gb", "few", "xlsx_in", "header", "unbalanced")


@pytest.mark.parametrize("name", [n for n in IN_PROCESS if n.startswith(SMALL_PIECES)])
def test_the_same_bytes_read_in_small_pieces(name, inputs, tiny_pieces):
    check_case(name, inputs)


@pytest.mark.parametrize("name", ["good_jsonl", "bad_rows", "bad_format_choice"])
def test_the_console_script_prints_the_same_bytes(name, inputs):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["RAINFOREST_VAR_DIR"] = str(inputs / "var")
    case = CASES[name]
    result = subprocess.run([sys.executable, "-m", "rainforest", "screen", *case["argv"]], cwd=inputs,
                            capture_output=True, env=env)  # fmt: skip
    assert (result.returncode, result.stderr) == (case["rc"], _expected(name, "stderr"))
    assert result.stdout == _expected(name, "stdout")
