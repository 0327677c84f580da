"""Domain views to the JSON shapes documented in openapi.yaml."""

from __future__ import annotations

from dataclasses import asdict

from app.domain.health import HealthReport
from app.domain.views import DatabaseView, DeliveryView, SnapshotView, WebhookView


def database(view: DatabaseView) -> dict[str, object]:
    return {
        "id": view.id,
        "name": view.name,
        "type": view.type,
        "version": view.version,
        "status": view.status,
        "error": view.error,
        "host": view.host,
        "port": view.port,
        "connection": asdict(view.connection) if view.connection else None,
        "description": view.description,
        "resources": {"memory": view.memory, "cpus": view.cpus},
        "parent_id": view.parent_id,
        "snapshot_id": view.snapshot_id,
        "expires_at": view.expires_at,
        "protected": view.protected,
        "auto_stop_after": view.auto_stop_after,
        "snapshot_schedule": view.snapshot_schedule.render() if view.snapshot_schedule else None,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


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
