"""`stagdb snapshot …` and `stagdb branch …`."""

from __future__ import annotations

from collections.abc import Sequence

import click

from stagdb.cli import views
from stagdb.cli.output import out, waiting
from stagdb.cli.state import State, json_option, pass_state, show


@click.group()
def snapshot() -> None:
    """Point-in-time snapshots of a database."""


@snapshot.command("list")
@click.argument("database")
@json_option
@pass_state
def list_snapshots(state: State, database: str) -> None:
    """List a database's snapshots."""
    show(state, list(state.client().snapshots.list(database)), views.snapshots)


@snapshot.command("get")
@click.argument("snapshot_id")
@json_option
@pass_state
def get_snapshot(state: State, snapshot_id: str) -> None:
    """Show one snapshot (by id)."""
    show(state, state.client().snapshots.get(snapshot_id), views.snapshot)


@snapshot.command("create")
@click.argument("database")
@click.argument("name")
@click.option("--description")
@json_option
@pass_state
def create_snapshot(state: State, database: str, name: str, description: str | None) -> None:
    """Take a snapshot of a database as it is now."""
    with waiting(f"Snapshotting {database}"):
        made = state.client().snapshots.create(database, name, description)
    show(state, made, views.snapshot)


@snapshot.command("delete")
@click.argument("snapshot_id")
@click.option("--cascade", is_flag=True, help="Also delete the branches made from it.")
@json_option
@pass_state
def delete_snapshot(state: State, snapshot_id: str, cascade: bool) -> None:
    """Delete a snapshot (by id)."""
    with waiting(f"Deleting {snapshot_id}"):
        state.client().snapshots.delete(snapshot_id, cascade=cascade)
    show(state, None, lambda _: out.print(f"Deleted {snapshot_id}"))


@click.group()
def branch() -> None:
    """Branches: writable copies of a database or a snapshot."""


@branch.command("list")
@click.argument("database")
@json_option
@pass_state
def list_branches(state: State, database: str) -> None:
    """List a database's branches."""
    show(state, list(state.client().branches.list(database)), views.databases)


@branch.command("create")
@click.argument("names", nargs=-1, required=True, metavar="[DATABASE] NAME")
@click.option("--from-snapshot", "snapshot_id", help="Branch this snapshot instead.")
@click.option("--description")
@json_option
@pass_state
def create_branch(
    state: State, names: Sequence[str], snapshot_id: str | None, description: str | None
) -> None:
    """Branch a database as it is now (DATABASE NAME), or a snapshot (--from-snapshot ID NAME)."""
    client = state.client()
    if snapshot_id is not None:
        if len(names) != 1:
            raise click.UsageError("with --from-snapshot, give only the new branch's NAME")
        with waiting(f"Branching {snapshot_id}"):
            made = client.branches.create_from_snapshot(snapshot_id, names[0], description)
    else:
        if len(names) != 2:
            raise click.UsageError("give the DATABASE to branch and the new branch's NAME")
        with waiting(f"Branching {names[0]}"):
            made = client.branches.create(names[0], names[1], description)
    show(state, made, views.database)
