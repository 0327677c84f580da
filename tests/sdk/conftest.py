"""One live StagDB server (SQLite metadata, copy storage) for the SDK suites of this directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.conftest import Server, launch_server, shut_down


@pytest.fixture(scope="session")
def sdk_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    running = launch_server(None, tmp_root)
    yield running
    shut_down(running, docker_client)
