"""How each kind of result looks as a table for people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stagdb.cli.output import print_fields, print_table
from stagdb.models import Database, Delivery, Snapshot, Webhook


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def databases(items: Iterable[Database]) -> None:
    print_table(
        ("NAME", "ID", "TYPE", "VERSION", "STATUS", "PORT", "PARENT"),
        ((d.name, d.id, d.type, d.version, d.status, d.port, d.parent_id) for d in items),
    )


def database(d: Database) -> None:
    print_fields(
        [
            ("name", d.name),
            ("id", d.id),
            ("type", f"{d.type} {d.version}"),
            ("status", d.status + (f" ({d.error})" if d.error else "")),
            ("uri", d.connection.uri if d.connection else None),
            ("description", d.description),
            ("memory", d.resources.memory or "unlimited"),
            ("cpus", d.resources.cpus or "unlimited"),
            ("parent", d.parent_id),
            ("snapshot", d.snapshot_id),
            ("created", _when(d.created_at)),
            ("updated", _when(d.updated_at)),
        ]
    )


def snapshots(items: Iterable[Snapshot]) -> None:
    print_table(
        ("NAME", "ID", "DATABASE", "STATUS", "SIZE", "CREATED"),
        (
            (s.name, s.id, s.database_id, s.status, s.size.logical_bytes, _when(s.created_at))
            for s in items
        ),
    )


def snapshot(s: Snapshot) -> None:
    snapshots([s])


def webhooks(items: Iterable[Webhook]) -> None:
    print_table(
        ("ID", "URL", "EVENTS", "ACTIVE"),
        ((w.id, w.url, ", ".join(w.events), w.active) for w in items),
    )


def deliveries(items: Iterable[Delivery]) -> None:
    print_table(
        ("ID", "EVENT", "STATUS", "ATTEMPTS", "CODE", "ERROR"),
        ((d.id, d.event, d.status, d.attempts, d.response_code, d.last_error) for d in items),
    )
