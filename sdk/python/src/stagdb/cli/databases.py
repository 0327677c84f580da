"""`stagdb db …`: list, get, create, update, delete, start, stop, reset, promote, diff, stats,
logs."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import click

from stagdb.cli import views
from stagdb.cli.output import out, print_json, waiting
from stagdb.cli.state import State, json_option, pass_state, show
from stagdb.models import LogLine

FOLLOW_INTERVAL_S = 2.0


@click.group()
def db() -> None:
    """Databases (a branch is a database with a parent)."""


@db.command("list")
@click.option("--type", "type_", help="Only this engine (postgresql, mariadb, …).")
@click.option("--status", help="Only this status (running, stopped, …).")
@click.option("--parent", help="Only branches of this database.")
@json_option
@pass_state
def list_(state: State, type_: str | None, status: str | None, parent: str | None) -> None:
    """List databases."""
    found = list(state.client().databases.list(type=type_, status=status, parent_id=parent))
    show(state, found, views.databases)


@db.command()
@click.argument("name")
@json_option
@pass_state
def get(state: State, name: str) -> None:
    """Show one database (by name or id)."""
    found = state.client().databases.get(name)
    show(state, found, views.database)


@db.command()
@click.argument("name")
@click.option("--type", "type_", default="postgresql", show_default=True, help="Engine.")
@click.option("--version", help="Engine version (default: newest available).")
@click.option("--description")
@click.option("--memory", help="Memory limit, e.g. 512m or 1g.")
@click.option("--cpus", type=float, help="CPU limit, e.g. 0.5.")
@click.option(
    "--superuser", is_flag=True, help="Connect as the engine's superuser (branches inherit it)."
)
@json_option
@pass_state
def create(
    state: State,
    name: str,
    type_: str,
    version: str | None,
    description: str | None,
    memory: str | None,
    cpus: float | None,
    superuser: bool,
) -> None:
    """Create a database and wait until it runs."""
    resources = {"memory": memory, "cpus": cpus} if memory or cpus else None
    with waiting(f"Creating {type_} database {name}"):
        made = state.client().databases.create(
            name, type_, version, description, resources, superuser
        )
    show(state, made, views.database)


@db.command()
@click.argument("name")
@click.option("--name", "new_name", help="A new name.")
@click.option("--description")
@click.option("--memory", help="Memory limit (e.g. 1g); 'none' lifts it.")
@click.option("--cpus", help="CPU limit (e.g. 0.5); 'none' lifts it.")
@json_option
@pass_state
def update(
    state: State,
    name: str,
    new_name: str | None,
    description: str | None,
    memory: str | None,
    cpus: str | None,
) -> None:
    """Change a database's name, description or resource limits."""
    fields: dict[str, Any] = {}
    if new_name is not None:
        fields["name"] = new_name
    if description is not None:
        fields["description"] = description
    resources = _resources(memory, cpus)
    if resources:
        fields["resources"] = resources
    with waiting(f"Updating {name}"):
        changed = state.client().databases.update(name, **fields)
    show(state, changed, views.database)


def _resources(memory: str | None, cpus: str | None) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if memory is not None:
        resources["memory"] = None if memory.lower() == "none" else memory
    if cpus is not None:
        try:
            resources["cpus"] = None if cpus.lower() == "none" else float(cpus)
        except ValueError:
            raise click.BadParameter("must be a number or 'none'", param_hint="--cpus") from None
    return resources


@db.command()
@click.argument("name")
@click.option("--cascade", is_flag=True, help="Also delete every branch below it.")
@json_option
@pass_state
def delete(state: State, name: str, cascade: bool) -> None:
    """Delete a database, its container and its data."""
    with waiting(f"Deleting {name}"):
        state.client().databases.delete(name, cascade=cascade)
    show(state, None, lambda _: out.print(f"Deleted {name}"))


@db.command()
@click.argument("name")
@json_option
@pass_state
def start(state: State, name: str) -> None:
    """Start a stopped database."""
    with waiting(f"Starting {name}"):
        started = state.client().databases.start(name)
    show(state, started, views.database)


@db.command()
@click.argument("name")
@json_option
@pass_state
def stop(state: State, name: str) -> None:
    """Stop a database (data, port and password are kept)."""
    with waiting(f"Stopping {name}"):
        stopped = state.client().databases.stop(name)
    show(state, stopped, views.database)


@db.command()
@click.argument("name")
@click.option("--snapshot", "snapshot_id", help="Snapshot id (default: the branch's origin).")
@json_option
@pass_state
def reset(state: State, name: str, snapshot_id: str | None) -> None:
    """Put a database's data back to a snapshot."""
    with waiting(f"Resetting {name}"):
        done = state.client().databases.reset(name, snapshot_id)
    show(state, done, views.database)


@db.command()
@click.argument("name")
@click.option("--keep-branch", is_flag=True, help="Keep the branch (default: it is removed).")
@json_option
@pass_state
def promote(state: State, name: str, keep_branch: bool) -> None:
    """Make a branch's data its parent's (the parent keeps its URI and password)."""
    with waiting(f"Promoting {name}"):
        parent = state.client().databases.promote(name, keep_branch=keep_branch)
    show(state, parent, views.database)


@db.command()
@click.argument("name")
@click.option("--against", help="parent (default), a snapshot id, or a database id or name.")
@json_option
@pass_state
def diff(state: State, name: str, against: str | None) -> None:
    """Show how a database's schema differs (a unified diff of the two schema dumps)."""
    found = state.client().databases.schema_diff(name, against)
    if state.json:
        print_json(found)
    elif found.identical:
        out.print(f"No schema differences from {found.against.type} {found.against.name}")
    else:
        out.print(found.unified_diff, end="", markup=False, highlight=False)


@db.command()
@click.argument("name")
@json_option
@pass_state
def stats(state: State, name: str) -> None:
    """Show container, storage and engine figures."""
    figures = state.client().databases.stats(name)
    if state.json:
        print_json(figures)
        return
    for part in ("container", "storage", "engine"):
        out.print(f"[bold]{part}[/]", markup=True)
        out.print(json.dumps(getattr(figures, part), indent=2))


@db.command()
@click.argument("name")
@click.option("--tail", type=int, help="Only the last N lines (default 100).")
@click.option("--since", help="Only lines from this time on (RFC 3339).")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C stops).")
@json_option
@pass_state
def logs(state: State, name: str, tail: int | None, since: str | None, follow: bool) -> None:
    """Show the engine's log lines."""
    client = state.client()
    lines = client.databases.logs(name, tail=tail, since=since)
    if state.json and not follow:
        print_json({"lines": [line.to_dict() for line in lines]})
        return
    seen = {(line.timestamp, line.message) for line in lines}
    for line in lines:
        _print_line(state, line.to_dict())
    last = max((line.timestamp for line in lines), default=None)
    while follow:
        time.sleep(FOLLOW_INTERVAL_S)
        for line in client.databases.logs(name, since=last.isoformat() if last else since):
            if _is_new(line, last, seen):
                seen.add((line.timestamp, line.message))
                _print_line(state, line.to_dict())
                last = max(last, line.timestamp) if last else line.timestamp


def _is_new(line: LogLine, last: datetime | None, seen: set[tuple[datetime, str]]) -> bool:
    """`since` may be rounded down by the engine: lines older than the newest one printed,
    or printed already, are not new."""
    too_old = last is not None and line.timestamp < last
    return not too_old and (line.timestamp, line.message) not in seen


def _print_line(state: State, line: dict[str, Any]) -> None:
    if state.json:
        click.echo(json.dumps(line))
    else:
        click.echo(f"{line['timestamp']}  {line['message']}")
