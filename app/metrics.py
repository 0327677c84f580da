"""Prometheus metrics of the server; one registry per process, filled by the HTTP layer
(requests), the domain (operation durations) and, at scrape time, from the metadata."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

HTTP_REQUESTS = Counter(
    "stagdb_http_requests_total",
    "HTTP requests by route template, method and status",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "stagdb_http_request_duration_seconds",
    "HTTP request duration by route template and method",
    ["route", "method"],
    registry=REGISTRY,
)
OPERATION_DURATION = Histogram(
    "stagdb_operation_duration_seconds",
    "Duration of mutating operations by kind and outcome",
    ["kind", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
DATABASES = Gauge("stagdb_databases", "Databases by status", ["status"], registry=REGISTRY)
POOL_FREE = Gauge("stagdb_pool_free_bytes", "Free bytes in the storage pool", registry=REGISTRY)
POOL_USED = Gauge("stagdb_pool_used_bytes", "Used bytes in the storage pool", registry=REGISTRY)
WARM_ENGINES = Gauge(
    "stagdb_warm_engines",
    "Warm engines started ahead and waiting for a database, by image",
    ["image"],
    registry=REGISTRY,
)
