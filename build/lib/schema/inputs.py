"""GraphQL input types; they map onto the same domain requests as the REST bodies."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import UNSET

from app.domain.branches import CreateBranch
from app.domain.databases import CreateDatabase, UpdateDatabase
from app.domain.snapshots import CreateSnapshot


@strawberry.input(description="Limits; a field left out keeps its value, null lifts the limit")
class ResourcesInput:
    memory: str | None = UNSET
    cpus: float | None = UNSET

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if value is not UNSET}


@strawberry.input
class CreateDatabaseInput:
    name: str
    type: str
    version: str | None = None
    description: str | None = None
    resources: ResourcesInput | None = None

    def request(self) -> CreateDatabase:
        return CreateDatabase(
            name=self.name,
            type=self.type,
            version=self.version,
            description=self.description,
            resources=self.resources.as_dict() if self.resources else None,
        )


@strawberry.input(description="Fields left out are not changed")
class UpdateDatabaseInput:
    name: str | None = UNSET
    description: str | None = UNSET
    resources: ResourcesInput | None = UNSET

    def request(self) -> UpdateDatabase:
        given = {key: value for key, value in vars(self).items() if value is not UNSET}
        if isinstance(given.get("resources"), ResourcesInput):
            given["resources"] = given["resources"].as_dict()
        return UpdateDatabase(**given, fields=frozenset(given))


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

    def request(self) -> CreateBranch:
        return CreateBranch(name=self.name, description=self.description)
