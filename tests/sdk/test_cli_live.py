"""The `stagdb` command line through its real entry point (the venv's `stagdb` script)
against a real server with real PostgreSQL databases: login, tables, `--json` (exactly the
API's data), exit codes per error class, `connect` with a real psql, `uri`, completion, and
the server's own commands on the same `stagdb`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import STAGDB, Server

pytestmark = pytest.mark.docker

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(server: Server, home: Path) -> Iterator[Run]:
    """`stagdb ARGS` as a user runs it: a fresh HOME, and STAGDB_URL/STAGDB_API_KEY set
    unless `login=False`."""
    home.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("STAGDB_", "XDG_"))}
    base |= {"HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}

    def stagdb(
        *argv: str, login: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(base)
        if login:
            env |= {"STAGDB_URL": server.base_url.removesuffix("/v1"), "STAGDB_API_KEY": server.key}
        return subprocess.run(
            [STAGDB, *argv], env=env, capture_output=True, text=True, timeout=300, input=input
        )

    yield stagdb
    with server.client as api:
        for database in api.get("/databases", params={"limit": 100}).json()["data"]:
            if database["parent_id"] is None:
                api.delete(f"/databases/{database['id']}", params={"cascade": "true"})
        for hook in api.get("/webhooks").json()["data"]:
            api.delete(f"/webhooks/{hook['id']}")


def data_of(server: Server, path: str) -> object:
    with server.client as api:
        return api.get(path).json()["data"]


def test_login_saves_a_private_config_that_later_commands_use(
    run: Run, server: Server, home: Path
) -> None:
    url = server.base_url.removesuffix("/v1")
    refused = run("login", "--url", url, "--api-key", "sdb_wrong", login=False)
    assert refused.returncode == 5, refused.stderr
    assert "UNAUTHORIZED" in refused.stderr
    assert not (home / ".config" / "stagdb" / "config.toml").exists()

    logged_in = run("login", "--url", url, input=f"{server.key}\n", login=False)
    assert logged_in.returncode == 0, logged_in.stderr
    config = home / ".config" / "stagdb" / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert server.key in config.read_text()
    assert server.key not in logged_in.stdout

    listed = run("db", "list", "--json", login=False)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    # The environment overrides the saved login.
    overridden = subprocess.run(
        [STAGDB, "db", "list"],
        env={**os.environ, "HOME": str(home), "STAGDB_API_KEY": "sdb_wrong"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert overridden.returncode == 5


def test_database_commands_tables_json_and_exit_codes(run: Run, server: Server) -> None:
    created = run("db", "create", "cli-db", "--type", "postgresql", "--version", "15", "--json")
    assert created.returncode == 0, created.stderr
    made = json.loads(created.stdout)
    assert made == data_of(server, f"/databases/{made['id']}")

    table = run("db", "list")
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()[:2]
    assert header.split() == ["NAME", "ID", "TYPE", "VERSION", "STATUS", "PORT", "PARENT"]
    assert row.split()[:5] == ["cli-db", made["id"], "postgresql", "15", "running"]

    as_json = run("--json", "db", "list")
    assert json.loads(as_json.stdout) == data_of(server, "/databases")
    got = run("db", "get", "cli-db", "--json")
    assert json.loads(got.stdout) == data_of(server, "/databases/cli-db")
    shown = run("db", "get", "cli-db")
    assert made["connection"]["uri"] in shown.stdout

    uri = run("uri", "cli-db")
    assert uri.returncode == 0 and uri.stdout.strip() == made["connection"]["uri"]

    updated = run("db", "update", "cli-db", "--description", "from the cli", "--json")
    assert json.loads(updated.stdout)["description"] == "from the cli"
    assert json.loads(run("db", "stop", "cli-db", "--json").stdout)["status"] == "stopped"
    assert json.loads(run("db", "start", "cli-db", "--json").stdout)["status"] == "running"
    stats = run("db", "stats", "cli-db", "--json")
    assert json.loads(stats.stdout)["database_id"] == made["id"]
    logs = run("db", "logs", "cli-db", "--tail", "5", "--json")
    assert len(json.loads(logs.stdout)["lines"]) <= 5

    missing = run("db", "get", "no-such-db")
    assert missing.returncode == 4 and "NOT_FOUND" in missing.stderr
    invalid = run("db", "create", "bad-db", "--type", "oracle")
    assert invalid.returncode == 3 and "VALIDATION_ERROR" in invalid.stderr
    usage = run("db", "get")
    assert usage.returncode == 2
    unreachable = subprocess.run(
        [STAGDB, "--url", "http://127.0.0.1:9", "db", "list"],
        env={**os.environ, "STAGDB_API_KEY": "k"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unreachable.returncode == 10, unreachable.stderr

    deleted = run("db", "delete", "cli-db", "--json")
    assert deleted.returncode == 0 and json.loads(deleted.stdout) is None


def test_waiting_shows_a_spinner_with_elapsed_time_on_a_terminal(
    server: Server, home: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGDB_")} | {
        "HOME": str(home),
        "STAGDB_URL": server.base_url,
        "STAGDB_API_KEY": server.key,
        "TERM": "xterm",
    }
    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [STAGDB, "db", "create", "cli-spinner"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=300,
        )
        os.close(terminal)
        shown = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(controller, 65536):
                shown += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    assert b"Creating postgresql database cli-spinner" in shown
    assert re.search(rb"0:00:\d\d", shown), shown[-500:]


def test_connect_runs_psql_on_the_database(run: Run) -> None:
    assert run("db", "create", "cli-psql").returncode == 0
    made = run("connect", "cli-psql", "--", "-tA", "-c", "SELECT 6 * 7")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "42"
    failing = run("connect", "cli-psql", "--", "-v", "ON_ERROR_STOP=1", "-c", "SELECT nope")
    assert failing.returncode != 0  # psql's own exit status comes through


def test_logs_follow_prints_lines_as_they_come(run: Run, server: Server) -> None:
    assert run("db", "create", "cli-follow").returncode == 0
    env = {**os.environ, "STAGDB_URL": server.base_url, "STAGDB_API_KEY": server.key}
    follow = subprocess.Popen(
        [STAGDB, "db", "logs", "cli-follow", "--tail", "3", "--follow"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(follow.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        time.sleep(3)
        printed = len(lines)
        assert 1 <= printed <= 3
        assert run("db", "stop", "cli-follow").returncode == 0  # the engine logs its shutdown
        deadline = time.monotonic() + 30
        while (
            not any("system is shut down" in line for line in lines) and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert any("system is shut down" in line for line in lines[printed:]), lines
        assert len(lines) == len(set(lines)), "a line was printed twice"
    finally:
        follow.terminate()
        follow.wait(timeout=30)
        reader.join(timeout=30)


def test_snapshot_branch_and_busy_exit_code(run: Run, server: Server) -> None:
    assert run("db", "create", "cli-src").returncode == 0
    snap = json.loads(run("snapshot", "create", "cli-src", "s1", "--json").stdout)
    assert snap["name"] == "s1"
    listed = run("snapshot", "list", "cli-src", "--json")
    assert [s["id"] for s in json.loads(listed.stdout)] == [snap["id"]]
    branch = json.loads(run("branch", "create", "cli-src", "cli-b1", "--json").stdout)
    assert branch["parent_id"] is not None
    from_snap = run("branch", "create", "cli-b2", "--from-snapshot", snap["id"], "--json")
    assert json.loads(from_snap.stdout)["snapshot_id"] == snap["id"]
    names = {b["name"] for b in json.loads(run("branch", "list", "cli-src", "--json").stdout)}
    assert {"cli-b1", "cli-b2"} <= names
    assert run("branch", "create", "only-a-name").returncode == 2

    busy = run("db", "delete", "cli-src")
    assert busy.returncode == 6 and "RESOURCE_BUSY" in busy.stderr
    assert run("db", "reset", "cli-b2").returncode == 0
    assert run("snapshot", "delete", snap["id"], "--cascade").returncode == 0
    assert run("db", "delete", "cli-src", "--cascade").returncode == 0


def test_webhook_commands(run: Run) -> None:
    made = run(
        "webhook", "create", "http://127.0.0.1:9/hooks", "--event", "database.created",
        "--secret", "webhook-secret", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    hook = json.loads(made.stdout)
    assert hook["secret"] == "webhook-secret"
    assert hook["id"] in run("webhook", "list").stdout
    tested = run("webhook", "test", hook["id"], "--json")
    assert json.loads(tested.stdout)["event"] == "webhook.test"
    assert run("webhook", "delete", hook["id"]).returncode == 0
    assert json.loads(run("webhook", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files --command stagdb")],
)
def test_shell_completion_scripts(run: Run, shell: str, marker: str) -> None:
    script = run("completion", shell)
    assert script.returncode == 0 and marker in script.stdout
    assert "_STAGDB_COMPLETE" in script.stdout


def test_completion_answers_with_commands(run: Run) -> None:
    env = {
        **os.environ,
        "_STAGDB_COMPLETE": "bash_complete",
        "COMP_WORDS": "stagdb d",
        "COMP_CWORD": "1",
    }
    answer = subprocess.run([STAGDB], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,db" in answer.stdout and "plain,doctor" in answer.stdout


def test_server_commands_run_on_the_same_stagdb(run: Run, server: Server) -> None:
    created = server.cli("keys", "create", "--name", "through-the-sdk-cli")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sdb_")
    answer = httpx.get(f"{server.base_url}/databases", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    helped = run("keys", "--help")
    assert "create" in helped.stdout and helped.returncode == 0
    assert "serve" in run("--help").stdout
