"""The `btrfs` backend: a subvolume per volume, read-only subvolume snapshots, writable clones.
Subvolumes are made, snapshotted and deleted by ioctl (`btrfs_ioctl`), quotas by the tool.

Layout under the pool root (any directory on a btrfs filesystem):
`volumes/<volume>` is a subvolume and `snapshots/<volume>/<snapshot>` a read-only snapshot of
it. A btrfs snapshot shares extents with its source but does not depend on it, so snapshots and
volumes with clones can be destroyed at any time: nothing ever raises `VolumeBusy` here.
Space: `measure.extent_usage`, the same FIEMAP reading `btrfs filesystem du` makes (it reports
as exclusive what FIEMAP does not flag as shared), but in-process, so a file the running engine
removes meanwhile is skipped instead of failing the measurement; no quota groups are needed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.drivers import shell
from app.drivers.storage import btrfs_ioctl
from app.drivers.storage.base import DirectoryLayoutPool, SpaceUsage, StorageFailure
from app.drivers.storage.measure import extent_usage


class BtrfsPool(DirectoryLayoutPool):
    kind = "btrfs"
    copy_on_write = True
    atomic_snapshots = True
    supports_quotas = True

    def limit_volume(self, volume: str, size_bytes: int) -> None:
        """An exclusive-bytes qgroup limit (quotas are enabled on the filesystem first;
        enabling them again is a no-op)."""
        _btrfs("quota", "enable", str(self.root))
        _btrfs("qgroup", "limit", "-e", str(size_bytes), str(self.volume_path(volume)))

    def create_volume(self, volume: str) -> Path:
        target = self._free_target(self.volume_path(volume))
        _subvolume_call(f"create subvolume {target}", btrfs_ioctl.create_subvolume, target)
        return target

    def clone_volume(self, source: str, target: str) -> Path:
        return self._snapshot(self.volume_path(source), self.volume_path(target), read_only=False)

    def destroy_volume(self, volume: str) -> None:
        snapshots = self.snapshots_dir / volume
        if snapshots.is_dir():
            for snapshot in snapshots.iterdir():
                _delete_subvolume(snapshot)
            snapshots.rmdir()
        _delete_subvolume(self.volume_path(volume))

    def create_snapshot(self, volume: str, snapshot: str) -> None:
        target = self.snapshot_path(volume, snapshot)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._snapshot(self.volume_path(volume), target, read_only=True)

    def clone_snapshot(self, volume: str, snapshot: str, target: str) -> Path:
        source = self.snapshot_path(volume, snapshot)
        return self._snapshot(source, self.volume_path(target), read_only=False)

    def destroy_snapshot(self, volume: str, snapshot: str) -> None:
        _delete_subvolume(self.snapshot_path(volume, snapshot))

    def volume_usage(self, volume: str) -> SpaceUsage:
        return extent_usage(self.volume_path(volume))

    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        return extent_usage(self.snapshot_path(volume, snapshot))

    def _snapshot(self, source: Path, target: Path, read_only: bool) -> Path:
        if not source.is_dir():
            raise StorageFailure(f"snapshot source {source} does not exist")
        self._free_target(target)
        _subvolume_call(
            f"snapshot {source} as {target}", btrfs_ioctl.snapshot, source, target, read_only
        )
        return target

    @staticmethod
    def _free_target(target: Path) -> Path:
        if target.exists():
            raise StorageFailure(f"{target} already exists")
        return target


def _delete_subvolume(path: Path) -> None:
    if path.exists():
        _subvolume_call(f"delete subvolume {path}", btrfs_ioctl.delete_subvolume, path)


def _subvolume_call(what: str, call: Callable[..., None], *args: object) -> None:
    try:
        call(*args)
    except OSError as exc:
        raise StorageFailure(f"btrfs: cannot {what}: {exc.strerror or exc}") from exc


def _btrfs(*args: str) -> str:
    try:
        return shell.run(["btrfs", *args])
    except shell.CommandFailed as exc:
        raise StorageFailure(f"btrfs {' '.join(args)}: {exc}") from exc
