"""`stagdb login`, `uri`, `connect` and `completion`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

import click
from click.shell_completion import get_completion_class

from stagdb._client import Client
from stagdb._config import api_base_url
from stagdb.cli import exit_codes
from stagdb.cli.connect import ClientMissing, client_command
from stagdb.cli.output import err, out, waiting
from stagdb.cli.settings import Login, effective_login, save_login
from stagdb.cli.state import State, pass_state


@click.command()
@click.option("--url", "url_option", help="Server address, e.g. http://127.0.0.1:8080")
@click.option("--api-key", "key_option", help="API key (sdb_…); asked for when left out.")
@pass_state
def login(state: State, url_option: str | None, key_option: str | None) -> None:
    """Check a server address and API key, and save them for later commands.

    They are saved in ~/.config/stagdb/config.toml (mode 0600); STAGDB_URL and
    STAGDB_API_KEY still override them."""
    current = effective_login(state.url, state.api_key)
    url = url_option or click.prompt("StagDB URL", default=current.url or "http://127.0.0.1:8080")
    key = key_option or click.prompt("API key", hide_input=True)
    base = api_base_url(url)
    with Client(base_url=base, api_key=key) as client, waiting(f"Checking {base}"):
        client.health()
        next(iter(client.databases.list()), None)  # a call that needs the key
    path = save_login(Login(url.rstrip("/"), key))
    out.print(f"Logged in to {base}; saved in {path}")


@click.command()
@click.argument("database")
@pass_state
def uri(state: State, database: str) -> None:
    """Print a database's connection string: psql "$(stagdb uri my-app-db)"."""
    found = state.client().databases.get(database)
    if found.connection is None:
        err.print(f"Database '{found.name}' has no connection string (status {found.status})")
        sys.exit(exit_codes.FAILURE)
    click.echo(found.connection.uri)


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("database")
@click.argument("client_args", nargs=-1, type=click.UNPROCESSED)
@pass_state
def connect(state: State, database: str, client_args: Sequence[str]) -> None:
    """Open the engine's own client (psql, mariadb, mongosh) on a database.

    Arguments after the name go to the client: stagdb connect my-app-db -- -c 'SELECT 1'"""
    found = state.client().databases.get(database)
    try:
        command = client_command(found, list(client_args))
    except ClientMissing as exc:
        err.print(f"Cannot connect: {exc}")
        sys.exit(exit_codes.FAILURE)
    sys.stdout.flush()
    if os.name == "posix":
        os.execvpe(command.argv[0], command.argv, command.env)
    sys.exit(subprocess.call(command.argv, env=command.env))


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    bash: eval "$(stagdb completion bash)"   (e.g. in ~/.bashrc)
    zsh:  eval "$(stagdb completion zsh)"    (e.g. in ~/.zshrc)
    fish: stagdb completion fish > ~/.config/fish/completions/stagdb.fish"""
    ctx = click.get_current_context()
    root = ctx.find_root().command
    completer = get_completion_class(shell)
    assert completer is not None
    click.echo(completer(root, {}, "stagdb", "_STAGDB_COMPLETE").source())
