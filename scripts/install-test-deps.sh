#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian/Ubuntu host (as root): the Docker
# engine, the storage tools, Chromium for the browser tests, the MariaDB server binaries the
# mariadb image is built from, nftables for kernel forwarding, the Go toolchain and psql for the SDK suites, the JavaScript
# SDK's development packages (npm ci, from its package-lock.json), and the Python package
# with its test extras in .venv, exactly as requirements.lock pins them.
# Quick when everything is there already; README's test command and .ci/run both use it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v dockerd >/dev/null || packages+=(docker.io)
command -v mkfs.btrfs >/dev/null || packages+=(btrfs-progs)
command -v mkfs.xfs >/dev/null || packages+=(xfsprogs)
command -v zfs-fuse >/dev/null || packages+=(zfs-fuse)
command -v chromium >/dev/null || packages+=(chromium)
command -v mariadbd >/dev/null || packages+=(mariadb-server)
command -v go >/dev/null || packages+=(golang-go)
command -v psql >/dev/null || packages+=(postgresql-client)
command -v nft >/dev/null || packages+=(nftables)
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
if [ ${#packages[@]} -gt 0 ]; then
    # Packages must not start services (mariadb-server would leave a server on port 3306):
    # a policy-rc.d that denies every start is put in place for the install when none is.
    policy=/usr/sbin/policy-rc.d
    added_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    [ -z "$added_policy" ] || rm -f "$policy"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# Every package at the version and hash requirements.lock pins (README "Reproducible
# installs" says how to refresh it), then the server and the SDK themselves, adding nothing.
.venv/bin/pip install -q --require-hashes -r requirements.lock
.venv/bin/pip install -q --no-deps -e . -e sdk/python
(cd sdk/js && npm ci --no-audit --no-fund --loglevel=error)
