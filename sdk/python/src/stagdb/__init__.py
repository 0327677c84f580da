"""The official Python SDK for StagDB: `stagdb.Client` and `stagdb.AsyncClient`, typed
results, one error class per API error code, and webhook verification."""

from __future__ import annotations

__version__ = "0.1.0"

from stagdb import webhooks  # noqa: E402
from stagdb._async_client import AsyncClient  # noqa: E402
from stagdb._client import Client  # noqa: E402
from stagdb.errors import (  # noqa: E402
    ConnectionError,
    InsufficientResourcesError,
    NotFoundError,
    RateLimitedError,
    ResourceBusyError,
    ServerError,
    StagDBError,
    UnauthorizedError,
    ValidationError,
)
from stagdb.models import (  # noqa: E402
    Connection,
    Database,
    DatabaseStats,
    Delivery,
    Health,
    LogLine,
    Operation,
    OperationProgress,
    SchemaDiff,
    SchemaSide,
    Snapshot,
    Webhook,
)

__all__ = [
    "AsyncClient",
    "Client",
    "Connection",
    "ConnectionError",
    "Database",
    "DatabaseStats",
    "Delivery",
    "Health",
    "InsufficientResourcesError",
    "LogLine",
    "NotFoundError",
    "Operation",
    "OperationProgress",
    "RateLimitedError",
    "ResourceBusyError",
    "SchemaDiff",
    "SchemaSide",
    "ServerError",
    "Snapshot",
    "StagDBError",
    "UnauthorizedError",
    "ValidationError",
    "Webhook",
    "webhooks",
]
