#!/usr/bin/env bash
# One command from a fresh Debian/Ubuntu host (as root) to a running StagDB server:
# installs the Python package, prepares the host (Docker engine, storage pool, engine images,
# metadata), prints an admin API key the first time, then serves the API.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e .

.venv/bin/stagdb setup
key=$(.venv/bin/stagdb keys create --name admin --if-none)
if [ -n "$key" ]; then
    echo "admin API key (shown once, store it now): $key"
fi
exec .venv/bin/stagdb serve "$@"
