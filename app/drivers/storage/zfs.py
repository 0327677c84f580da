"""The `zfs` backend: a dataset per volume, `zfs snapshot` for snapshots, `zfs clone` for clones.

The pool root is the mountpoint of a parent dataset; volume `v` is the child dataset
`<parent>/v`, mounted by inheritance at `<root>/v`, and snapshot `s` of it is `<parent>/v@s`.
`clone_volume(source, target)` snapshots `source@clone-<target>` and clones that; the snapshot
is pinned by the clone and destroyed together with it.

A ZFS clone depends on its origin snapshot, and this backend never moves user snapshots
between volumes: destroying a snapshot that has clones, or a volume one of whose snapshots has
clones, raises `VolumeBusy` naming the clones (the domain destroys branches first). The one
exception is a move, cloning a volume and then destroying the source (how templates are
built): when the source's only snapshot is the origin of that single copy, the copy is
promoted (`zfs promote`) and the source goes.

Space: logical bytes are `referenced`, unique bytes are `used` (the dataset's own blocks plus
those only its snapshots hold; about 0 for a fresh clone).

Runs on OpenZFS and on zfs-fuse (pool version 23), so it sticks to what both have: no `clones`
or `logical*` properties (dependents are found through `origin`), and since zfs-fuse can answer
"dataset is busy" for a dataset being destroyed, it unmounts first and retries briefly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.drivers import shell
from app.drivers.storage.base import SpaceUsage, StorageFailure, StoragePool, VolumeBusy

BUSY_ATTEMPTS = 100
BUSY_PAUSE_S = 0.05


class ZfsPool(StoragePool):
    kind = "zfs"
    copy_on_write = True
    atomic_snapshots = True
    supports_quotas = True

    def limit_volume(self, volume: str, size_bytes: int) -> None:
        """`quota`, not `refquota`: a clone's `used` counts only what it wrote itself (and its
        snapshots), where `referenced` would count the data it shares with its origin."""
        _zfs("set", f"quota={size_bytes}", self._name(volume))

    def __init__(self, root: Path, dataset: str | None = None) -> None:
        super().__init__(root)
        self._dataset = dataset

    @classmethod
    def for_dataset(cls, dataset: str) -> ZfsPool:
        """The pool whose volumes are children of `dataset`, rooted at its mountpoint."""
        mountpoint = _zfs("get", "-H", "-o", "value", "mountpoint", dataset).strip()
        return cls(Path(mountpoint), dataset)

    @property
    def dataset(self) -> str:
        """The parent dataset, found from the pool root's mountpoint on first use."""
        if self._dataset is None:
            self._dataset = _mounted_datasets().get(_real(self.root))
        if self._dataset is None:
            raise StorageFailure(f"no ZFS dataset is mounted at {self.root}")
        return self._dataset

    def prepare(self) -> None:
        """Find the parent dataset; when the root does not exist yet but its closest existing
        ancestor is a dataset's mountpoint, create the datasets down to it (`zfs create -p`)."""
        root = _real(self.root)
        anchor = next(path for path in (root, *root.parents) if path.is_dir())
        mounted = _mounted_datasets()
        if anchor not in mounted:
            raise StorageFailure(f"{anchor} is not the mountpoint of a ZFS dataset")
        dataset = mounted[anchor]
        if anchor != root:
            dataset = f"{dataset}/{root.relative_to(anchor).as_posix()}"
            _zfs("create", "-p", dataset)
        self._dataset = dataset

    def volume_path(self, volume: str) -> Path:
        return self.root / volume

    def volume_exists(self, volume: str) -> bool:
        return _exists(self._name(volume))

    def create_volume(self, volume: str) -> Path:
        self._require_absent(volume)
        _zfs("create", self._name(volume))
        return self.volume_path(volume)

    def clone_volume(self, source: str, target: str) -> Path:
        self._require_absent(target)
        origin = f"{self._name(source)}@clone-{target}"
        _zfs("snapshot", origin)
        try:
            _zfs("clone", origin, self._name(target))
        except StorageFailure:
            _destroy(origin)
            raise
        return self.volume_path(target)

    def destroy_volume(self, volume: str) -> None:
        name = self._name(volume)
        if not _exists(name):
            return
        clones = [clone for clone, origin in self._clones() if origin.startswith(f"{name}@")]
        if clones:
            self._hand_over_to_sole_copy(volume, clones)
        origin = _zfs("get", "-H", "-o", "value", "origin", name).strip()
        _unmount(name)
        _destroy(name, "-r")
        if origin.partition("@")[2].startswith("clone-"):
            _destroy(origin)

    def create_snapshot(self, volume: str, snapshot: str) -> None:
        _zfs("snapshot", self._snapshot_name(volume, snapshot))

    def clone_snapshot(self, volume: str, snapshot: str, target: str) -> Path:
        self._require_absent(target)
        _zfs("clone", self._snapshot_name(volume, snapshot), self._name(target))
        return self.volume_path(target)

    def destroy_snapshot(self, volume: str, snapshot: str) -> None:
        name = self._snapshot_name(volume, snapshot)
        if not _exists(name):
            return
        clones = [clone for clone, origin in self._clones() if origin == name]
        if clones:
            raise _busy(name, clones)
        _destroy(name)

    def volume_usage(self, volume: str) -> SpaceUsage:
        return _usage(self._name(volume))

    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        return _usage(self._snapshot_name(volume, snapshot))

    def free_bytes(self) -> int:
        return int(_zfs("get", "-Hp", "-o", "value", "available", self.dataset).strip())

    def list_volumes(self) -> list[str]:
        output = _zfs("list", "-H", "-o", "name", "-t", "filesystem", "-r", "-d", "1", self.dataset)
        prefix = f"{self.dataset}/"
        return sorted(
            line.removeprefix(prefix) for line in output.splitlines() if line.startswith(prefix)
        )

    def list_snapshots(self) -> list[tuple[str, str]]:
        output = _zfs("list", "-H", "-o", "name", "-t", "snapshot", "-r", self.dataset)
        prefix = f"{self.dataset}/"
        found = []
        for line in output.splitlines():
            if line.startswith(prefix) and "@" in line:
                volume, _, snapshot = line.removeprefix(prefix).partition("@")
                if "/" not in volume:
                    found.append((volume, snapshot))
        return sorted(found)

    def _name(self, volume: str) -> str:
        return f"{self.dataset}/{volume}"

    def _snapshot_name(self, volume: str, snapshot: str) -> str:
        return f"{self._name(volume)}@{snapshot}"

    def _require_absent(self, volume: str) -> None:
        if _exists(self._name(volume)):
            raise StorageFailure(f"volume {volume} already exists")

    def _hand_over_to_sole_copy(self, volume: str, clones: list[str]) -> None:
        """Promote the one copy `clone_volume` made of `volume`, or raise VolumeBusy.

        Cloning a volume and then destroying the source is how a volume is moved (templates are
        built that way). When the source's only snapshot is that copy's origin, promoting the
        copy gives it the data, and the origin, now on the copy, goes with the source.
        """
        name = self._name(volume)
        snapshots = _zfs("list", "-H", "-o", "name", "-t", "snapshot", "-r", "-d", "1", name)
        copy = clones[0].removeprefix(f"{self.dataset}/")
        if len(clones) > 1 or snapshots.split() != [f"{name}@clone-{copy}"]:
            raise _busy(f"volume {volume}", clones)
        _zfs("promote", clones[0])

    def _clones(self) -> list[tuple[str, str]]:
        """(clone, origin snapshot) for every clone in this pool's ZFS pool."""
        pool = self.dataset.split("/")[0]
        output = _zfs("list", "-H", "-o", "name,origin", "-t", "filesystem", "-r", pool)
        clones = []
        for line in output.splitlines():
            name, origin = line.split("\t")
            if origin != "-":
                clones.append((name, origin))
        return clones


