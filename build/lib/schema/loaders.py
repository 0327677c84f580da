"""Per-request dataloaders: each batches one relation into a single metadata query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from app.domain.services import Services
from app.domain.views import DatabaseView, SnapshotView


@dataclass
class Loaders:
    database: DataLoader[str, DatabaseView | None]
    snapshot: DataLoader[str, SnapshotView | None]
    branches_of_database: DataLoader[str, list[DatabaseView]]
    branches_of_snapshot: DataLoader[str, list[DatabaseView]]
    snapshots_of_database: DataLoader[str, list[SnapshotView]]

    @classmethod
    def build(cls, services: Services) -> Loaders:
        databases, snapshots = services.databases, services.snapshots

        async def load_databases(ids: Sequence[str]) -> list[DatabaseView | None]:
            found = await databases.views_by_ids(ids)
            return [found.get(i) for i in ids]

        async def load_snapshots(ids: Sequence[str]) -> list[SnapshotView | None]:
            found = await snapshots.views_by_ids(ids)
            return [found.get(i) for i in ids]

        async def load_branches(ids: Sequence[str]) -> list[list[DatabaseView]]:
            found = await databases.branches_of(ids)
            return [found.get(i, []) for i in ids]

        async def load_snapshot_branches(ids: Sequence[str]) -> list[list[DatabaseView]]:
            found = await databases.branches_of_snapshots(ids)
            return [found.get(i, []) for i in ids]

        async def load_database_snapshots(ids: Sequence[str]) -> list[list[SnapshotView]]:
            found = await snapshots.of_databases(ids)
            return [found.get(i, []) for i in ids]

        return cls(
            database=DataLoader(load_databases),
            snapshot=DataLoader(load_snapshots),
            branches_of_database=DataLoader(load_branches),
            branches_of_snapshot=DataLoader(load_snapshot_branches),
            snapshots_of_database=DataLoader(load_database_snapshots),
        )
