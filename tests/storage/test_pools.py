"""The same behaviour suite on every storage backend, on real filesystems, plus `prepare_pool`."""

from __future__ import annotations

import itertools
import os
import shutil
import stat
import threading
import time
from pathlib import Path

import pytest

from app.drivers import shell
from app.drivers.storage import StorageFailure, StoragePool, VolumeBusy, detect_kind, open_pool
from app.drivers.storage.btrfs import BtrfsPool
from app.setup.host import SetupError
from app.setup.pool import IMAGE_NAMES, prepare_pool, zfs_pool_name
from tests.pools import destroy_all_volumes

MIB = 1024**2
DATA_UID = 999


def _fill(path: Path, data_mib: int = 1) -> None:
    """Make `path` look like a PostgreSQL data dir: owned by uid 999, mode 0700, with data."""
    os.chown(path, DATA_UID, DATA_UID)
    path.chmod(0o700)
    base = path / "base"
    base.mkdir(mode=0o700)
    os.chown(base, DATA_UID, DATA_UID)
    (base / "data").write_bytes(os.urandom(data_mib * MIB))
    os.chown(base / "data", DATA_UID, DATA_UID)
    (path / "PG_VERSION").write_text("original\n")


def _version(pool: StoragePool, volume: str) -> str:
    return (pool.volume_path(volume) / "PG_VERSION").read_text()


def _set_version(pool: StoragePool, volume: str, text: str) -> None:
    (pool.volume_path(volume) / "PG_VERSION").write_text(text)


def _owner_and_mode(path: Path) -> tuple[int, int]:
    stats = path.stat()
    return stats.st_uid, stat.S_IMODE(stats.st_mode)


def _volume_with_data(pool: StoragePool, volume: str = "db-000000000001", mib: int = 1) -> str:
    _fill(pool.create_volume(volume), mib)
    return volume


def test_new_volume_is_empty_writable_and_listed(pool: StoragePool) -> None:
    path = pool.create_volume("tpl-postgresql-15")

    assert path == pool.volume_path("tpl-postgresql-15")
    assert pool.volume_exists("tpl-postgresql-15")
    assert pool.list_volumes() == ["tpl-postgresql-15"]
    assert list(path.iterdir()) == []
    (path / "file").write_text("x")


def test_clone_volume_keeps_content_and_ownership(pool: StoragePool) -> None:
    source = _volume_with_data(pool)

    target = pool.clone_volume(source, "db-000000000002")

    assert target == pool.volume_path("db-000000000002")
    assert _owner_and_mode(target) == (DATA_UID, 0o700)
    assert _owner_and_mode(target / "base") == (DATA_UID, 0o700)
    assert (target / "base" / "data").stat().st_uid == DATA_UID
    data = (pool.volume_path(source) / "base" / "data").read_bytes()
    assert (target / "base" / "data").read_bytes() == data
    assert pool.list_volumes() == [source, "db-000000000002"]


def test_clone_volume_is_independent_of_its_source(pool: StoragePool) -> None:
    source = _volume_with_data(pool)
    pool.clone_volume(source, "db-000000000002")

    _set_version(pool, "db-000000000002", "written in the clone\n")
    _set_version(pool, source, "written in the source\n")

    assert _version(pool, "db-000000000002") == "written in the clone\n"
    assert _version(pool, source) == "written in the source\n"


def test_snapshot_is_an_image_of_the_moment(pool: StoragePool) -> None:
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")
    _set_version(pool, volume, "written after the snapshot\n")

    first = pool.clone_snapshot(volume, "snap-000000000001", "db-000000000002")
    (first / "PG_VERSION").write_text("written in the first clone\n")
    second = pool.clone_snapshot(volume, "snap-000000000001", "db-000000000003")

    assert (second / "PG_VERSION").read_text() == "original\n"
    assert _owner_and_mode(second) == (DATA_UID, 0o700)
    assert _version(pool, volume) == "written after the snapshot\n"
    assert _version(pool, "db-000000000002") == "written in the first clone\n"


def test_snapshots_of_a_volume_are_kept_apart(pool: StoragePool) -> None:
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")
    _set_version(pool, volume, "second\n")
    pool.create_snapshot(volume, "snap-000000000002")

    pool.clone_snapshot(volume, "snap-000000000001", "db-000000000002")
    pool.clone_snapshot(volume, "snap-000000000002", "db-000000000003")

    assert _version(pool, "db-000000000002") == "original\n"
    assert _version(pool, "db-000000000003") == "second\n"


