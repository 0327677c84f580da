"""Tortoise ORM models: what StagDB keeps about projects, databases, snapshots, operations,
webhooks, keys and the audit trail."""

from __future__ import annotations

from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from app.models.sealed import SealedField

MODEL_MODULES = ["app.models", "aerich.models"]


DEFAULT_PROJECT_ID = "prj-default00000"  # made by migration 5 for what existed before projects


class Project(Model):
    """A tenant: its keys see and change only its own databases, snapshots and webhooks,
    within its quotas (None: no limit)."""

    id = fields.CharField(pk=True, max_length=32)
    name = fields.CharField(max_length=63, unique=True)
    max_databases: int | None = fields.IntField(null=True)
    max_memory_bytes: int | None = fields.BigIntField(null=True)
    max_disk_bytes: int | None = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "projects"


class Database(Model):
    """A database server in a container; a branch is a Database with a parent."""

    id = fields.CharField(pk=True, max_length=32)
    project_id = fields.CharField(max_length=32, default=DEFAULT_PROJECT_ID, db_index=True)
    # Unique within its project: a name says nothing about other projects.
    name = fields.CharField(max_length=63)
    engine = fields.CharField(max_length=32)
    version = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16)
    # What its user asked for (running or stopped): the controller heals towards it.
    desired_status = fields.CharField(max_length=16, default="running")
    error: str | None = fields.TextField(null=True)
    host = fields.CharField(max_length=64, default="local")
    port: int | None = fields.IntField(null=True)
    username = fields.CharField(max_length=63)
    # The connection account is the engine's superuser: asked for on create, or made before
    # connection accounts were unprivileged. Branches inherit it (their data holds it).
    superuser = fields.BooleanField(default=False)
    password = SealedField()
    database_name = fields.CharField(max_length=63)
    description = fields.TextField(default="")
    memory_bytes: int | None = fields.BigIntField(null=True)
    cpus: float | None = fields.FloatField(null=True)
    # Engine settings overridden for this database (name → int, bool or str); null: none.
    settings: dict[str, int | bool | str] | None = fields.JSONField(null=True)
    parent: fields.ForeignKeyNullableRelation[Database] = fields.ForeignKeyField(
        "models.Database", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    snapshot_id = fields.CharField(max_length=32, null=True)
    volume = fields.CharField(max_length=128)
    container_id = fields.CharField(max_length=80, null=True)
    locked_by = fields.CharField(max_length=32, null=True)
    # The lock's lease: renewed while its operation runs, free for the taking once passed.
    lock_expires_at: datetime | None = fields.DatetimeField(null=True)
    # Upkeep its user asked for: deletion at a time, protection, scheduled snapshots, idling.
    expires_at: datetime | None = fields.DatetimeField(null=True)
    protected = fields.BooleanField(default=False)
    snapshot_every_s: int | None = fields.IntField(null=True)
    snapshot_keep: int | None = fields.IntField(null=True)
    auto_stop_after_s: int | None = fields.IntField(null=True)
    # Last moment a client connection through the front was open (any replica's front).
    last_active_at: datetime | None = fields.DatetimeField(null=True)
    # Stopped for idleness (not by its user): the next client connection starts it.
    idle_stopped = fields.BooleanField(default=False)
    # Where an imported database's data came from: the source shown without its password,
    # with what of it was copied; the full URI is kept (sealed) only while a refresh
    # schedule needs it.
    source_options: dict[str, object] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    source_uri: str | None = SealedField(null=True)
    refresh_every_s: int | None = fields.IntField(null=True)
    # Masking rules for the copies it hands out (branches, imports), with their secret key;
    # `masked`: this database's own data has been masked.
    masking_rules: list[dict[str, str]] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    masking_key: str | None = SealedField(null=True)
    masked = fields.BooleanField(default=False)
    # The pool space its volume holds alone, as measured in the background (`SpaceMeter`).
    unique_bytes: int | None = fields.BigIntField(null=True)
    measured_at: datetime | None = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    parent_id: str | None

    class Meta:
        table = "databases"
        unique_together = (("host", "port"), ("project_id", "name"))


class Snapshot(Model):
    """A point-in-time, read-only image of a database's data."""

    id = fields.CharField(pk=True, max_length=32)
    name = fields.CharField(max_length=63)
    database: fields.ForeignKeyRelation[Database] = fields.ForeignKeyField(
        "models.Database", related_name="snapshots", on_delete=fields.RESTRICT
    )
    description = fields.TextField(default="")
    status = fields.CharField(max_length=16)
    volume = fields.CharField(max_length=128)
    created_for = fields.CharField(max_length=32, null=True)
    scheduled = fields.BooleanField(default=False)  # taken by a snapshot schedule
    size_bytes: int | None = fields.BigIntField(null=True)
    unique_bytes: int | None = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    database_id: str

    class Meta:
        table = "snapshots"
        unique_together = (("database", "name"),)


class Operation(Model):
    """One mutating action, kept with its outcome after it finishes."""

    id = fields.CharField(pk=True, max_length=32)
    kind = fields.CharField(max_length=32)
    database_id = fields.CharField(max_length=32, null=True)
    owner = fields.CharField(max_length=128, null=True)
    status = fields.CharField(max_length=16)
    # Renewed by the process running it; once passed, the operation is taken as abandoned.
    lease_expires_at: datetime | None = fields.DatetimeField(null=True)
    error: str | None = fields.TextField(null=True)
    # How far long work has come: phase, bytes and objects done of the total where known.
    progress: dict[str, object] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    # The caller's recorded choices (a source without its credentials, `mask: false`).
    options: dict[str, object] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "operations"


class Job(Model):
    """Timed work on one database (expire it, snapshot it, stop it when idle), due at a
    time. A replica claims a due job with a conditional UPDATE that sets its lease; a lease
    that passed (its replica died) is free for the taking, so each run happens once."""

    id = fields.CharField(pk=True, max_length=64)  # "<kind>:<database id>"
    kind = fields.CharField(max_length=16)
    database_id = fields.CharField(max_length=32, db_index=True)
    host = fields.CharField(max_length=64)
    due_at = fields.DatetimeField(db_index=True)
    claimed_by = fields.CharField(max_length=128, null=True)
    lease_expires_at: datetime | None = fields.DatetimeField(null=True)
    last_error: str | None = fields.TextField(null=True)

    class Meta:
        table = "jobs"


class Event(Model):
    """The outbox: one row per lifecycle event, written with the change that caused it."""

    id = fields.BigIntField(pk=True)
    event = fields.CharField(max_length=64)
    project_id = fields.CharField(max_length=32, default=DEFAULT_PROJECT_ID, db_index=True)
    database_id = fields.CharField(max_length=32, null=True)
    payload: dict[str, object] = fields.JSONField()  # type: ignore[assignment]
    created_at = fields.DatetimeField(auto_now_add=True)
    dispatched_at: datetime | None = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "events"


class RateCounter(Model):
    """Requests one API key made in one budget during one fixed window."""

    id = fields.IntField(pk=True)
    key_id = fields.CharField(max_length=32)
    bucket = fields.CharField(max_length=16)
    window_start = fields.BigIntField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_counters"
        unique_together = (("key_id", "bucket", "window_start"),)


class Webhook(Model):
    """A receiver subscribed to lifecycle events; its secret signs every delivery."""

    id = fields.CharField(pk=True, max_length=32)
    project_id = fields.CharField(max_length=32, default=DEFAULT_PROJECT_ID, db_index=True)
    url = fields.CharField(max_length=2048)
    events: list[str] = fields.JSONField()  # type: ignore[assignment]
    secret = SealedField()
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhooks"


class WebhookDelivery(Model):
    """One event for one webhook, with the outcome of its latest attempt.

    A webhook's event deliveries go out in `event_id` (outbox) order; a test delivery has no
    event_id. `locked_until` is the lease of the worker sending it now."""

    id = fields.CharField(pk=True, max_length=32)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id: int | None = fields.BigIntField(null=True)
    event = fields.CharField(max_length=64)
    body = fields.TextField()
    status = fields.CharField(max_length=16, db_index=True)
    attempts = fields.IntField(default=0)
    response_code: int | None = fields.IntField(null=True)
    last_error: str | None = fields.TextField(null=True)
    duration_ms: float | None = fields.FloatField(null=True)
    next_attempt_at: datetime | None = fields.DatetimeField(null=True)
    locked_until: datetime | None = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at: datetime | None = fields.DatetimeField(null=True)

    webhook_id: str

    class Meta:
        table = "webhook_deliveries"
        unique_together = (("webhook", "event_id"),)


class ApiKey(Model):
    """An API key of one project with one scope (read, write or admin); only its SHA-256
    hash is stored. A revoked key stays, for the audit trail, but opens nothing."""

    id = fields.CharField(pk=True, max_length=32)
    project_id = fields.CharField(max_length=32, default=DEFAULT_PROJECT_ID, db_index=True)
    name = fields.CharField(max_length=100)
    scope = fields.CharField(max_length=8, default="admin")
    prefix = fields.CharField(max_length=16)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at: datetime | None = fields.DatetimeField(null=True)
    last_used_at: datetime | None = fields.DatetimeField(null=True)
    revoked_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class AuditEntry(Model):
    """One mutating API call: who (key, project), what (action, target), how it ended."""

    id = fields.BigIntField(pk=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    key_id = fields.CharField(max_length=32, null=True)
    project_id = fields.CharField(max_length=32, null=True, db_index=True)
    action = fields.CharField(max_length=64)
    target = fields.CharField(max_length=255, null=True)
    status_code = fields.IntField()
    result = fields.CharField(max_length=32)
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_log"


class IdempotencyKey(Model):
    """A POST's Idempotency-Key per API key, with its answer."""

    id = fields.IntField(pk=True)
    api_key_id = fields.CharField(max_length=32)
    key = fields.CharField(max_length=255)
    method = fields.CharField(max_length=8)
    path = fields.CharField(max_length=2048)
    body_sha256 = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16)
    owner = fields.CharField(max_length=128, null=True)
    response_status: int | None = fields.IntField(null=True)
    # Answers hold database passwords: sealed like every other secret at rest.
    response_body: str | None = SealedField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("api_key_id", "key"),)


def tortoise_config(database_url: str) -> dict[str, object]:
    return {
        "connections": {"default": database_url},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }
