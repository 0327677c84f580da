"""The command line's own rules, without a server: the saved login and what overrides it,
the server commands when the server package is missing, and exit codes per error class."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from stagdb._client import Client
from stagdb.cli import exit_codes, server
from stagdb.cli.app import cli
from stagdb.cli.settings import Login, effective_login, save_login, saved_login


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("STAGDB_URL", raising=False)
    monkeypatch.delenv("STAGDB_API_KEY", raising=False)
    return tmp_path


def test_login_is_saved_private_and_overridden_by_the_environment(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_login(Login("http://stagdb.test:8080", 'sdb_"quoted"\\key'))
    assert path == config_home / "stagdb" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert saved_login() == Login("http://stagdb.test:8080", 'sdb_"quoted"\\key')
    monkeypatch.setenv("STAGDB_API_KEY", "sdb_env")
    assert effective_login() == Login("http://stagdb.test:8080", "sdb_env")
    assert effective_login(url="http://other:1").url == "http://other:1"


def test_an_unreadable_config_is_reported(config_home: Path) -> None:
    (config_home / "stagdb").mkdir()
    (config_home / "stagdb" / "config.toml").write_text("url = [unterminated")
    result = CliRunner().invoke(cli, ["db", "list"])
    assert result.exit_code == exit_codes.FAILURE
    assert "cannot read" in result.output


def test_server_commands_without_the_server_say_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "entry_points", lambda group: [])
    [serve, *_] = server.server_commands()
    result = CliRunner().invoke(serve, ["--port", "9000"])
    assert result.exit_code == exit_codes.FAILURE
    assert "StagDB server" in result.output and "pip install -e ." in result.output


@pytest.mark.parametrize(
    ("status", "code", "exit_code"),
    [
        (400, "VALIDATION_ERROR", 3),
        (404, "NOT_FOUND", 4),
        (401, "UNAUTHORIZED", 5),
        (409, "RESOURCE_BUSY", 6),
        (429, "RATE_LIMITED", 7),
        (507, "INSUFFICIENT_RESOURCES", 8),
        (500, "SERVER_ERROR", 9),
    ],
)
def test_each_error_class_has_its_exit_code(
    status: int, code: str, exit_code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"success": False, "error": {"code": code, "message": "no"}}
        return httpx.Response(status, json=body, headers={"Retry-After": "3600"})

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    original = Client.__init__

    def with_mock(self: Client, *args: object, **kwargs: object) -> None:
        kwargs["transport"] = httpx.MockTransport(handler)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Client, "__init__", with_mock)
    result = CliRunner().invoke(cli, ["--url", "http://stagdb.test", "db", "get", "x"])
    assert result.exit_code == exit_code, result.output
    assert code in result.output


def test_db_diff_prints_the_unified_diff_and_promote_sends_keep_branch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    side = {"type": "database", "id": "db-7f3k9m2p4q8r", "name": "my-app-db"}
    empty = {"added": [], "removed": [], "changed": []}
    text = "--- database my-app-db\n+++ database pr-7\n@@ -1 +1 @@\n-a [x]\n+b\n"
    diff = {"database": side, "against": side, "identical": False, "tables": empty,
            "indexes": empty, "constraints": empty, "views": empty, "functions": empty,
            "unified_diff": text}  # fmt: skip
    sent: list[tuple[str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((str(request.url), request.content))
        if request.method == "GET":
            return httpx.Response(200, json={"success": True, "data": diff, "message": "ok"})
        body = {"success": False, "error": {"code": "VALIDATION_ERROR", "message": "no"}}
        return httpx.Response(400, json=body)

    original = Client.__init__

    def with_mock(self: Client, *args: object, **kwargs: object) -> None:
        kwargs["transport"] = httpx.MockTransport(handler)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Client, "__init__", with_mock)
    base = ["--url", "http://stagdb.test", "--api-key", "sdb_k", "db"]
    shown = CliRunner().invoke(cli, [*base, "diff", "pr-7", "--against", "my-app-db"])
    assert shown.exit_code == 0, shown.output
    assert shown.output == text
    refused = CliRunner().invoke(cli, [*base, "promote", "my-app-db", "--keep-branch"])
    assert refused.exit_code == 3
    assert sent == [
        ("http://stagdb.test/v1/databases/pr-7/schema-diff?against=my-app-db", b""),
        ("http://stagdb.test/v1/databases/my-app-db/promote", b'{"keep_branch":true}'),
    ]