def test_destroying_a_snapshot_with_a_clone(pool: StoragePool) -> None:
    """ZFS clones depend on their snapshot; the other backends' clones are independent copies."""
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")
    pool.clone_snapshot(volume, "snap-000000000001", "db-000000000002")

    if pool.kind == "zfs":
        with pytest.raises(VolumeBusy, match="db-000000000002"):
            pool.destroy_snapshot(volume, "snap-000000000001")
        pool.clone_snapshot(volume, "snap-000000000001", "db-000000000003")
        assert _version(pool, "db-000000000003") == "original\n"
    else:
        pool.destroy_snapshot(volume, "snap-000000000001")
        with pytest.raises(StorageFailure):
            pool.clone_snapshot(volume, "snap-000000000001", "db-000000000003")
    assert _version(pool, "db-000000000002") == "original\n"


def test_destroying_a_snapshot_after_its_clones(pool: StoragePool) -> None:
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")
    pool.clone_snapshot(volume, "snap-000000000001", "db-000000000002")

    pool.destroy_volume("db-000000000002")
    pool.destroy_snapshot(volume, "snap-000000000001")

    with pytest.raises(StorageFailure):
        pool.clone_snapshot(volume, "snap-000000000001", "db-000000000003")


def test_destroy_volume_removes_it_and_its_snapshots(pool: StoragePool) -> None:
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")

    pool.destroy_volume(volume)

    assert not pool.volume_exists(volume)
    assert pool.list_volumes() == []
    assert not pool.volume_path(volume).exists()
    pool.create_volume(volume)
    pool.create_snapshot(volume, "snap-000000000001")


def test_destroying_a_volume_with_a_branch(pool: StoragePool) -> None:
    """On ZFS the domain must destroy branches first; elsewhere branches are independent."""
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")
    pool.clone_snapshot(volume, "snap-000000000001", "db-000000000002")

    if pool.kind == "zfs":
        with pytest.raises(VolumeBusy, match="db-000000000002"):
            pool.destroy_volume(volume)
        assert _version(pool, volume) == "original\n"
        pool.destroy_volume("db-000000000002")
    pool.destroy_volume(volume)

    assert not pool.volume_exists(volume)


def test_a_branch_of_the_current_state_pins_its_source_only_while_it_exists(
    pool: StoragePool,
) -> None:
    source = _volume_with_data(pool)
    pool.clone_volume(source, "db-000000000002")
    pool.create_snapshot(source, "snap-000000000001")

    if pool.kind == "zfs":
        with pytest.raises(VolumeBusy, match="db-000000000002"):
            pool.destroy_volume(source)
    pool.destroy_volume("db-000000000002")
    pool.destroy_volume(source)

    assert pool.list_volumes() == []


def test_moving_a_volume_by_cloning_then_destroying_the_source(pool: StoragePool) -> None:
    """How templates are built: clone the `-building` volume, then destroy it."""
    building = _volume_with_data(pool, "tpl-postgresql-15-building")

    pool.clone_volume(building, "tpl-postgresql-15")
    pool.destroy_volume(building)

    assert pool.list_volumes() == ["tpl-postgresql-15"]
    assert _version(pool, "tpl-postgresql-15") == "original\n"
    pool.clone_volume("tpl-postgresql-15", "db-000000000001")
    pool.destroy_volume("db-000000000001")
    pool.destroy_volume("tpl-postgresql-15")
    assert pool.list_volumes() == []


def test_destroying_what_is_missing_is_not_an_error(pool: StoragePool) -> None:
    pool.destroy_volume("db-00000000dead")
    pool.create_volume("db-000000000001")
    pool.destroy_snapshot("db-000000000001", "snap-00000000dead")
    assert not pool.volume_exists("db-00000000dead")


def test_volumes_are_never_overwritten(pool: StoragePool) -> None:
    source = _volume_with_data(pool)
    pool.create_volume("db-000000000002")
    pool.create_snapshot(source, "snap-000000000001")

    with pytest.raises(StorageFailure):
        pool.create_volume("db-000000000002")
    with pytest.raises(StorageFailure):
        pool.clone_volume(source, "db-000000000002")
    with pytest.raises(StorageFailure):
        pool.clone_snapshot(source, "snap-000000000001", "db-000000000002")
    with pytest.raises(StorageFailure):
        pool.clone_volume("db-00000000dead", "db-000000000003")
    assert list(pool.volume_path("db-000000000002").iterdir()) == []


