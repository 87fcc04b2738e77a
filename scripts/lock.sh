#!/usr/bin/env bash
# Rewrite the lock files from pyproject.toml: exact versions and every file's sha256, so the
# README's install commands (pip --require-hashes) get the same bytes on every machine.
set -euo pipefail
cd "$(dirname "$0")/.."
common=(--quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links)
.venv/bin/pip-compile "${common[@]}" -o requirements/base.txt pyproject.toml
.venv/bin/pip-compile "${common[@]}" --extra test --extra lint -o requirements/test.txt pyproject.toml
