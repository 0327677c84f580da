"""Every API operation as a `Call`: its method, path, query, body and how to read its answer.
The sync and async clients send the same calls, so both speak the API the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from stagdb.models import (
    Database,
    DatabaseStats,
    Delivery,
    Health,
    JSONDict,
    LogLine,
    Operation,
    Page,
    Pagination,
    SchemaDiff,
    Snapshot,
    Webhook,
)

T = TypeVar("T")
PAGE_LIMIT = 100  # the API's largest page: list() iterations take as few calls as they can


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    read: Callable[[JSONDict], T]
    params: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    # Answers besides 2xx that carry a full success-shaped body (GET /health answers 503).
    also_ok: frozenset[int] = frozenset()


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _data(parse: Callable[[JSONDict], T]) -> Callable[[JSONDict], T]:
    return lambda envelope: parse(envelope["data"])


def _page(parse: Callable[[JSONDict], T]) -> Callable[[JSONDict], Page[T]]:
    return lambda envelope: Page(
        items=[parse(item) for item in envelope["data"]],
        pagination=Pagination.from_dict(envelope["pagination"]),
    )


def _nothing(envelope: JSONDict) -> None:
    return None


def _query(**values: Any) -> dict[str, str]:
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in values.items()
        if value is not None
    }


def _body(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


# --- databases -------------------------------------------------------------------------


def list_databases(
    page: int, type: str | None, status: str | None, parent_id: str | None
) -> Call[Page[Database]]:
    params = _query(page=page, limit=PAGE_LIMIT, type=type, status=status, parent_id=parent_id)
    return Call("GET", "/databases", _page(Database.from_dict), params)


def get_database(ref: str) -> Call[Database]:
    return Call("GET", f"/databases/{_segment(ref)}", _data(Database.from_dict))


def create_database(
    name: str,
    type: str,
    version: str | None,
    description: str | None,
    resources: Mapping[str, Any] | None,
    superuser: bool = False,
    source: Mapping[str, Any] | None = None,
) -> Call[Database]:
    body = _body(
        name=name,
        type=type,
        version=version,
        description=description,
        resources=dict(resources) if resources is not None else None,
        superuser=True if superuser else None,
        source=dict(source) if source is not None else None,
    )
    # An import answers 202 with its operation unless asked to wait for the database.
    params = _query(wait=True) if source is not None else {}
    return Call("POST", "/databases", _data(Database.from_dict), params, json=body)


def update_database(ref: str, fields: Mapping[str, Any]) -> Call[Database]:
    return Call("PUT", f"/databases/{_segment(ref)}", _data(Database.from_dict), json=dict(fields))


def delete_database(ref: str, cascade: bool) -> Call[None]:
    params = _query(cascade=True) if cascade else {}
    return Call("DELETE", f"/databases/{_segment(ref)}", _nothing, params)


def refresh_database(ref: str, source: Mapping[str, Any] | None) -> Call[Database]:
    body = _body(source=dict(source) if source is not None else None)
    params = _query(wait=True)  # a refresh answers 202 with its operation unless asked to wait
    return Call(
        "POST", f"/databases/{_segment(ref)}/refresh", _data(Database.from_dict), params, body
    )


def database_action(ref: str, action: str, body: Mapping[str, Any] | None = None) -> Call[Database]:
    path = f"/databases/{_segment(ref)}/{action}"
    return Call("POST", path, _data(Database.from_dict), json=dict(body) if body else None)


def schema_diff(ref: str, against: str | None) -> Call[SchemaDiff]:
    path = f"/databases/{_segment(ref)}/schema-diff"
    return Call("GET", path, _data(SchemaDiff.from_dict), _query(against=against))


def database_stats(ref: str) -> Call[DatabaseStats]:
    return Call("GET", f"/databases/{_segment(ref)}/stats", _data(DatabaseStats.from_dict))


def database_logs(ref: str, tail: int | None, since: str | None) -> Call[list[LogLine]]:
    def read(envelope: JSONDict) -> list[LogLine]:
        return [LogLine.from_dict(line) for line in envelope["data"]["lines"]]

    return Call("GET", f"/databases/{_segment(ref)}/logs", read, _query(tail=tail, since=since))


# --- snapshots and branches ---------------------------------------------------------------


def list_snapshots(database: str, page: int) -> Call[Page[Snapshot]]:
    path = f"/databases/{_segment(database)}/snapshots"
    return Call("GET", path, _page(Snapshot.from_dict), _query(page=page, limit=PAGE_LIMIT))


def get_snapshot(snapshot_id: str) -> Call[Snapshot]:
    return Call("GET", f"/snapshots/{_segment(snapshot_id)}", _data(Snapshot.from_dict))


def create_snapshot(database: str, name: str, description: str | None) -> Call[Snapshot]:
    path = f"/databases/{_segment(database)}/snapshots"
    body = _body(name=name, description=description)
    return Call("POST", path, _data(Snapshot.from_dict), json=body)


def delete_snapshot(snapshot_id: str, cascade: bool) -> Call[None]:
    params = _query(cascade=True) if cascade else {}
    return Call("DELETE", f"/snapshots/{_segment(snapshot_id)}", _nothing, params)


def list_branches(database: str, page: int) -> Call[Page[Database]]:
    path = f"/databases/{_segment(database)}/branches"
    return Call("GET", path, _page(Database.from_dict), _query(page=page, limit=PAGE_LIMIT))


def create_branch(
    database: str, name: str, description: str | None, mask: bool | None = None
) -> Call[Database]:
    path = f"/databases/{_segment(database)}/branches"
    body = _body(name=name, description=description, mask=mask)
    return Call("POST", path, _data(Database.from_dict), json=body)


def branch_snapshot(snapshot_id: str, name: str, description: str | None) -> Call[Database]:
    path = f"/snapshots/{_segment(snapshot_id)}/branches"
    body = _body(name=name, description=description)
    return Call("POST", path, _data(Database.from_dict), json=body)


# --- webhooks ------------------------------------------------------------------------------


def list_webhooks(page: int) -> Call[Page[Webhook]]:
    return Call("GET", "/webhooks", _page(Webhook.from_dict), _query(page=page, limit=PAGE_LIMIT))


def get_webhook(webhook_id: str) -> Call[Webhook]:
    return Call("GET", f"/webhooks/{_segment(webhook_id)}", _data(Webhook.from_dict))


def create_webhook(url: str, events: list[str], secret: str | None) -> Call[Webhook]:
    body = _body(url=url, events=list(events), secret=secret)
    return Call("POST", "/webhooks", _data(Webhook.from_dict), json=body)


def update_webhook(webhook_id: str, fields: Mapping[str, Any]) -> Call[Webhook]:
    path = f"/webhooks/{_segment(webhook_id)}"
    return Call("PUT", path, _data(Webhook.from_dict), json=dict(fields))


def delete_webhook(webhook_id: str) -> Call[None]:
    return Call("DELETE", f"/webhooks/{_segment(webhook_id)}", _nothing)


def send_test_delivery(webhook_id: str) -> Call[Delivery]:
    return Call("POST", f"/webhooks/{_segment(webhook_id)}/test", _data(Delivery.from_dict))


def list_deliveries(webhook_id: str, page: int) -> Call[Page[Delivery]]:
    path = f"/webhooks/{_segment(webhook_id)}/deliveries"
    return Call("GET", path, _page(Delivery.from_dict), _query(page=page, limit=PAGE_LIMIT))


# --- health --------------------------------------------------------------------------------


# --- operations ------------------------------------------------------------------------


def get_operation(operation_id: str) -> Call[Operation]:
    return Call("GET", f"/operations/{_segment(operation_id)}", _data(Operation.from_dict))


def list_operations(database: str, page: int) -> Call[Page[Operation]]:
    params = _query(database_id=database, page=page, limit=PAGE_LIMIT)
    return Call("GET", "/operations", _page(Operation.from_dict), params)


def health() -> Call[Health]:
    return Call("GET", "/health", _data(Health.from_dict), also_ok=frozenset({503}))
