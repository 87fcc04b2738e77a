#!/usr/bin/env bash
# Rewrite the lock files from pyproject.toml: exact versions and every file's sha256, so the
# README's install commands (pip --require-hashes) get the same bytes on every machine.
set -euo pipefail
cd "$(dirname "$0")/.."
common=(--quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links)
.venv/bin/pip-compile "${common[@]}" -o requirements/base.txt pyproject.toml
.venv/bin/pip-compile "${common[@]}" --extra test --extra lint -o requirements/test.txt pyproject.toml
# The test extra names the bench extra through the project itself; the project is installed from
# the work tree (pip install --no-deps -e .), so it is no requirement of the lock.
python3 - <<'PY'
from pathlib import Path

path = Path("requirements/test.txt")
lines = path.read_text().splitlines(keepends=True)
out, skip = [], 0
for i, line in enumerate(lines):
    if skip:
        skip -= 1
        continue
    if line.startswith("# WARNING: pip install will require the following package to be hashed."):
        skip = 3  # the hint, "rainforest @ file://...", its "# via" line
        continue
    out.append(line)
path.write_text("".join(out))
PY
