"""The storage pool interface: volumes (one per database or template) and their snapshots.

Every backend keeps the same vocabulary, so the domain never knows which one it drives:
a *volume* is a writable directory tree, a *snapshot* is a read-only image of a volume,
and a clone is a new volume made from a snapshot (or from another volume's current state).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from app.drivers import mounts


class StorageFailure(Exception):
    """A storage operation failed; the message is for logs, never for API clients."""


class VolumeBusy(StorageFailure):
    """The volume or snapshot still has dependents (clones) and cannot be destroyed."""


@dataclass(frozen=True)
class SpaceUsage:
    logical_bytes: int
    unique_bytes: int


class StoragePool(ABC):
    kind: ClassVar[str]
    copy_on_write: ClassVar[bool]
    atomic_snapshots: ClassVar[bool]
    supports_quotas: ClassVar[bool] = False
    # Whether creates are served from a clone of the template made ahead (`SpareVolumes`):
    # cheap where a volume is a directory; a ZFS clone is a dataset with a mount of its own.
    clones_ahead: ClassVar[bool] = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def syncs_as_a_whole(self) -> bool:
        """Whether syncfs(2) on a volume puts what was written on stable storage. Not on a
        FUSE file system (zfs-fuse): the kernel passes a sync of the whole file system on to
        no FUSE daemon but a block device's, and says it is done."""
        return not mounts.file_system_type(self.root).startswith("fuse")

    @abstractmethod
    def prepare(self) -> None:
        """Create whatever layout the backend needs under the pool root (idempotent)."""

    @abstractmethod
    def volume_path(self, volume: str) -> Path: ...

    @abstractmethod
    def volume_exists(self, volume: str) -> bool: ...

    @abstractmethod
    def create_volume(self, volume: str) -> Path:
        """A new empty volume (used for templates)."""

    @abstractmethod
    def clone_volume(self, source: str, target: str) -> Path:
        """A new volume holding `source`'s current content."""

    @abstractmethod
    def destroy_volume(self, volume: str) -> None:
        """Remove a volume and its snapshots; a missing volume is not an error."""

    @abstractmethod
    def create_snapshot(self, volume: str, snapshot: str) -> None: ...

    @abstractmethod
    def clone_snapshot(self, volume: str, snapshot: str, target: str) -> Path: ...

    @abstractmethod
    def destroy_snapshot(self, volume: str, snapshot: str) -> None: ...

    @abstractmethod
    def volume_usage(self, volume: str) -> SpaceUsage: ...

    @abstractmethod
    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage: ...

    @abstractmethod
    def free_bytes(self) -> int: ...

    @abstractmethod
    def list_volumes(self) -> list[str]: ...

    def limit_volume(self, volume: str, size_bytes: int) -> None:
        """Cap the space unique to `volume` (its own writes, not what it shares with the
        volume it was cloned from); backends without quotas raise StorageFailure."""
        raise StorageFailure(f"the {self.kind} backend has no per-volume quotas")

    @abstractmethod
    def list_snapshots(self) -> list[tuple[str, str]]:
        """Every (volume, snapshot) in the pool."""


class DirectoryLayoutPool(StoragePool, ABC):
    """Pools that keep volumes in `<root>/volumes/<volume>` and snapshots in
    `<root>/snapshots/<volume>/<snapshot>` (copy, reflink, btrfs)."""

    @property
    def volumes_dir(self) -> Path:
        return self.root / "volumes"

    @property
    def snapshots_dir(self) -> Path:
        return self.root / "snapshots"

    def prepare(self) -> None:
        self.volumes_dir.mkdir(parents=True, exist_ok=True)
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)

    def volume_path(self, volume: str) -> Path:
        return self.volumes_dir / volume

    def snapshot_path(self, volume: str, snapshot: str) -> Path:
        return self.snapshots_dir / volume / snapshot

    def volume_exists(self, volume: str) -> bool:
        return self.volume_path(volume).is_dir()

    clones_ahead = True

    def free_bytes(self) -> int:
        stats = os.statvfs(self.root)
        return stats.f_bavail * stats.f_frsize

    def list_volumes(self) -> list[str]:
        if not self.volumes_dir.is_dir():
            return []
        return sorted(entry.name for entry in self.volumes_dir.iterdir() if entry.is_dir())

    def list_snapshots(self) -> list[tuple[str, str]]:
        if not self.snapshots_dir.is_dir():
            return []
        return sorted(
            (volume.name, snapshot.name)
            for volume in self.snapshots_dir.iterdir()
            if volume.is_dir()
            for snapshot in volume.iterdir()
        )
