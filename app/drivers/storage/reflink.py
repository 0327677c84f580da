"""The `reflink` backend: the `copy` layout, but every file is cloned with FICLONE (XFS, btrfs).

Clones and snapshots are `cp -a --reflink=always`, which fails loudly on a filesystem that
cannot share extents rather than silently copying. Copies are not atomic (the domain freezes a
running database around them) and never depend on their source, so destroying a snapshot or a
volume that has clones always works.

Space: `measure.extent_usage` (apparent size, and the extents FIEMAP does not flag as shared).
"""

from __future__ import annotations

from app.drivers.storage.base import SpaceUsage
from app.drivers.storage.copy import CopyPool
from app.drivers.storage.measure import extent_usage


class ReflinkPool(CopyPool):
    kind = "reflink"
    copy_on_write = True
    atomic_snapshots = False
    cp_flags = ("--reflink=always",)

    def volume_usage(self, volume: str) -> SpaceUsage:
        return extent_usage(self.volume_path(volume))

    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        return extent_usage(self.snapshot_path(volume, snapshot))
