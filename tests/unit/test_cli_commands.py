"""The bridge between the one `stagdb` command line and the server's own (app.cli_commands):
server commands hand their arguments to app.cli untouched, and without the SDK the server's
`stagdb` script is app.cli itself."""

from __future__ import annotations

import sys

import pytest

import app.cli
from app import cli_commands


def test_server_commands_pass_their_arguments_through(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(app.cli, "main", lambda argv: calls.append(argv) or 7)
    assert cli_commands.serve(["--host", "0.0.0.0", "--port", "9000"]) == 7
    assert cli_commands.keys(["create", "--name", "ci", "--if-none"]) == 7
    assert calls == [
        ["serve", "--host", "0.0.0.0", "--port", "9000"],
        ["keys", "create", "--name", "ci", "--if-none"],
    ]
    assert {c.name for c in (cli_commands.setup, cli_commands.doctor)} == {"setup", "doctor"}


def test_without_the_sdk_the_script_is_the_server_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "stagdb.cli", None)  # as if stagdb-python were absent
    monkeypatch.setattr(sys, "argv", ["stagdb", "--help"])
    with pytest.raises(SystemExit) as done:
        cli_commands.main()
    assert done.value.code == 0
    assert "StagDB database branching server" in capsys.readouterr().out


def test_with_the_sdk_the_script_is_the_sdk_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["stagdb", "--help"])
    with pytest.raises(SystemExit) as done:
        cli_commands.main()
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert "login" in shown and "serve" in shown
