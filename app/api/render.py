"""Domain views to the JSON shapes documented in openapi.yaml."""

from __future__ import annotations

from dataclasses import asdict

from app.domain.audit import AuditView
from app.domain.health import HealthReport
from app.domain.keys import KeyView
from app.domain.projects import ProjectView, render_quotas
from app.domain.schema_diff import SchemaDiffView
from app.domain.views import (
    DatabaseView,
    DeliveryView,
    OperationView,
    SnapshotView,
    WebhookView,
)


def database(view: DatabaseView, credentials: bool = True) -> dict[str, object]:
    """Without `credentials`, the connection (which holds the password) is left out."""
    data = asdict(view)
    if not credentials:
        data["connection"] = None
    if view.masking_rules is not None:
        data["masking_rules"] = [
            {"table": r.table, "column": r.column, "with": r.with_} for r in view.masking_rules
        ]
    return data


def schema_diff(view: SchemaDiffView) -> dict[str, object]:
    return {
        "database": asdict(view.database),
        "against": asdict(view.against),
        "identical": view.changes.identical,
        **asdict(view.changes),
        "unified_diff": view.unified_diff,
    }


def operation(view: OperationView) -> dict[str, object]:
    return asdict(view)


def health(report: HealthReport) -> dict[str, object]:
    return {
        "status": "healthy" if report.healthy else "unhealthy",
        "dependencies": {
            dep.name: {
                "status": "up" if dep.healthy else "down",
                "latency_ms": dep.latency_ms,
                **dep.details,
            }
            for dep in report.dependencies
        },
    }


def snapshot(view: SnapshotView) -> dict[str, object]:
    return {
        "id": view.id,
        "name": view.name,
        "database_id": view.database_id,
        "description": view.description,
        "status": view.status,
        "size": {"logical_bytes": view.size_bytes, "unique_bytes": view.unique_bytes},
        "scheduled": view.scheduled,
        "created_at": view.created_at,
    }


def webhook(view: WebhookView) -> dict[str, object]:
    return {
        "id": view.id,
        "project_id": view.project_id,
        "url": view.url,
        "events": view.events,
        "active": view.active,
        "secret_set": view.secret_set,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


def delivery(view: DeliveryView) -> dict[str, object]:
    return {
        "id": view.id,
        "webhook_id": view.webhook_id,
        "event": view.event,
        "status": view.status,
        "attempts": view.attempts,
        "response_code": view.response_code,
        "last_error": view.last_error,
        "duration_ms": view.duration_ms,
        "created_at": view.created_at,
        "delivered_at": view.delivered_at,
        "next_attempt_at": view.next_attempt_at,
    }


def key(view: KeyView) -> dict[str, object]:
    return asdict(view)


def project(view: ProjectView) -> dict[str, object]:
    return {
        "id": view.id,
        "name": view.name,
        "quotas": render_quotas(view.quotas),
        "created_at": view.created_at,
    }


def audit(view: AuditView) -> dict[str, object]:
    return asdict(view)
