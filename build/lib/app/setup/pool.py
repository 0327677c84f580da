"""`stagdb setup` storage: make the pool path a copy-on-write pool, on an image file if need be.

An existing pool is used as it is: a path on btrfs, on a filesystem with reflinks (XFS), or the
mountpoint of a ZFS dataset. Otherwise setup makes one in a sparse image file in the data dir
(btrfs by default, as `auto`), and after a reboot mounts or imports that image again instead of
formatting a new one. A non-empty plain directory is never mounted over.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from app.drivers import shell
from app.drivers.storage import ZFS_FILESYSTEM_TYPES, detect_kind, mounts
from app.setup.host import SetupError

IMAGE_NAMES = {"btrfs": "pool-btrfs.img", "reflink": "pool-xfs.img", "zfs": "pool-zfs.img"}
MKFS = {"btrfs": ["mkfs.btrfs", "-q"], "reflink": ["mkfs.xfs", "-q", "-m", "reflink=1"]}
USABLE_KINDS = {"btrfs": ("btrfs",), "reflink": ("btrfs", "reflink")}
ZFS_START_TIMEOUT_S = 30


def prepare_pool(
    kind: str, pool_path: Path, data_dir: Path, size_gib: int, report: Callable[[str], None]
) -> str:
    """Make `pool_path` a usable pool of `kind` (`auto`: the best available) and return the kind."""
    chosen = _choose_kind(kind, pool_path, data_dir)
    try:
        if chosen == "copy":
            pool_path.mkdir(parents=True, exist_ok=True)
        elif chosen == "zfs":
            _prepare_zfs(pool_path, data_dir, size_gib, report)
        elif detect_kind(pool_path) not in USABLE_KINDS[chosen]:
            _mount_image(chosen, pool_path, data_dir, size_gib, report)
    except shell.CommandFailed as exc:
        raise SetupError(f"preparing the {chosen} pool at {pool_path} failed: {exc}") from exc
    return chosen


def zfs_pool_name(data_dir: Path) -> str:
    """The name of the ZFS pool setup makes for `data_dir`, unique per data dir on a host."""
    return "stagdb-" + hashlib.sha256(str(data_dir).encode()).hexdigest()[:8]


def ensure_zfs_daemon(
    log_path: Path, report: Callable[[str], None]
) -> subprocess.Popen[bytes] | None:
    """Start zfs-fuse when no ZFS answers; return the process when this call started it."""
    if zfs_answers():
        return None
    report("starting zfs-fuse")
    if Path("/run/systemd/system").is_dir():
        shell.run(["systemctl", "start", "zfs-fuse"], timeout_s=60)
        process = None
    else:
        process = _spawn_zfs_fuse(log_path)
    deadline = time.monotonic() + ZFS_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if zfs_answers():
            return process
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.05)
    raise SetupError(f"zfs-fuse did not start; see {log_path}")


def _choose_kind(kind: str, pool_path: Path, data_dir: Path) -> str:
    if kind != "auto":
        return kind
    for candidate, image_name in IMAGE_NAMES.items():
        if (data_dir / image_name).exists():
            return candidate
    found = detect_kind(pool_path)
    if found != "copy":
        return found
    return "copy" if _holds_files(pool_path) else "btrfs"


def _mount_image(
    kind: str, pool_path: Path, data_dir: Path, size_gib: int, report: Callable[[str], None]
) -> None:
    image = data_dir / IMAGE_NAMES[kind]
    _require_empty(pool_path, kind)
    if not image.exists():
        report(f"creating a {size_gib} GiB {kind} pool in {image}")
        _make_image(image, size_gib, MKFS[kind])
    pool_path.mkdir(parents=True, exist_ok=True)
    shell.run(["mount", "-o", "loop", str(image), str(pool_path)])
    report(f"mounted {image} at {pool_path}")
    if detect_kind(pool_path) not in USABLE_KINDS[kind]:
        raise SetupError(f"{image} is mounted at {pool_path} but is not a {kind} filesystem")


def _make_image(image: Path, size_gib: int, mkfs: list[str]) -> None:
    """Format into a scratch name first, so a failed run never leaves a half-made image."""
    image.parent.mkdir(parents=True, exist_ok=True)
    scratch = image.with_name(image.name + ".partial")
    scratch.unlink(missing_ok=True)
    shell.run(["truncate", "-s", f"{size_gib}G", str(scratch)])
    shell.run([*mkfs, str(scratch)], timeout_s=600)
    scratch.rename(image)


def _prepare_zfs(
    pool_path: Path, data_dir: Path, size_gib: int, report: Callable[[str], None]
) -> None:
    ensure_zfs_daemon(data_dir / "zfs-fuse.log", report)
    root = Path(os.path.realpath(pool_path))
    _remount_zfs(root)
    if detect_kind(root) == "zfs":
        return
    _import_or_create_zpool(root, data_dir, size_gib, report)
    _remount_zfs(root)
    if detect_kind(root) != "zfs":
        raise SetupError(f"no ZFS dataset is mounted at {pool_path}")


def _import_or_create_zpool(
    pool_path: Path, data_dir: Path, size_gib: int, report: Callable[[str], None]
) -> None:
    name = zfs_pool_name(data_dir)
    image = data_dir / IMAGE_NAMES["zfs"]
    if name in shell.run(["zpool", "list", "-H", "-o", "name"]).split():
        return
    if image.exists():
        report(f"importing ZFS pool {name} from {image}")
        shell.run(["zpool", "import", "-d", str(data_dir), name], timeout_s=120)
        return
    _require_empty(pool_path, "zfs")
    report(f"creating a {size_gib} GiB ZFS pool {name} in {image}")
    data_dir.mkdir(parents=True, exist_ok=True)
    shell.run(["truncate", "-s", f"{size_gib}G", str(image)])
    try:
        shell.run(["zpool", "create", "-m", str(pool_path), name, str(image)], timeout_s=120)
    except shell.CommandFailed:
        image.unlink()
        raise


def _remount_zfs(root: Path) -> None:
    """Detach the dead mounts a stopped zfs-fuse left at, above or under `root`, then mount
    the datasets that belong there (`zfs list` puts parents before their children)."""
    _detach_dead_zfs_mounts(root)
    listing = shell.run(["zfs", "list", "-H", "-o", "name,mountpoint,mounted", "-t", "filesystem"])
    for line in listing.splitlines():
        name, mountpoint, mounted = line.split("\t")
        if mounted == "no" and mountpoint.startswith("/") and _related(Path(mountpoint), root):
            shell.run(["zfs", "mount", name])


def _detach_dead_zfs_mounts(root: Path) -> None:
    """Outermost first: a mount under a dead one cannot even be looked up, but a lazy unmount
    of the outer mount detaches everything below it too."""
    while True:
        dead = [
            mount.mount_point
            for mount in mounts()
            if mount.fs_type in ZFS_FILESYSTEM_TYPES
            and _related(mount.mount_point, root)
            and _is_dead(mount.mount_point)
        ]
        if not dead:
            return
        shell.run(["umount", "-l", str(min(dead, key=lambda path: len(path.parts)))])


def _related(path: Path, root: Path) -> bool:
    return path == root or path in root.parents or root in path.parents


def _is_dead(mount_point: Path) -> bool:
    """statvfs, not stat: the kernel answers stat from its FUSE attribute cache for a long
    time after the daemon died (zfs-fuse's zfsrc sets fuse-attr-timeout = 3600)."""
    try:
        os.statvfs(mount_point)
    except OSError as exc:
        return exc.errno == errno.ENOTCONN
    return False


def zfs_answers() -> bool:
    try:
        shell.run(["zpool", "list", "-H", "-o", "name"], timeout_s=10)
    except shell.CommandFailed:
        return False
    return True


def _spawn_zfs_fuse(log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        try:
            return subprocess.Popen(
                ["zfs-fuse", "--no-daemon", "--no-kstat-mount"],
                stdout=log_file,
                stderr=log_file,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise SetupError("zfs-fuse is not installed: apt-get install zfs-fuse") from None


def _holds_files(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def _require_empty(pool_path: Path, kind: str) -> None:
    if _holds_files(pool_path):
        raise SetupError(
            f"{pool_path} holds files but is not a {kind} pool: empty it, or point "
            "STAGDB_POOL_PATH at an empty directory or an existing pool"
        )
