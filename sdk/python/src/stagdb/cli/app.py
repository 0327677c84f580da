"""The `stagdb` command line: the root group, its global options, and the translation of
SDK errors into messages and documented exit codes."""

from __future__ import annotations

from typing import Any

import click

from stagdb import __version__
from stagdb.cli import databases, exit_codes, misc, server, snapshots, webhooks
from stagdb.cli.output import err
from stagdb.cli.state import State
from stagdb.errors import StagDBError


class StagDBGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StagDBError as exc:
            err.print(f"[bold red]Error[/] ({exc.code}): {exc.message}", markup=True)
            if exc.request_id:
                err.print(f"request id: {exc.request_id}")
            ctx.exit(exit_codes.for_error_code(exc.code))
        except ValueError as exc:  # a bad URL or an unreadable config file
            err.print(f"[bold red]Error[/]: {exc}", markup=True)
            ctx.exit(exit_codes.FAILURE)


@click.group(cls=StagDBGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", envvar="STAGDB_URL", help="Server address (default: saved login).")
@click.option("--api-key", envvar="STAGDB_API_KEY", help="API key (default: saved login).")
@click.option("--json", "json_output", is_flag=True, help="Print the API's data as JSON.")
@click.version_option(__version__, prog_name="stagdb")
@click.pass_context
def cli(ctx: click.Context, url: str | None, api_key: str | None, json_output: bool) -> None:
    """StagDB: real databases with instant snapshots and branches.

    Log in once with `stagdb login` (or set STAGDB_URL and STAGDB_API_KEY)."""
    ctx.obj = State(url=url, api_key=api_key, json=json_output)


for command in (
    misc.login,
    misc.uri,
    misc.connect,
    misc.completion,
    databases.db,
    snapshots.snapshot,
    snapshots.branch,
    webhooks.webhook,
    *server.server_commands(),
):
    cli.add_command(command)


def main() -> int:
    return int(cli.main(prog_name="stagdb", standalone_mode=True) or 0)
