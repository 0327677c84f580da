"""The package as users install it: the built wheel in a clean virtualenv, without the test
extras, serves health, databases, GraphiQL and WebSocket subscriptions."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import psycopg
import pytest
import websockets

from tests.conftest import REPO, Server, launch_server, shut_down


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `stagdb` command of a fresh virtualenv that has only the wheel and its
    runtime dependencies."""
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = root.glob("stagdb-*.whl")
    venv.create(root / "venv", with_pip=True)
    pip = root / "venv" / "bin" / "pip"
    installed = subprocess.run(
        [str(pip), "install", "-q", str(wheel)], capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, installed.stderr
    extras = subprocess.run([str(pip), "show", "pytest"], capture_output=True, text=True)
    assert extras.returncode != 0, "the test extras must not come with the wheel"
    return root / "venv" / "bin" / "stagdb"


@pytest.fixture(scope="module")
def wheel_server(
    installed_wheel: Path,
    docker_client: docker.DockerClient,
    postgres_image: str,
    tmp_root: Path,
) -> Iterator[Server]:
    running = launch_server(None, tmp_root, executable=str(installed_wheel), cwd="/")
    yield running
    shut_down(running, docker_client)


def test_the_wheel_serves_the_api_graphiql_and_subscriptions(wheel_server: Server) -> None:
    assert httpx.get(f"{wheel_server.base_url}/health", timeout=10).status_code == 200
    root = wheel_server.base_url.removesuffix("/v1")
    page = httpx.get(f"{root}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    asset = httpx.get(f"{root}/graphql/static/vendor/graphiql.min.js", timeout=10)
    assert asset.status_code == 200 and len(asset.content) > 100_000

    with wheel_server.client as api:
        made = api.post("/databases", json={"name": "from-wheel", "type": "postgresql"})
        assert made.status_code == 201, made.text
        database = made.json()["data"]
        with psycopg.connect(database["connection"]["uri"], connect_timeout=5) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        events = asyncio.run(_stop_while_watching(wheel_server, api, database["id"]))
        assert events == [{"event": "database.stopped", "status": "stopped"}]
        assert api.delete("/databases/from-wheel").status_code == 200


async def _stop_while_watching(server: Server, api: httpx.Client, database_id: str) -> list:
    url = server.base_url.replace("http://", "ws://").replace("/v1", "/graphql")
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {server.key}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "subscription($id: ID!) { databaseEvents(id: $id) { event status } }"
        payload = {"query": query, "variables": {"id": database_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await asyncio.sleep(0.3)
        stopped = await asyncio.to_thread(api.post, f"/databases/{database_id}/stop")
        assert stopped.status_code == 200
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        assert message["type"] == "next" and not message["payload"].get("errors"), message
        return [message["payload"]["data"]["databaseEvents"]]


def test_the_wheel_carries_no_checkout_paths(installed_wheel: Path) -> None:
    """The installed server reads its files from site-packages, not from this checkout."""
    python = installed_wheel.with_name("python")
    located = subprocess.run(
        [str(python), "-c", "import app, schema.build, app.models.migrations as m;"
         "print(app.__file__, schema.build.STATIC_DIR, m.MIGRATIONS_DIR)"],
        capture_output=True, text=True, cwd="/", env={"PATH": os.environ["PATH"]},
    )  # fmt: skip
    assert located.returncode == 0, located.stderr
    assert str(REPO) not in located.stdout
    assert all(Path(part).exists() for part in located.stdout.split())


def test_the_wheel_serves_its_api_description_and_reference(wheel_server: Server) -> None:
    """openapi.yaml (a link in the checkout, a file in the wheel), its JSON form, and the
    /docs page with its vendored Swagger UI, all from site-packages."""
    as_yaml = httpx.get(f"{wheel_server.base_url}/openapi.yaml", timeout=10)
    assert as_yaml.status_code == 200 and as_yaml.content == (REPO / "openapi.yaml").read_bytes()
    as_json = httpx.get(f"{wheel_server.base_url}/openapi.json", timeout=10)
    assert as_json.status_code == 200 and as_json.json()["openapi"] == "3.1.0"
    root = wheel_server.base_url.removesuffix("/v1")
    assert "swagger-ui-bundle.js" in httpx.get(f"{root}/docs", timeout=10).text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        answer = httpx.get(f"{root}/docs/static/vendor/swagger-ui/{asset}", timeout=10)
        assert answer.status_code == 200, asset
