"""Docker implementation of ContainerRuntime; the only module that touches the docker SDK."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from threading import Event, Thread
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.models import containers as sdk_containers
from docker.models.containers import Container
from docker.transport.unixconn import UnixHTTPAdapter

from app.drivers.runtime.base import (
    DATA_DIR_LABEL,
    DATABASE_LABEL,
    INSTALL_LABEL,
    MANAGED_LABEL,
    ContainerEvent,
    ContainerInfo,
    ContainerNotFound,
    ContainerSpec,
    ContainerStats,
    ExecResult,
    ImageMissing,
    LogLine,
    Mount,
    RuntimeFailure,
    RuntimeUnavailable,
)

CPU_PERIOD_US = 100_000
# Sockets, pid and lock files, temporary files: nothing there may be run or be a device.
TMPFS_OPTIONS = "rw,nosuid,nodev,noexec,mode=1777"


@contextlib.contextmanager
def docker_errors(what: str) -> Iterator[None]:
    """Translate docker SDK and transport exceptions into the runtime error tree."""
    try:
        yield
    except docker.errors.ImageNotFound as exc:
        raise ImageMissing(f"{what}: {exc.explanation}") from exc
    except docker.errors.NotFound as exc:
        raise ContainerNotFound(f"{what}: {exc.explanation}") from exc
    except (requests.exceptions.ConnectionError, docker.errors.DockerException) as exc:
        if isinstance(exc, docker.errors.APIError):
            raise RuntimeFailure(f"{what}: {exc.explanation}") from exc
        raise RuntimeUnavailable(f"{what}: Docker engine unreachable ({exc})") from exc


WATCHED_ACTIONS = ("die", "oom", "destroy", "kill", "stop", "start")
CONFLICT = 409  # the engine API's answer to a create whose name is taken
# Docker can fail to remove a container for a moment (its root filesystem still busy just after
# the engine restarted, or another removal of it under way); a removal is asked again after
# these pauses before it counts as failed.
REMOVAL_RETRY_PAUSES_S = (0.2, 0.5, 1.0, 2.0)
# The SDK's translation of `containers.create` arguments for the engine API; missing from its
# type stubs (docker is pinned below 8 in pyproject.toml).
_create_container_args = sdk_containers._create_container_args  # type: ignore[attr-defined]


class DockerRuntime:
    def __init__(self, install_id: str, data_dir: str, base_url: str | None = None) -> None:
        self.install_id = install_id
        self.data_dir = data_dir
        self._base_url = base_url
        self._client: docker.DockerClient | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            with docker_errors("connect"):
                if self._base_url:
                    self._client = docker.DockerClient(base_url=self._base_url, timeout=60)
                else:
                    self._client = docker.from_env(timeout=60)
            _lighter_local_calls(self._client.api)
        return self._client

    def ping(self) -> None:
        with docker_errors("ping"):
            self.client.ping()

    def image_exists(self, tag: str) -> bool:
        with docker_errors(f"inspect image {tag}"):
            try:
                self.client.images.get(tag)
            except docker.errors.ImageNotFound:
                return False
        return True

    def run(self, spec: ContainerSpec) -> str:
        """Create and start the container; one of this install's by the same name (left by
        an interrupted run) is replaced."""
        with docker_errors(f"run {spec.name}"):
            try:
                return self._create_and_start(spec)
            except docker.errors.APIError as exc:
                if exc.status_code != CONFLICT:
                    raise
            self.remove(spec.name)
            return self._create_and_start(spec)

    def _create_and_start(self, spec: ContainerSpec) -> str:
        """Create, then start, with the engine API's two calls only (the SDK's models would
        inspect the container after creating it): unlike the SDK's `run`, a missing image is an
        error here, never an implicit pull (images come from `stagdb setup`)."""
        api = self.client.api
        arguments = self._arguments(spec) | {"version": api.api_version}
        container_id = str(api.create_container(**_create_container_args(arguments))["Id"])
        try:
            api.start(container_id)
        except docker.errors.APIError:
            api.remove_container(container_id, force=True)
            raise
        return container_id

    def run_once(self, spec: ContainerSpec, timeout_s: float) -> ExecResult:
        """Run a container to completion and remove it, returning its exit code and output."""
        with docker_errors(f"run {spec.name}"):
            container_id = self._create_and_start(spec)
            api = self.client.api
            try:
                outcome = api.wait(container_id, timeout=math.ceil(timeout_s))
                output = api.logs(container_id, stdout=True, stderr=True).decode(errors="replace")
            finally:
                api.remove_container(container_id, force=True)
        return ExecResult(int(outcome.get("StatusCode", 1)), output)

    def start(self, container_id: str) -> None:
        with docker_errors(f"start {container_id}"):
            self._get(container_id).start()

    def stop(self, container_id: str, timeout_s: int) -> None:
        with docker_errors(f"stop {container_id}"):
            self._get(container_id).stop(timeout=timeout_s)

    def remove(self, container_id: str) -> None:
        with docker_errors(f"remove {container_id}"):
            for pause_s in (*REMOVAL_RETRY_PAUSES_S, None):
                try:
                    self._get(container_id).remove(force=True, v=True)
                    return
                except docker.errors.NotFound:
                    return
                except docker.errors.APIError as exc:
                    if pause_s is None or not _removal_may_succeed_later(exc):
                        raise
                time.sleep(pause_s)

    def rename(self, container_id: str, name: str) -> None:
        with docker_errors(f"rename {container_id}"):
            self.client.api.rename(container_id, name)

    def pause(self, container_id: str) -> None:
        with docker_errors(f"pause {container_id}"):
            self._get(container_id).pause()

    def unpause(self, container_id: str) -> None:
        with docker_errors(f"unpause {container_id}"):
            self._get(container_id).unpause()

    def exec(self, container_id: str, argv: list[str], user: str) -> ExecResult:
        with docker_errors(f"exec in {container_id}"):
            exit_code, output = self._get(container_id).exec_run(argv, user=user, demux=False)
        text = output.decode(errors="replace") if isinstance(output, bytes) else ""
        return ExecResult(int(exit_code if exit_code is not None else 1), text)

    def update_resources(
        self, container_id: str, memory_bytes: int | None, cpus: float | None
    ) -> None:
        limits: dict[str, Any] = {}
        if memory_bytes is not None:
            limits.update(mem_limit=memory_bytes, memswap_limit=memory_bytes)
        if cpus is not None:
            limits.update(cpu_period=CPU_PERIOD_US, cpu_quota=int(cpus * CPU_PERIOD_US))
        if not limits:
            return
        with docker_errors(f"update {container_id}"):
            self._get(container_id).update(**limits)

    def inspect(self, container_id: str) -> ContainerInfo:
        with docker_errors(f"inspect {container_id}"):
            return _info(self._get(container_id))

    def list_managed(self) -> list[ContainerInfo]:
        """One listing call; only containers that are not running are inspected (for their
        exit code and OOM kill), so the cost does not grow with the running ones."""
        with docker_errors("list containers"):
            listed = self.client.api.containers(
                all=True, filters={"label": f"{INSTALL_LABEL}={self.install_id}"}
            )
        found = []
        for raw in listed:
            info = _listed_info(raw)
            if info.status != "running":
                with contextlib.suppress(ContainerNotFound), docker_errors("inspect"):
                    info = _info(self._get(info.id))
            found.append(info)
        return found

    def watch(self, on_event: Callable[[ContainerEvent], None], stop: Event) -> None:
        with docker_errors("watch events"):
            stream = self.client.events(
                decode=True,
                filters={"type": "container", "label": f"{INSTALL_LABEL}={self.install_id}"},
            )

        def close_on_stop() -> None:
            stop.wait()
            stream.close()

        closer = Thread(target=close_on_stop, daemon=True)
        closer.start()
        try:
            for raw in stream:
                action = str(raw.get("Action") or raw.get("status") or "").split(":")[0]
                if action in WATCHED_ACTIONS:
                    labels = (raw.get("Actor") or {}).get("Attributes") or {}
                    on_event(
                        ContainerEvent(action, labels.get(DATABASE_LABEL), labels.get("name", ""))
                    )
                if stop.is_set():
                    return
        except (requests.exceptions.RequestException, docker.errors.DockerException, OSError):
            if not stop.is_set():
                raise RuntimeUnavailable("the Docker event stream ended") from None

    def _arguments(self, spec: ContainerSpec) -> dict[str, Any]:
        """Every container this runtime makes carries its install's label."""
        arguments = _run_arguments(spec)
        arguments["labels"] = {
            **spec.labels,
            MANAGED_LABEL: "true",
            INSTALL_LABEL: self.install_id,
            DATA_DIR_LABEL: self.data_dir,
        }
        return arguments

    def stats(self, container_id: str) -> ContainerStats:
        """One reading; the engine samples twice about a second apart so CPU % is real."""
        with docker_errors(f"stats of {container_id}"):
            raw = self._get(container_id).stats(stream=False)
        assert isinstance(raw, dict)  # stream=False answers one reading
        return _parse_stats(raw)

    def logs(self, container_id: str, tail: int, since: datetime | None) -> list[LogLine]:
        with docker_errors(f"logs of {container_id}"):
            raw = self._get(container_id).logs(
                stdout=True, stderr=True, timestamps=True, tail=tail, since=since
            )
        text = raw.decode(errors="replace")
        return [_parse_log_line(line) for line in text.split("\n") if line]

    def _get(self, container_id: str) -> Container:
        """One of this install's containers; another install's counts as not found."""
        container = self.client.containers.get(container_id)
        if (container.labels or {}).get(INSTALL_LABEL) != self.install_id:
            raise docker.errors.NotFound(f"{container_id} belongs to another install")
        return container


