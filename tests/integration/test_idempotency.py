"""Idempotency keys through HTTP on a real server (both metadata backends): replays with
`Idempotent-Replayed: true` that make nothing new, another request under a used key, a key
whose first call is still running, invalid keys, keys per API key, and POSTs only."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.conftest import Server
from tests.openapi_contract import assert_response_matches

pytestmark = pytest.mark.docker


def count_databases(api: httpx.Client) -> int:
    return int(api.get("/databases").json()["pagination"]["total"])


def test_a_repeated_create_is_answered_from_the_first(api: httpx.Client) -> None:
    body = {"name": "idem-db", "type": "postgresql"}
    key = {"Idempotency-Key": "create-idem-db-1"}
    first = api.post("/databases", json=body, headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = api.post("/databases", json=body, headers=key)
    assert_response_matches("POST", "/databases", again)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert count_databases(api) == 1

    other_body = api.post("/databases", json=body | {"name": "idem-other"}, headers=key)
    assert_response_matches("POST", "/databases", other_body)
    assert other_body.status_code == 400
    assert other_body.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "already used for another request" in other_body.json()["error"]["message"]
    other_path = api.post("/databases/idem-db/stop", headers=key)
    assert other_path.status_code == 400
    assert count_databases(api) == 1
    assert api.delete("/databases/idem-db").status_code == 200


def test_errors_below_500_are_kept_too(api: httpx.Client) -> None:
    key = {"Idempotency-Key": "bad-type-1"}
    body = {"name": "idem-bad", "type": "oracle"}
    first = api.post("/databases", json=body, headers=key)
    again = api.post("/databases", json=body, headers=key)
    assert first.status_code == again.status_code == 400
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == first.content


def test_a_key_whose_first_call_runs_is_busy(api: httpx.Client, server: Server) -> None:
    body = {"name": "idem-slow", "type": "postgresql"}
    key = {"Idempotency-Key": "slow-create-1"}
    answers: list[httpx.Response] = []

    def first_call() -> None:
        with server.client as own:
            answers.append(own.post("/databases", json=body, headers=key))

    caller = threading.Thread(target=first_call)
    caller.start()
    busy = None
    while caller.is_alive():
        # Once the first call has made its database (still `creating`), it is in progress.
        seen = api.get("/databases/idem-slow")
        if seen.status_code == 200 and seen.json()["data"]["status"] == "creating":
            attempt = api.post("/databases", json=body, headers=key)
            if attempt.status_code == 409:
                busy = attempt
                break
        time.sleep(0.005)
    caller.join()
    assert busy is not None, "the second call never met the first one running"
    assert_response_matches("POST", "/databases", busy)
    assert busy.json()["error"]["code"] == "RESOURCE_BUSY"
    assert "still in progress" in busy.json()["error"]["message"]
    assert answers[0].status_code == 201
    replay = api.post("/databases", json=body, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.status_code == 201
    assert api.delete("/databases/idem-slow").status_code == 200


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9"])
def test_invalid_keys_are_refused(server: Server, key: str) -> None:
    with server.client as api:
        response = api.post(
            "/webhooks",
            json={"url": "http://127.0.0.1:9/x", "events": ["*"]},
            headers={"Idempotency-Key": key.encode()},  # bytes: httpx sends them as they are
        )
    assert_response_matches("POST", "/webhooks", response)
    assert response.status_code == 400
    assert "printable ASCII" in response.json()["error"]["message"]


def test_keys_belong_to_one_api_key_and_only_posts_use_them(
    api: httpx.Client, server: Server
) -> None:
    other_key = server.cli("keys", "create", "--name", "idempotency-other").stdout.strip()
    body = {"url": "http://127.0.0.1:9/x", "events": ["database.created"]}
    header = {"Idempotency-Key": "shared-name"}
    mine = api.post("/webhooks", json=body, headers=header)
    theirs = httpx.post(
        f"{server.base_url}/webhooks",
        json=body,
        headers=header | {"Authorization": f"Bearer {other_key}"},
    )
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]
    listed = api.get("/webhooks", headers=header)
    assert listed.status_code == 200 and "Idempotent-Replayed" not in listed.headers
    for hook in listed.json()["data"]:
        assert api.delete(f"/webhooks/{hook['id']}", headers=header).status_code == 200
