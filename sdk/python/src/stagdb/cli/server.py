"""The server's commands (serve, setup, doctor, keys, secrets): found through the
`stagdb.server_commands` entry-point group that the StagDB server package provides; without
it they say how to get it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

import click

from stagdb.cli import exit_codes

GROUP = "stagdb.server_commands"
SERVER_COMMANDS = {
    "serve": "Serve the API (StagDB server).",
    "setup": "Prepare this host (StagDB server).",
    "doctor": "Check this host (StagDB server).",
    "keys": "Manage API keys (StagDB server).",
    "secrets": "Rotate the key sealing secrets at rest (StagDB server).",
}
PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def server_commands() -> list[click.Command]:
    found = {point.name: point for point in entry_points(group=GROUP)}
    commands = []
    for name, summary in SERVER_COMMANDS.items():
        point = found.get(name)
        if point is None:
            commands.append(_missing(name, summary))
        else:
            help_text = getattr(point.load(), "help", summary)
            commands.append(_pass_through(name, help_text, point.load))
    return commands


def _pass_through(name: str, help_text: str, load: Callable[[], Any]) -> click.Command:
    @click.command(name, help=help_text, context_settings=PASS_THROUGH, add_help_option=False)
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def run(args: Sequence[str]) -> None:
        sys.exit(int(load()(list(args)) or 0))

    return run


def _missing(name: str, summary: str) -> click.Command:
    @click.command(name, help=summary, context_settings=PASS_THROUGH, add_help_option=False)
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def run(args: Sequence[str]) -> None:
        click.echo(
            f"`stagdb {name}` is a command of the StagDB server, which is not installed here.\n"
            "Install the server package (from a StagDB checkout: `pip install -e .`, or run\n"
            "`scripts/serve.sh` there); it adds serve, setup, doctor, keys and secrets to this\n"
            "command.",
            err=True,
        )
        sys.exit(exit_codes.FAILURE)

    return run
