"""The `copy` backend: plain directories on any filesystem; clones are full copies (O(size))."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.drivers import shell
from app.drivers.storage.base import DirectoryLayoutPool, SpaceUsage, StorageFailure
from app.drivers.storage.measure import allocated_bytes


class CopyPool(DirectoryLayoutPool):
    kind = "copy"
    copy_on_write = False
    atomic_snapshots = False
    cp_flags: tuple[str, ...] = ("--reflink=never",)

    def create_volume(self, volume: str) -> Path:
        path = self.volume_path(volume)
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise StorageFailure(f"create volume {volume}: {exc}") from exc
        return path

    def clone_volume(self, source: str, target: str) -> Path:
        return self._copy_tree(self.volume_path(source), self.volume_path(target))

    def destroy_volume(self, volume: str) -> None:
        _remove_tree(self.snapshots_dir / volume)
        _remove_tree(self.volume_path(volume))

    def create_snapshot(self, volume: str, snapshot: str) -> None:
        self.snapshot_path(volume, snapshot).parent.mkdir(parents=True, exist_ok=True)
        self._copy_tree(self.volume_path(volume), self.snapshot_path(volume, snapshot))

    def clone_snapshot(self, volume: str, snapshot: str, target: str) -> Path:
        return self._copy_tree(self.snapshot_path(volume, snapshot), self.volume_path(target))

    def destroy_snapshot(self, volume: str, snapshot: str) -> None:
        _remove_tree(self.snapshot_path(volume, snapshot))

    def volume_usage(self, volume: str) -> SpaceUsage:
        size = allocated_bytes(self.volume_path(volume))
        return SpaceUsage(logical_bytes=size, unique_bytes=size)

    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        size = allocated_bytes(self.snapshot_path(volume, snapshot))
        return SpaceUsage(logical_bytes=size, unique_bytes=size)

    def _copy_tree(self, source: Path, target: Path) -> Path:
        if not source.is_dir():
            raise StorageFailure(f"clone source {source} does not exist")
        if target.exists():
            raise StorageFailure(f"clone target {target} already exists")
        try:
            shell.run(["cp", "-a", *self.cp_flags, str(source), str(target)])
        except shell.CommandFailed as exc:
            _remove_tree(target)
            raise StorageFailure(f"copy {source} to {target}: {exc}") from exc
        return target


def _remove_tree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