def test_a_fresh_clone_shares_its_data_on_copy_on_write_backends(pool: StoragePool) -> None:
    source = _volume_with_data(pool, mib=50)
    pool.clone_volume(source, "db-000000000002")
    pool.create_snapshot(source, "snap-000000000001")

    clone = pool.volume_usage("db-000000000002")
    snapshot = pool.snapshot_usage(source, "snap-000000000001")

    for usage in (clone, snapshot):
        assert 50 * MIB <= usage.logical_bytes < 55 * MIB
        if pool.copy_on_write:
            assert usage.unique_bytes < 5 * MIB
        else:
            assert usage.unique_bytes == usage.logical_bytes


def test_measuring_a_volume_whose_files_come_and_go(pool: StoragePool) -> None:
    """A running engine creates and removes files (WAL segments, temp files) while its volume
    is measured: the measurement answers, it never fails on a file that vanished."""
    volume = _volume_with_data(pool)
    pool.create_snapshot(volume, "snap-000000000001")  # commits the steady data (ZFS: a txg)
    churn_dir = pool.volume_path(volume) / "pg_wal"
    churn_dir.mkdir()
    stop = threading.Event()

    def churn() -> None:
        round_ = 0
        while not stop.is_set():
            batch = [churn_dir / f"{round_}-{n}" for n in range(50)]
            for path in batch:
                path.write_bytes(b"x" * 8192)
            for path in batch:
                path.unlink()
            round_ += 1

    churner = threading.Thread(target=churn)
    churner.start()
    try:
        readings = [pool.volume_usage(volume) for _ in range(100)]
    finally:
        stop.set()
        churner.join()
    assert all(reading.logical_bytes >= MIB for reading in readings), readings[:3]


def test_free_bytes_and_detection(pool: StoragePool) -> None:
    assert pool.free_bytes() > 0
    assert detect_kind(pool.root) == pool.kind
    assert open_pool("auto", pool.root).kind == pool.kind


def _unmount(path: Path) -> None:
    shell.run(["umount", str(path)])


@pytest.mark.parametrize(
    ("kind", "made"), [("auto", "btrfs"), ("btrfs", "btrfs"), ("reflink", "reflink")]
)
def test_prepare_pool_makes_a_pool_on_an_image_once(
    workspace: Path, btrfs_mount: Path, xfs_mount: Path, kind: str, made: str
) -> None:
    data_dir = workspace / f"setup-{kind}"
    pool_path = data_dir / "pool"
    messages: list[str] = []
    try:
        assert prepare_pool(kind, pool_path, data_dir, 1, messages.append) == made
        assert detect_kind(pool_path) == made
        assert (data_dir / IMAGE_NAMES[made]).exists()
        (pool_path / "marker").write_text("kept")

        messages.clear()
        started = time.monotonic()
        assert prepare_pool(kind, pool_path, data_dir, 1, messages.append) == made
        assert time.monotonic() - started < 1
        assert messages == []

        _unmount(pool_path)
        assert prepare_pool(kind, pool_path, data_dir, 1, messages.append) == made
        assert [message for message in messages if "creating" in message] == []
        assert (pool_path / "marker").read_text() == "kept"
    finally:
        if detect_kind(pool_path) != "copy":
            _unmount(pool_path)


def test_prepare_pool_makes_a_zfs_pool_once_and_imports_it_again(zfs_setup_dir: Path) -> None:
    data_dir = zfs_setup_dir
    pool_path = data_dir / "pool"
    messages: list[str] = []

    assert prepare_pool("zfs", pool_path, data_dir, 1, messages.append) == "zfs"
    assert detect_kind(pool_path) == "zfs"
    assert (data_dir / IMAGE_NAMES["zfs"]).exists()
    (pool_path / "marker").write_text("kept")

    messages.clear()
    started = time.monotonic()
    assert prepare_pool("zfs", pool_path, data_dir, 1, messages.append) == "zfs"
    assert time.monotonic() - started < 1
    assert messages == []

    shell.run(["zpool", "export", zfs_pool_name(data_dir)])
    assert prepare_pool("auto", pool_path, data_dir, 1, messages.append) == "zfs"
    assert any("importing" in message for message in messages)
    assert (pool_path / "marker").read_text() == "kept"


