"""The Docker runtime against the real engine: a container left by an interrupted run under a
database's name is replaced by the next run, and one of another install under that name is
never touched; a container that cannot start leaves nothing behind; one-off runs answer their
exit code and output; a removal Docker fails for a moment is asked again."""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator

import docker
import pytest

from app.drivers.runtime.base import INSTALL_LABEL, ContainerSpec, RuntimeFailure
from app.drivers.runtime.docker import DockerRuntime
from tests.conftest import remove_containers
from tests.pinned_files import removable, unremovable_file_in

pytestmark = pytest.mark.docker


def spec(name: str, image: str, command: list[str]) -> ContainerSpec:
    return ContainerSpec(
        name=name, image=image, command=command, user="999:999",
        labels={"io.stagdb.test-runtime": "true"}, mounts=[], network_mode="none",
    )  # fmt: skip


@pytest.fixture
def runtime(docker_client: docker.DockerClient, postgres_image: str) -> Iterator[DockerRuntime]:
    install = f"sdbrt{os.getpid() % 100000:05d}"[:13]
    made = DockerRuntime(install, "/nonexistent-test-data-dir")
    yield made
    remove_containers(docker_client, f"{INSTALL_LABEL}={install}")


def fresh_name() -> str:
    return f"stagdb-rt-{uuid.uuid4().hex[:8]}"


def gone(docker_client: docker.DockerClient, ref: str) -> bool:
    try:
        docker_client.containers.get(ref)
    except docker.errors.NotFound:
        return True
    return False


def test_a_leftover_container_of_this_install_is_replaced(
    runtime: DockerRuntime, docker_client: docker.DockerClient, postgres_image: str
) -> None:
    name = fresh_name()
    first = runtime.run(spec(name, postgres_image, ["sleep", "300"]))
    second = runtime.run(spec(name, postgres_image, ["sleep", "300"]))
    assert second != first
    assert docker_client.containers.get(name).id == second
    assert docker_client.containers.get(second).status == "running"
    assert gone(docker_client, first)


def test_another_installs_container_by_that_name_is_left_alone(
    runtime: DockerRuntime, docker_client: docker.DockerClient, postgres_image: str
) -> None:
    name = fresh_name()
    other = docker_client.containers.create(
        postgres_image, ["sleep", "300"], name=name, labels={INSTALL_LABEL: "sdbsomeoneelse"}
    )
    try:
        with pytest.raises(RuntimeFailure, match="Conflict|already in use"):
            runtime.run(spec(name, postgres_image, ["sleep", "300"]))
        assert docker_client.containers.get(name).id == other.id
    finally:
        other.remove(force=True)


def test_a_container_that_cannot_start_is_removed(
    runtime: DockerRuntime, docker_client: docker.DockerClient, postgres_image: str
) -> None:
    name = fresh_name()
    with pytest.raises(RuntimeFailure):
        runtime.run(spec(name, postgres_image, ["/no/such/program"]))
    assert gone(docker_client, name)


def test_a_one_off_run_answers_its_exit_code_and_output(
    runtime: DockerRuntime, docker_client: docker.DockerClient, postgres_image: str
) -> None:
    name = fresh_name()
    done = runtime.run_once(spec(name, postgres_image, ["sh", "-c", "echo hello; exit 3"]), 60)
    assert (done.exit_code, done.output.strip()) == (3, "hello")
    assert gone(docker_client, name)


def open_sockets() -> int:
    found = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own, closed since
            found += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return found


def test_calls_about_different_containers_share_one_connection_to_docker(
    runtime: DockerRuntime, postgres_image: str
) -> None:
    """The SDK keeps a connection pool per URL: left alone, each container asked about holds
    its own connection to the engine open (and each call's set-up costs a new one)."""
    made = [runtime.run(spec(fresh_name(), postgres_image, ["sleep", "300"])) for _ in range(6)]
    runtime.ping()
    before = open_sockets()
    for container_id in made:
        assert runtime.inspect(container_id).running
        runtime.rename(container_id, fresh_name())
    assert open_sockets() - before <= 1


def test_a_removal_docker_fails_for_a_moment_is_asked_again(
    runtime: DockerRuntime, docker_client: docker.DockerClient, postgres_image: str
) -> None:
    made = runtime.run(spec(fresh_name(), postgres_image, ["sleep", "300"]))
    with unremovable_file_in(docker_client.containers.get(made)) as pinned:
        freed = threading.Timer(0.5, removable, (pinned,))
        freed.start()
        runtime.remove(made)
        freed.join()
    assert gone(docker_client, made)


def test_a_removal_docker_keeps_failing_is_a_runtime_failure(
    runtime: DockerRuntime, docker_client: docker.DockerClient, postgres_image: str
) -> None:
    made = runtime.run(spec(fresh_name(), postgres_image, ["sleep", "300"]))
    with (
        unremovable_file_in(docker_client.containers.get(made)),
        pytest.raises(RuntimeFailure, match="operation not permitted"),
    ):
        runtime.remove(made)
    assert not gone(docker_client, made)  # the fixture removes it, its flag cleared
