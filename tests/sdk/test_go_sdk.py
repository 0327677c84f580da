"""The Go SDK (sdk/go): `go vet` and its own suite, `go test`, against a live server.

The suite runs unit tests against a local stub and live tests that create real PostgreSQL
databases, snapshot and branch them, and check errors, retries and a verified webhook."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, Server
from tests.sdk.live_suite import run_suite

GO_SDK = REPO / "sdk" / "go"

pytestmark = pytest.mark.docker


def test_go_sdk_suite_passes_against_a_live_server(sdk_server: Server) -> None:
    run = run_suite(
        [
            ["gofmt", "-l", "."],
            ["go", "vet", "./..."],
            ["go", "test", "-count=1", "-v", "./..."],
        ],
        GO_SDK,
        sdk_server,
    )
    assert run.failed is None, run.report()
    unformatted = run.output.split("$ go vet")[0].splitlines()[1:]
    assert unformatted == [], f"gofmt would change: {unformatted}"
    assert "--- FAIL" not in run.output, run.report()
