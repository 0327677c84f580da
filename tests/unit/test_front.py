"""The connection front on real sockets with a stand-in engine: bytes pass both ways, a
refused connection is held while `admit` starts the engine and then joined with its first
bytes intact, and a client held too long (or turned away) gets the engine's own error."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable

from app.drivers.front import ConnectionFront, Route, Unavailable
from app.engines.refusals import MysqlRefusal, PostgresRefusal
from tests.conftest import free_port

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
STARTUP = struct.pack("!ii", 9, 196608) + b"\0"


async def echo_engine(port: int) -> asyncio.Server:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(echo, "127.0.0.1", port)


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 20))


async def open_front(
    front: ConnectionFront, engine_port: int, refusal: PostgresRefusal | MysqlRefusal
) -> int:
    port = free_port()
    await front.open(port, Route("db-frontfront01", "127.0.0.1", engine_port, refusal))
    return port


def test_bytes_pass_both_ways_and_connections_are_counted() -> None:
    async def main() -> None:
        engine_port = free_port()
        engine = await echo_engine(engine_port)
        front = ConnectionFront("127.0.0.1", hold_s=2)
        port = await open_front(front, engine_port, PostgresRefusal())
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        payload = bytes(range(256)) * 4096  # 1 MiB, more than any socket buffer
        writer.write(payload)
        received = await reader.readexactly(len(payload))
        assert received == payload
        assert front.connections["db-frontfront01"] == 1
        writer.close()
        await asyncio.sleep(0.1)
        assert "db-frontfront01" not in front.connections
        assert front.active_since_last_read() == {"db-frontfront01"}
        assert front.active_since_last_read() == set()
        await front.aclose()
        engine.close()

    run(main)


def test_a_held_client_is_joined_once_admit_started_the_engine() -> None:
    async def main() -> None:
        engine_port = free_port()
        started: list[asyncio.Server] = []

        async def admit(database_id: str) -> None:
            await asyncio.sleep(0.3)
            started.append(await echo_engine(engine_port))

        front = ConnectionFront("127.0.0.1", hold_s=5, admit=admit)
        port = await open_front(front, engine_port, PostgresRefusal())
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"sent before the engine ran")
        assert await reader.readexactly(26) == b"sent before the engine ran"
        assert started
        writer.close()
        await front.aclose()
        started[0].close()

    run(main)


def test_a_client_held_too_long_gets_postgres_own_cannot_connect_now() -> None:
    async def main() -> None:
        async def admit(database_id: str) -> None:
            await asyncio.sleep(60)

        front = ConnectionFront("127.0.0.1", hold_s=0.3, admit=admit)
        port = await open_front(front, free_port(), PostgresRefusal())
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(SSL_REQUEST)
        await writer.drain()
        assert await reader.readexactly(1) == b"N"
        writer.write(STARTUP)
        answer = await reader.read()
        assert answer[:1] == b"E" and b"C57P03\0" in answer and b"SFATAL\0" in answer
        assert b"did not become available within" in answer
        await front.aclose()

    run(main)


def test_a_turned_away_mariadb_client_gets_an_error_packet_as_greeting() -> None:
    async def main() -> None:
        async def admit(database_id: str) -> None:
            raise Unavailable("database 'x' is stopped; start it through the API")

        front = ConnectionFront("127.0.0.1", hold_s=5, admit=admit)
        port = await open_front(front, free_port(), MysqlRefusal())
        reader, _ = await asyncio.open_connection("127.0.0.1", port)
        packet = await reader.read()
        length = int.from_bytes(packet[:3], "little")
        assert packet[3] == 0 and packet[4] == 0xFF and len(packet) == 4 + length
        assert int.from_bytes(packet[5:7], "little") == 1053
        assert packet[7:] == b"database 'x' is stopped; start it through the API"
        await front.aclose()

    run(main)
