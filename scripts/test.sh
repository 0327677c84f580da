#!/usr/bin/env bash
# README's test command: installs what the suite needs (scripts/install-test-deps.sh), then
# runs it. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
exec .venv/bin/python -m pytest "$@"