def _removal_may_succeed_later(failure: docker.errors.APIError) -> bool:
    """The engine's own failure (its file system busy, say), or a removal already under way:
    not a refusal of the request."""
    return failure.is_server_error() or failure.status_code == CONFLICT


def _listed_info(raw: dict[str, Any]) -> ContainerInfo:
    """A container as the listing call describes it (no exit code nor OOM flag)."""
    names = raw.get("Names") or [""]
    return ContainerInfo(
        id=str(raw["Id"]),
        name=str(names[0]).lstrip("/"),
        status=str(raw.get("State") or ""),
        labels=dict(raw.get("Labels") or {}),
        oom_killed=False,
        exit_code=None,
    )


def _lighter_local_calls(api: docker.APIClient) -> None:
    """For an engine on a local socket: no proxy or .netrc applies, so the environment is not
    read for them on every call (a fifth of an inspect's CPU in the client); and every call
    shares one pool of connections, where the SDK keeps a pool per URL and so opens a new
    connection for nearly every call (another quarter)."""
    adapter = api.get_adapter(api.base_url)
    if not isinstance(adapter, UnixHTTPAdapter):
        return
    api.trust_env = False
    per_url = adapter.get_connection

    def shared(url: str, proxies: object = None) -> object:
        return per_url(api.base_url, proxies)

    adapter.get_connection = shared  # type: ignore[method-assign, assignment]


