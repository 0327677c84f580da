"""The /v1 route table."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from app.api import databases, health

ROUTES: list[BaseRoute] = [
    Route("/health", health.health, methods=["GET"]),
    Route("/databases", databases.list_databases, methods=["GET"]),
    Route("/databases", databases.create_database, methods=["POST"]),
    Route("/databases/{id}", databases.get_database, methods=["GET"]),
    Route("/databases/{id}", databases.update_database, methods=["PUT"]),
    Route("/databases/{id}", databases.delete_database, methods=["DELETE"]),
    Route("/databases/{id}/start", databases.start_database, methods=["POST"]),
    Route("/databases/{id}/stop", databases.stop_database, methods=["POST"]),
]
