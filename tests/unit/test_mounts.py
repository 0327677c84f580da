"""The mount table read for a path's file system type (what tells a FUSE pool apart)."""

from __future__ import annotations

from pathlib import Path

from app.drivers import mounts
from app.drivers.storage.copy import CopyPool


def test_a_paths_file_system_is_that_of_the_deepest_mount_holding_it(tmp_path: Path) -> None:
    assert mounts.file_system_type(Path("/proc/self/status")) == "proc"
    assert mounts.file_system_type(Path("/proc")) == "proc"
    assert mounts.file_system_type(Path("/dev/shm/not-there")) == "tmpfs"
    assert mounts.file_system_type(tmp_path) not in (None, "proc")
    assert mounts.file_system_type(Path("/procfs-lookalike")) == mounts.file_system_type(Path("/"))


def test_a_pool_on_a_kernel_file_system_syncs_as_a_whole(tmp_path: Path) -> None:
    assert CopyPool(tmp_path).syncs_as_a_whole()