def _info(container: Container) -> ContainerInfo:
    state = (container.attrs or {}).get("State") or {}
    return ContainerInfo(
        id=str(container.id),
        name=str(container.name),
        status=str(container.status),
        labels=dict(container.labels or {}),
        oom_killed=bool(state.get("OOMKilled")),
        exit_code=state.get("ExitCode"),
    )


def _parse_stats(raw: dict[str, Any]) -> ContainerStats:
    cpu, precpu = raw.get("cpu_stats") or {}, raw.get("precpu_stats") or {}
    cpu_delta = cpu.get("cpu_usage", {}).get("total_usage", 0) - precpu.get("cpu_usage", {}).get(
        "total_usage", 0
    )
    system_delta = cpu.get("system_cpu_usage", 0) - precpu.get("system_cpu_usage", 0)
    online = cpu.get("online_cpus") or len(cpu.get("cpu_usage", {}).get("percpu_usage") or [1])
    cpu_percent = (
        round(cpu_delta / system_delta * online * 100, 2)
        if system_delta > 0 and precpu.get("system_cpu_usage")
        else None
    )
    memory = raw.get("memory_stats") or {}
    used = memory.get("usage")
    if used is not None:
        details = memory.get("stats") or {}
        used -= details.get("total_inactive_file", details.get("inactive_file", 0))
    networks = raw.get("networks")
    io = (raw.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []
    return ContainerStats(
        cpu_percent=cpu_percent,
        memory_used_bytes=used,
        memory_limit_bytes=memory.get("limit"),
        network_rx_bytes=sum(n.get("rx_bytes", 0) for n in networks.values()) if networks else None,
        network_tx_bytes=sum(n.get("tx_bytes", 0) for n in networks.values()) if networks else None,
        block_read_bytes=sum(e["value"] for e in io if e.get("op", "").lower() == "read"),
        block_write_bytes=sum(e["value"] for e in io if e.get("op", "").lower() == "write"),
    )


def _parse_log_line(line: str) -> LogLine:
    stamp, _, message = line.partition(" ")
    try:
        # Docker writes nanoseconds; Python keeps microseconds.
        whole, _, fraction = stamp.rstrip("Z").partition(".")
        timestamp = datetime.fromisoformat(f"{whole}.{fraction[:6] or '0'}+00:00")
    except ValueError:
        return LogLine(timestamp=datetime.now(UTC), message=line)
    return LogLine(timestamp=timestamp, message=message)


def _run_arguments(spec: ContainerSpec) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "image": spec.image,
        "command": spec.command,
        "name": spec.name,
        "user": spec.user,
        "labels": spec.labels,
        "volumes": {m.source: {"bind": m.target, "mode": _bind_mode(m)} for m in spec.mounts},
        "network_mode": spec.network_mode,
        "stop_signal": spec.stop_signal,
        "environment": spec.environment,
        # Engines run as an unprivileged uid: every capability is dropped but those the
        # spec names, and nothing inside gains privileges (setuid binaries included).
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
        "read_only": spec.read_only_root,
    }
    if spec.entrypoint is not None:
        arguments["entrypoint"] = spec.entrypoint
    if spec.capabilities:
        arguments["cap_add"] = list(spec.capabilities)
    if spec.tmpfs:
        arguments["tmpfs"] = {path: TMPFS_OPTIONS for path in spec.tmpfs}
    if spec.published_port is not None:
        address, host_port, container_port = spec.published_port
        arguments["ports"] = {f"{container_port}/tcp": (address, host_port)}
    if spec.memory_bytes is not None:
        arguments.update(mem_limit=spec.memory_bytes, memswap_limit=spec.memory_bytes)
    if spec.cpus is not None:
        arguments.update(cpu_period=CPU_PERIOD_US, cpu_quota=int(spec.cpus * CPU_PERIOD_US))
    if spec.pids_limit is not None:
        arguments["pids_limit"] = spec.pids_limit
    return arguments


def _bind_mode(mount: Mount) -> str:
    mode = "ro" if mount.read_only else "rw"
    return f"{mode},{mount.propagation}" if mount.propagation else mode
