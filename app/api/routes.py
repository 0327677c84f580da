"""The /v1 route table."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from app.api import (
    branches,
    databases,
    health,
    monitoring,
    operations,
    reference,
    snapshots,
    webhooks,
)

ROUTES: list[BaseRoute] = [
    Route("/health", health.health, methods=["GET"]),
    Route("/openapi.yaml", reference.openapi_yaml, methods=["GET"]),
    Route("/openapi.json", reference.openapi_json, methods=["GET"]),
    Route("/databases", databases.list_databases, methods=["GET"]),
    Route("/databases", databases.create_database, methods=["POST"]),
    Route("/databases/{id}", databases.get_database, methods=["GET"]),
    Route("/databases/{id}", databases.update_database, methods=["PUT"]),
    Route("/databases/{id}", databases.delete_database, methods=["DELETE"]),
    Route("/databases/{id}/start", databases.start_database, methods=["POST"]),
    Route("/databases/{id}/stop", databases.stop_database, methods=["POST"]),
    Route("/databases/{id}/reset", branches.reset_database, methods=["POST"]),
    Route("/databases/{id}/refresh", databases.refresh_database, methods=["POST"]),
    Route("/databases/{id}/stats", monitoring.database_stats, methods=["GET"]),
    Route("/databases/{id}/logs", monitoring.database_logs, methods=["GET"]),
    Route("/databases/{id}/snapshots", snapshots.list_snapshots, methods=["GET"]),
    Route("/databases/{id}/snapshots", snapshots.create_snapshot, methods=["POST"]),
    Route("/databases/{id}/branches", branches.list_branches, methods=["GET"]),
    Route("/databases/{id}/branches", branches.branch_database, methods=["POST"]),
    Route("/snapshots/{id}", snapshots.get_snapshot, methods=["GET"]),
    Route("/snapshots/{id}", snapshots.delete_snapshot, methods=["DELETE"]),
    Route("/snapshots/{id}/branches", branches.branch_snapshot, methods=["POST"]),
    Route("/operations", operations.list_operations, methods=["GET"]),
    Route("/operations/{id}", operations.get_operation, methods=["GET"]),
    Route("/webhooks", webhooks.list_webhooks, methods=["GET"]),
    Route("/webhooks", webhooks.create_webhook, methods=["POST"]),
    Route("/webhooks/{id}", webhooks.get_webhook, methods=["GET"]),
    Route("/webhooks/{id}", webhooks.update_webhook, methods=["PUT"]),
    Route("/webhooks/{id}", webhooks.delete_webhook, methods=["DELETE"]),
    Route("/webhooks/{id}/test", webhooks.send_test_delivery, methods=["POST"]),
    Route("/webhooks/{id}/deliveries", webhooks.list_deliveries, methods=["GET"]),
]
