"""Real storage pools for the tests: btrfs, XFS and zfs-fuse on loop devices, and a plain dir.

Every run names what it makes after its own process id (`/tmp/stagdb-pooltest-<pid>-*`,
ZFS pools `stagdbtest<pid>x*`), so leftovers of a run that died can be told apart from a run in
progress and are cleared first: pools destroyed, the zfs-fuse it started stopped, mounts
detached, loop devices freed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.drivers import shell
from app.drivers.storage import BACKENDS, StoragePool, VolumeBusy, mounts
from app.drivers.storage.zfs import BUSY_ATTEMPTS, BUSY_PAUSE_S, ZfsPool
from app.setup.pool import ensure_zfs_daemon, zfs_answers, zfs_pool_name

WORKSPACE_PREFIX = "stagdb-pooltest-"
ZPOOL_PREFIX = "stagdbtest"
IMAGE_SIZE = "1G"
KINDS = ("copy", "reflink", "btrfs", "zfs")
DAEMON_STOP_TIMEOUT_S = 30
DAEMON_PID_FILE = "zfs-fuse.pid"
_test_numbers = itertools.count()


def _require_root_and(*tools: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("real storage pools need root")
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"missing {', '.join(missing)} (apt-get install btrfs-progs xfsprogs zfs-fuse)")


def _is_stale(text: str, prefix: str) -> bool:
    """Whether `text` names something of a test run (`<prefix><pid>...`) that has ended."""
    match = re.search(re.escape(prefix) + r"(\d+)", text)
    return match is not None and not _is_running(int(match.group(1)))


def _destroy_stale_zpools() -> None:
    if not zfs_answers():
        return
    for pool in shell.run(["zpool", "list", "-H", "-o", "name"]).split():
        status = shell.run(["zpool", "status", pool])
        if _is_stale(pool, ZPOOL_PREFIX) or _is_stale(status, WORKSPACE_PREFIX):
            _destroy_zpool(pool)


def _destroy_zpool(name: str) -> None:
    """`zpool destroy`, retried while zfs-fuse still calls the just-used pool busy."""
    for _ in range(BUSY_ATTEMPTS):
        try:
            shell.run(["zpool", "destroy", "-f", name])
            return
        except shell.CommandFailed as exc:
            if "busy" not in exc.stderr:
                raise
        time.sleep(BUSY_PAUSE_S)
    raise AssertionError(f"zfs-fuse kept calling pool {name} busy")


def _clear_stale_leftovers() -> None:
    _destroy_stale_zpools()
    for pid_file in Path(tempfile.gettempdir()).glob(f"{WORKSPACE_PREFIX}*/{DAEMON_PID_FILE}"):
        if _is_stale(pid_file.parent.name, WORKSPACE_PREFIX):
            _stop_orphan(int(pid_file.read_text()))
    _detach_stale_mounts()
    for line in shell.run(["losetup", "-n", "-l", "-O", "NAME,BACK-FILE"]).splitlines():
        device, _, backing = line.partition(" ")
        if _is_stale(backing, WORKSPACE_PREFIX):
            shell.run(["losetup", "-d", device])
    for leftover in Path(tempfile.gettempdir()).glob(f"{WORKSPACE_PREFIX}*"):
        if _is_stale(leftover.name, WORKSPACE_PREFIX):
            shutil.rmtree(leftover)


def _detach_stale_mounts() -> None:
    """Outermost first: a lazy unmount detaches the mounts below too, and those below a dead
    FUSE mount could not even be looked up."""
    while True:
        stale = [
            mount.mount_point
            for mount in mounts()
            if _is_stale(str(mount.mount_point), WORKSPACE_PREFIX)
        ]
        if not stale:
            return
        shell.run(["umount", "-l", str(min(stale, key=lambda path: len(path.parts)))])


@pytest.fixture(scope="session")
def workspace() -> Iterator[Path]:
    """A fresh temp dir for this run's images and mount points, after clearing dead runs'."""
    if os.geteuid() == 0:
        _clear_stale_leftovers()
    path = Path(tempfile.mkdtemp(prefix=f"{WORKSPACE_PREFIX}{os.getpid()}-"))
    yield path
    shutil.rmtree(path)


def _loop_filesystem(workspace: Path, name: str, mkfs: list[str]) -> Iterator[Path]:
    image, mount_point = workspace / f"{name}.img", workspace / name
    shell.run(["truncate", "-s", IMAGE_SIZE, str(image)])
    shell.run([*mkfs, str(image)])
    device = shell.run(["losetup", "-f", "--show", str(image)]).strip()
    mount_point.mkdir()
    try:
        shell.run(["mount", device, str(mount_point)])
        yield mount_point
    finally:
        with contextlib.suppress(shell.CommandFailed):
            shell.run(["umount", str(mount_point)])
        shell.run(["losetup", "-d", device])
        image.unlink()


@pytest.fixture(scope="session")
def btrfs_mount(workspace: Path) -> Iterator[Path]:
    _require_root_and("mkfs.btrfs", "losetup")
    yield from _loop_filesystem(workspace, "btrfs", ["mkfs.btrfs", "-q"])


@pytest.fixture(scope="session")
def xfs_mount(workspace: Path) -> Iterator[Path]:
    _require_root_and("mkfs.xfs", "losetup")
    yield from _loop_filesystem(workspace, "xfs", ["mkfs.xfs", "-q", "-m", "reflink=1"])


@pytest.fixture(scope="session")
def copy_dir(workspace: Path) -> Path:
    path = workspace / "copy"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def zfs_daemon(workspace: Path) -> Iterator[None]:
    """A running ZFS; zfs-fuse is started (and stopped afterwards) when none answers."""
    _require_root_and("zfs-fuse", "zpool", "zfs")
    started = ensure_zfs_daemon(workspace / "zfs-fuse.log", lambda _: None)
    if started is not None:
        (workspace / DAEMON_PID_FILE).write_text(str(started.pid))
    _destroy_stale_zpools()
    try:
        yield
    finally:
        if started is not None:
            _stop(started)


def _stop_orphan(pid: int) -> None:
    """Stop the zfs-fuse a dead run started (it is nobody's child now, so poll for its end)."""
    if not _is_running(pid) or Path(f"/proc/{pid}/comm").read_text().strip() != "zfs-fuse":
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + DAEMON_STOP_TIMEOUT_S
    while _is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _is_running(pid):
        os.kill(pid, signal.SIGKILL)


def _is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, such as an unreaped dead run, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _stop(daemon: subprocess.Popen[bytes]) -> None:
    daemon.terminate()
    try:
        daemon.wait(timeout=DAEMON_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()


@pytest.fixture(scope="session")
def zfs_pool(zfs_daemon: None, workspace: Path) -> Iterator[ZfsPool]:
    """A ZFS pool on a 1 GiB image file, as a StoragePool whose volumes hold each test's pool."""
    name = f"{ZPOOL_PREFIX}{os.getpid()}x{secrets.token_hex(3)}"
    image = workspace / "zfs.img"
    shell.run(["truncate", "-s", IMAGE_SIZE, str(image)])
    shell.run(["zpool", "create", "-m", str(workspace / "zfs"), name, str(image)])
    try:
        yield ZfsPool.for_dataset(name)
    finally:
        _destroy_zpool(name)
        image.unlink()


@pytest.fixture
def zfs_setup_dir(zfs_daemon: None, workspace: Path) -> Iterator[Path]:
    """A data dir for `prepare_pool("zfs")`; the pool it makes is destroyed afterwards."""
    data_dir = workspace / "setup-zfs"
    yield data_dir
    if zfs_pool_name(data_dir) in shell.run(["zpool", "list", "-H", "-o", "name"]).split():
        _destroy_zpool(zfs_pool_name(data_dir))


@pytest.fixture(params=KINDS)
def pool(request: pytest.FixtureRequest) -> Iterator[StoragePool]:
    """A pool of each backend, rooted in a directory (or ZFS dataset) of its own per test."""
    kind, name = request.param, f"t{next(_test_numbers)}"
    if kind == "zfs":
        zfs_pool: ZfsPool = request.getfixturevalue("zfs_pool")
        root = zfs_pool.create_volume(name)
    else:
        base_fixture = {"copy": "copy_dir", "reflink": "xfs_mount", "btrfs": "btrfs_mount"}[kind]
        root = request.getfixturevalue(base_fixture) / name
    pool = BACKENDS[kind](root)
    pool.prepare()
    yield pool
    destroy_all_volumes(pool)
    if kind == "zfs":
        zfs_pool.destroy_volume(name)
    else:
        shutil.rmtree(root)


def destroy_all_volumes(pool: StoragePool) -> None:
    """Destroy every volume, clones before what they depend on."""
    for _ in range(10):
        for volume in pool.list_volumes():
            with contextlib.suppress(VolumeBusy):
                pool.destroy_volume(volume)
        if not pool.list_volumes():
            return
    raise AssertionError(f"volumes left behind: {pool.list_volumes()}")
