"""Bad input gets a clear error in the seed's envelope: never a 500, never internals."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server

LEAK_MARKERS = ("Traceback", "tortoise", "docker", "sqlite", "asyncpg", 'File "')


def assert_error(response: httpx.Response, status: int, code: str, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert fragment in body["error"]["message"]
    assert not any(marker in response.text for marker in LEAK_MARKERS), response.text


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"name": "x1", "type": "oracle"}, "Invalid database type specified"),
        ({"name": "x1", "type": "postgresql", "version": "9"}, "available versions are 15"),
        ({"name": "x1", "type": "postgresql", "version": True}, "version must be a string"),
        ({"name": "a" * 64, "type": "postgresql"}, "1 to 63 characters"),
        ({"name": "My_DB", "type": "postgresql"}, "lowercase letters, digits and hyphens"),
        ({"name": "-db", "type": "postgresql"}, "starting with a letter"),
        ({"name": 12, "type": "postgresql"}, "must be a string"),
        ({"name": "db-0123456789ab", "type": "postgresql"}, "form of an id"),
        ({"type": "postgresql"}, "Missing required field(s): name"),
        ({"name": "x1"}, "Missing required field(s): type"),
        ({"name": "x1", "type": "postgresql", "colour": "red"}, "Unknown field(s): colour"),
        ({"name": "x1", "type": "postgresql", "resources": {"memory": "lots"}}, "Invalid memory"),
        ({"name": "x1", "type": "postgresql", "resources": {"cpus": -1}}, "cpus must be between"),
        ({"name": "x1", "type": "postgresql", "description": 5}, "description must be a string"),
    ],
)
def test_create_rejects_bad_bodies(api: httpx.Client, payload: dict, fragment: str) -> None:
    assert_error(api.post("/databases", json=payload), 400, "VALIDATION_ERROR", fragment)
    assert api.get("/databases").json()["pagination"]["total"] == 0


def test_malformed_json_and_wrong_content_type(api: httpx.Client) -> None:
    json_header = {"Content-Type": "application/json"}
    assert_error(
        api.post("/databases", content=b"{not json", headers=json_header),
        400, "VALIDATION_ERROR", "not valid JSON",
    )  # fmt: skip
    assert_error(
        api.post("/databases", content=b"[1, 2]", headers=json_header),
        400, "VALIDATION_ERROR", "must be a JSON object",
    )  # fmt: skip
    huge = b'{"name": "x1", "type": "postgresql", "resources": {"cpus": 1' + b"0" * 5000 + b"}}"
    assert_error(
        api.post("/databases", content=huge, headers=json_header),
        400, "VALIDATION_ERROR", "at most 30 digits",
    )  # fmt: skip
    assert_error(
        api.post("/databases", content=b'{"name": "x1", "type": NaN}', headers=json_header),
        400, "VALIDATION_ERROR", "NaN is not a JSON number",
    )  # fmt: skip
    assert_error(
        api.post("/databases", content=b"name=x", headers={"Content-Type": "text/plain"}),
        400, "VALIDATION_ERROR", "Content-Type must be application/json",
    )  # fmt: skip


def test_missing_or_wrong_key_is_unauthorized(server: Server) -> None:
    anonymous = httpx.get(f"{server.base_url}/databases")
    assert_error(anonymous, 401, "UNAUTHORIZED", "Missing API key")
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    wrong = httpx.get(f"{server.base_url}/databases", headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 401, "UNAUTHORIZED", "Invalid API key")
    basic = httpx.get(f"{server.base_url}/databases", headers={"Authorization": "Basic eDp5"})
    assert_error(basic, 401, "UNAUTHORIZED", "Bearer")


def test_unknown_database_is_not_found_everywhere(api: httpx.Client) -> None:
    for method, path in [
        ("GET", "/databases/nope"),
        ("DELETE", "/databases/db-000000000000"),
        ("POST", "/databases/nope/start"),
        ("POST", "/databases/nope/stop"),
    ]:
        assert_error(api.request(method, path), 404, "NOT_FOUND", "not found")
    assert_error(api.put("/databases/nope", json={"description": "x"}), 404, "NOT_FOUND")
    assert_error(api.get("/no-such-route"), 404, "NOT_FOUND", "No route")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"page": 0}, "page must be between 1"),
        ({"page": "two"}, "page must be an integer"),
        ({"limit": 0}, "limit must be between 1 and 100"),
        ({"limit": 101}, "limit must be between 1 and 100"),
        ({"status": "sleeping"}, "status must be one of"),
        ({"type": "oracle"}, "Invalid database type specified"),
    ],
)
def test_list_rejects_bad_query(api: httpx.Client, params: dict, fragment: str) -> None:
    assert_error(api.get("/databases", params=params), 400, "VALIDATION_ERROR", fragment)


def test_duplicate_names_and_immutable_fields(api: httpx.Client) -> None:
    for name in ("taken", "other"):
        assert api.post("/databases", json={"name": name, "type": "postgresql"}).status_code == 201
    try:
        assert_error(
            api.post("/databases", json={"name": "taken", "type": "postgresql"}),
            400, "VALIDATION_ERROR", "already exists",
        )  # fmt: skip
        assert_error(api.put("/databases/other", json={"name": "taken"}), 400, "VALIDATION_ERROR",
                     "already exists")  # fmt: skip
        assert_error(api.put("/databases/other", json={"type": "mysql"}), 400, "VALIDATION_ERROR",
                     "type of a database cannot be changed")  # fmt: skip
        assert_error(api.put("/databases/other", json={"version": "16"}), 400, "VALIDATION_ERROR",
                     "version of a database cannot be changed")  # fmt: skip
        unchanged = api.put("/databases/other", json={"type": "postgresql", "version": "15"})
        assert unchanged.status_code == 200
        assert api.get("/databases").json()["pagination"]["total"] == 2
    finally:
        api.delete("/databases/taken")
        api.delete("/databases/other")