def test_prepare_pool_uses_an_existing_filesystem_as_it_is(
    workspace: Path, btrfs_mount: Path
) -> None:
    data_dir = workspace / "setup-existing"
    pool_path = btrfs_mount / "stagdb-pool"

    assert prepare_pool("auto", pool_path, data_dir, 1, lambda _: None) == "btrfs"
    assert not data_dir.exists()


def test_prepare_pool_never_mounts_over_files(workspace: Path, btrfs_mount: Path) -> None:
    data_dir = workspace / "setup-files"
    pool_path = data_dir / "pool"
    pool_path.mkdir(parents=True)
    (pool_path / "volumes").mkdir()

    assert prepare_pool("auto", pool_path, data_dir, 1, lambda _: None) == "copy"
    with pytest.raises(SetupError, match="holds files"):
        prepare_pool("btrfs", pool_path, data_dir, 1, lambda _: None)
    assert sorted(path.name for path in data_dir.iterdir()) == ["pool"]


def test_btrfs_snapshots_are_read_only_subvolumes_and_failures_say_what_failed(
    btrfs_mount: Path,
) -> None:
    """The btrfs backend makes its subvolumes by ioctl: what `btrfs subvolume` reports about
    them is what the tool itself would have made, and a refused call names its target."""
    pool = BtrfsPool(btrfs_mount / f"ioctl-{os.getpid()}")
    pool.prepare()
    try:
        volume = _volume_with_data(pool)
        pool.create_snapshot(volume, "snap-000000000001")
        clone = pool.clone_snapshot(volume, "snap-000000000001", "db-000000000002")
        snapshot = pool.snapshot_path(volume, "snap-000000000001")
        shown = shell.run(["btrfs", "subvolume", "show", str(snapshot)])
        assert "readonly" in shown.split("Flags:", 1)[1].splitlines()[0]
        assert (
            "readonly"
            not in shell.run(["btrfs", "subvolume", "show", str(clone)])
            .split("Flags:", 1)[1]
            .splitlines()[0]
        )
        with pytest.raises(OSError):
            (snapshot / "PG_VERSION").write_text("a read-only snapshot refuses writes\n")
        assert (clone / "PG_VERSION").read_text() == "original\n"
        pool.volume_path("db-00000000000a").mkdir()  # a directory, not a subvolume
        with pytest.raises(StorageFailure, match="cannot snapshot .*db-00000000000a as .*: "):
            pool.clone_volume("db-00000000000a", "db-00000000000b")
        assert not pool.volume_path("db-00000000000b").exists()
        pool.volume_path("db-00000000000a").rmdir()
        pool.destroy_volume(volume)
        assert not pool.volume_path(volume).exists() and not snapshot.exists()
        assert "db-000000000002" in shell.run(["btrfs", "subvolume", "list", str(btrfs_mount)])
    finally:
        destroy_all_volumes(pool)
        shutil.rmtree(pool.root)


def test_a_btrfs_snapshot_lets_the_server_run_while_the_kernel_commits(
    btrfs_mount: Path,
) -> None:
    """A snapshot waits for its data to be written and a transaction commit: on a busy pool
    that is tens of milliseconds, during which the server's other threads (its event loop
    among them) must keep running. Here the source holds unwritten data, so the wait is
    long enough to see."""
    pool = BtrfsPool(btrfs_mount / f"gil-{os.getpid()}")
    pool.prepare()
    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    try:
        volume = _volume_with_data(pool, mib=1)
        (pool.volume_path(volume) / "base" / "unwritten").write_bytes(os.urandom(96 * MIB))
        ticker = threading.Thread(target=tick)
        ticker.start()
        time.sleep(0.01)
        started = time.perf_counter()
        pool.create_snapshot(volume, "snap-000000000001")
        ended = time.perf_counter()
        done.set()
        ticker.join()
        assert ended - started > 0.02, "the snapshot was too quick to tell anything"
        during = [moment for moment in ticks if started < moment < ended]
        longest_pause = max(
            b - a for a, b in itertools.pairwise(ticks) if b > started and a < ended
        )
        assert len(during) >= 5 and longest_pause < (ended - started) / 2, (
            f"other threads stood still: {len(during)} ticks in {ended - started:.3f}s, "
            f"longest pause {longest_pause:.3f}s"
        )
    finally:
        done.set()
        destroy_all_volumes(pool)
        shutil.rmtree(pool.root)