def _busy(what: str, clones: list[str]) -> VolumeBusy:
    return VolumeBusy(f"{what} has dependent clones: {', '.join(sorted(clones))}")


def _usage(name: str) -> SpaceUsage:
    if not _exists(name):
        return SpaceUsage(logical_bytes=0, unique_bytes=0)
    output = _zfs("get", "-Hp", "-o", "property,value", "used,referenced", name)
    values = dict(line.split("\t", 1) for line in output.splitlines())
    return SpaceUsage(logical_bytes=int(values["referenced"]), unique_bytes=int(values["used"]))


def _mounted_datasets() -> dict[Path, str]:
    output = _zfs("list", "-H", "-o", "name,mountpoint", "-t", "filesystem")
    datasets = {}
    for line in output.splitlines():
        name, mountpoint = line.split("\t")
        if mountpoint.startswith("/"):
            datasets[Path(mountpoint)] = name
    return datasets


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _exists(name: str) -> bool:
    try:
        shell.run(["zfs", "list", "-H", "-o", "name", "-t", "all", name])
    except shell.CommandFailed as exc:
        if "does not exist" in exc.stderr:
            return False
        raise StorageFailure(f"zfs list {name}: {exc}") from exc
    return True


def _unmount(name: str) -> None:
    try:
        _retrying_when_busy(["zfs", "unmount", name])
    except shell.CommandFailed as exc:
        if "not currently mounted" not in exc.stderr:
            raise StorageFailure(f"zfs unmount {name}: {exc}") from exc


def _destroy(name: str, *flags: str) -> None:
    try:
        _retrying_when_busy(["zfs", "destroy", *flags, name])
    except shell.CommandFailed as exc:
        if "dependent clones" in exc.stderr:
            raise VolumeBusy(f"{name} has dependent clones: {exc}") from exc
        raise StorageFailure(f"zfs destroy {name}: {exc}") from exc


def _retrying_when_busy(argv: list[str]) -> str:
    for _ in range(BUSY_ATTEMPTS - 1):
        try:
            return shell.run(argv)
        except shell.CommandFailed as exc:
            if "busy" not in exc.stderr:
                raise
        time.sleep(BUSY_PAUSE_S)
    return shell.run(argv)


def _zfs(*args: str) -> str:
    try:
        return shell.run(["zfs", *args])
    except shell.CommandFailed as exc:
        raise StorageFailure(f"zfs {' '.join(args)}: {exc}") from exc
