"""Where a host's CPU went during a measurement: the engines' containers, the StagDB server,
Docker's daemons and shims, this benchmark process, the kernel's memory-reclaim threads, and
the rest of the host.

The reclaim threads are counted apart because their cost follows the engines: with DAMON's
proactive reclaim on (`kdamond`, as on the machines these figures come from), checking which
pages were used walks every process that maps them, and a host of idle engines has thousands.

Read from /proc and the cgroup v1 `cpuacct` hierarchy Docker makes (`docker/<id>`); on a
host without it the engines' share is counted under "other". Processes and containers that
ended between the two readings are missed, so take the second before removing anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
CPUACCT_DOCKER = Path("/sys/fs/cgroup/cpuacct/docker")
DOCKER_DAEMONS = ("dockerd", "containerd", "containerd-shim", "runc")
RECLAIM_THREADS = ("kdamond", "kswapd", "kcompactd")
GROUPS = ("engines", "stagdb", "docker", "bench", "reclaim")


@dataclass(frozen=True)
class Reading:
    busy_s: float  # the whole host: every core's non-idle time
    containers_s: dict[str, float]
    processes_s: dict[int, tuple[str, float]]  # pid → (group, seconds)


def read(server_data_dir: Path) -> Reading:
    return Reading(_host_busy(), _containers(), _processes(str(server_data_dir)))


def spent(before: Reading, after: Reading) -> dict[str, float]:
    """Seconds of CPU per group between the readings, and `total` for the host."""
    groups = dict.fromkeys(GROUPS, 0.0)
    for container, seconds in after.containers_s.items():
        groups["engines"] += seconds - before.containers_s.get(container, 0.0)
    for pid, (group, seconds) in after.processes_s.items():
        earlier = before.processes_s.get(pid)
        groups[group] += seconds - (earlier[1] if earlier and earlier[0] == group else 0.0)
    total = after.busy_s - before.busy_s
    return {**groups, "other": max(total - sum(groups.values()), 0.0), "total": total}


def describe(spent_s: dict[str, float], wall_s: float) -> str:
    cores = os.cpu_count() or 1
    parts = ", ".join(f"{group} {spent_s[group]:.2f}" for group in GROUPS)
    return (
        f"CPU {spent_s['total']:.2f}s of the {cores * wall_s:.2f}s {cores} cores gave in "
        f"{wall_s:.2f}s: {parts}, other {spent_s['other']:.2f}"
    )


def _host_busy() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / TICKS


def _containers() -> dict[str, float]:
    found: dict[str, float] = {}
    if not CPUACCT_DOCKER.is_dir():
        return found
    for directory in CPUACCT_DOCKER.iterdir():
        try:
            found[directory.name] = _cpuacct_seconds(directory)
        except (OSError, ValueError):
            continue
    return found


def container_cpu_s(container_id: str) -> float:
    """CPU one container's processes used so far (cgroup v1 cpuacct, or v2 cpu.stat)."""
    if (CPUACCT_DOCKER / container_id).is_dir():
        return _cpuacct_seconds(CPUACCT_DOCKER / container_id)
    stat = Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat")
    usage = dict(line.split() for line in stat.read_text().splitlines())
    return int(usage["usage_usec"]) / 1e6


def _cpuacct_seconds(directory: Path) -> float:
    return int((directory / "cpuacct.usage").read_text()) / 1e9


def _processes(server_data_dir: str) -> dict[int, tuple[str, float]]:
    """The processes outside the engines' containers that belong to a group."""
    me = os.getpid()
    found: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            group = _group(pid, me, server_data_dir)
            if group is not None:
                found[pid] = (group, _cpu_seconds(pid))
        except OSError:
            continue
    return found


def _group(pid: int, me: int, server_data_dir: str) -> str | None:
    if pid == me:
        return "bench"
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    if comm.startswith(DOCKER_DAEMONS):
        return "docker"
    if comm.startswith(RECLAIM_THREADS):
        return "reclaim"
    if b"serve" in Path(f"/proc/{pid}/cmdline").read_bytes():
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        if f"STAGDB_DATA_DIR={server_data_dir}".encode() in environ:
            return "stagdb"
    return None


def _cpu_seconds(pid: int) -> float:
    """User and system time of the process and of its children it waited for (the `nft`,
    `btrfs` and `zfs` commands the server runs)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICKS
