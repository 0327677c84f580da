"""GraphQL input types; they map onto the same domain requests as the REST bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from app.domain.branches import CreateBranch
from app.domain.databases import CreateDatabase, UpdateDatabase
from app.domain.snapshots import CreateSnapshot


@strawberry.input(description="Limits; a field left out keeps its value, null lifts the limit")
class ResourcesInput:
    memory: str | None = UNSET
    cpus: float | None = UNSET
    settings: JSON | None = strawberry.field(
        default=UNSET,
        description="Engine settings to override, merged into the current ones; null for one "
        "returns it to the default, null for all returns every one (allow-list in the docs)",
    )

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if value is not UNSET}


@strawberry.input(description="Take a snapshot every `every` (90s, 15m, 2h, 7d); keep `keep`")
class SnapshotScheduleInput:
    every: str
    keep: int


def _upkeep(given: dict[str, Any]) -> dict[str, Any]:
    """The upkeep fields given, in the shape of the REST body."""
    fields = {"ttl", "expires_at", "protected", "auto_stop_after", "snapshot_schedule"}
    upkeep = {key: value for key, value in given.items() if key in fields}
    schedule = upkeep.get("snapshot_schedule")
    if isinstance(schedule, SnapshotScheduleInput):
        upkeep["snapshot_schedule"] = {"every": schedule.every, "keep": schedule.keep}
    if upkeep.get("expires_at") is not None:
        upkeep["expires_at"] = upkeep["expires_at"].isoformat()
    return upkeep


@strawberry.input(
    description="Mask `column` of `table` with: email, name, phone, hash, null, "
    "redact or fixed:<value>"
)
class MaskingRuleInput:
    table: str
    column: str
    with_: str = strawberry.field(name="with")

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "column": self.column, "with": self.with_}


def _rules(value: Any) -> Any:
    return [rule.as_dict() for rule in value] if isinstance(value, list) else value


@strawberry.input(description="Refresh from the source every `every` (12h, 1d)")
class RefreshScheduleInput:
    every: str


@strawberry.input(description="An existing server to fill the new database from")
class ImportSourceInput:
    uri: str = strawberry.field(description="postgresql://user:pass@host:port/db, mariadb://…")
    schemas: list[str] | None = UNSET
    exclude_schemas: list[str] | None = UNSET
    tables: list[str] | None = UNSET
    exclude_tables: list[str] | None = UNSET
    schema_only: bool | None = UNSET

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if value not in (UNSET, None)}


@strawberry.input
class CreateDatabaseInput:
    name: str
    type: str
    version: str | None = None
    description: str | None = None
    resources: ResourcesInput | None = None
    ttl: str | None = UNSET
    expires_at: datetime | None = UNSET
    protected: bool | None = UNSET
    auto_stop_after: str | None = UNSET
    snapshot_schedule: SnapshotScheduleInput | None = UNSET
    superuser: bool = strawberry.field(
        default=False,
        description="Connect as the engine's superuser instead of an account that owns its "
        "database; recorded, and inherited by branches",
    )
    source: ImportSourceInput | None = strawberry.field(
        default=None, description="Fill it from an existing server (an import)"
    )
    refresh_schedule: RefreshScheduleInput | None = strawberry.field(
        default=None, description="With a source: refresh from it on this rhythm"
    )
    masking_rules: list[MaskingRuleInput] | None = None

    def request(self) -> CreateDatabase:
        return CreateDatabase(
            name=self.name,
            type=self.type,
            version=self.version,
            description=self.description,
            resources=self.resources.as_dict() if self.resources else None,
            upkeep=_upkeep(_given(self)),
            superuser=self.superuser,
            masking_rules=_rules(self.masking_rules),
        )

    def source_spec(self) -> dict[str, Any] | None:
        return self.source.as_dict() if self.source else None

    def refresh_spec(self) -> dict[str, Any] | None:
        return {"every": self.refresh_schedule.every} if self.refresh_schedule else None


@strawberry.input(description="Fields left out are not changed")
class UpdateDatabaseInput:
    name: str | None = UNSET
    masking_rules: list[MaskingRuleInput] | None = UNSET
    description: str | None = UNSET
    resources: ResourcesInput | None = UNSET
    ttl: str | None = UNSET
    expires_at: datetime | None = UNSET
    protected: bool | None = UNSET
    auto_stop_after: str | None = UNSET
    snapshot_schedule: SnapshotScheduleInput | None = UNSET
    refresh_schedule: RefreshScheduleInput | None = strawberry.field(
        default=UNSET,
        description="Refresh from the database's source on this rhythm (null: never, and "
        "forget the source's credentials)",
    )
    source: ImportSourceInput | None = strawberry.field(
        default=UNSET,
        description="With refreshSchedule: the server to refresh from (needed when the "
        "database keeps no source credentials)",
    )

    def refresh_fields(self) -> dict[str, Any]:
        """`refresh_schedule` and `source` as REST takes them, those given only."""
        fields: dict[str, Any] = {}
        if self.refresh_schedule is not UNSET:
            schedule = self.refresh_schedule
            fields["refresh_schedule"] = {"every": schedule.every} if schedule else None
        if self.source is not UNSET:
            fields["source"] = self.source.as_dict() if self.source else None
        return fields

    def request(self) -> UpdateDatabase:
        given = _given(self)
        upkeep = _upkeep(given)
        given = {
            key: value
            for key, value in given.items()
            if key not in upkeep and key not in {"refresh_schedule", "source"}
        }
        if isinstance(given.get("resources"), ResourcesInput):
            given["resources"] = given["resources"].as_dict()
        if "masking_rules" in given:
            given["masking_rules"] = _rules(given["masking_rules"])
        return UpdateDatabase(**given, fields=frozenset(given), upkeep=upkeep)


@strawberry.input
class CreateSnapshotInput:
    name: str
    description: str | None = None

    def request(self) -> CreateSnapshot:
        return CreateSnapshot(name=self.name, description=self.description)


@strawberry.input
class CreateBranchInput:
    name: str
    description: str | None = None
    mask: bool | None = strawberry.field(
        default=None, description="false: skip the parent's masking rules (recorded)"
    )
    ttl: str | None = UNSET
    expires_at: datetime | None = UNSET
    protected: bool | None = UNSET
    auto_stop_after: str | None = UNSET
    snapshot_schedule: SnapshotScheduleInput | None = UNSET

    def request(self) -> CreateBranch:
        return CreateBranch(
            name=self.name,
            description=self.description,
            upkeep=_upkeep(_given(self)),
            mask=self.mask,
        )


def _given(fields: object) -> dict[str, Any]:
    return {key: value for key, value in vars(fields).items() if value is not UNSET}
