"""The JavaScript/TypeScript SDK (sdk/js): its own suite, `npm test`, against a live server.

`npm test` type-checks, lints, builds, checks the generated types against openapi.yaml and
the `npm pack` tarball in a fresh project, and runs the unit and live tests (real
PostgreSQL databases, snapshots, branches, errors, retries, a verified webhook delivery)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, Server
from tests.sdk.live_suite import run_suite

JS_SDK = REPO / "sdk" / "js"

pytestmark = pytest.mark.docker


def test_js_sdk_suite_passes_against_a_live_server(sdk_server: Server) -> None:
    assert (JS_SDK / "node_modules").is_dir(), (
        "sdk/js has no node_modules: run scripts/install-test-deps.sh (npm ci in sdk/js)"
    )
    run = run_suite([["npm", "test"]], JS_SDK, sdk_server)
    assert run.failed is None, run.report()
    assert "# fail 0" in run.output, run.report()
