"""Each engine's own "not available" answer, for a client the connection front cannot join
to its engine: what a real server of that kind says when it cannot take a connection, so
clients report it as they would report the engine's own refusal."""

from __future__ import annotations

import struct

PG_SSL_REQUEST = 80877103
PG_GSSENC_REQUEST = 80877104
PG_CANNOT_CONNECT_NOW = "57P03"
MYSQL_SERVER_SHUTDOWN = 1053


class Refusal:
    """The default: close the connection without a word (engines with no such message)."""

    def greeting(self, message: str) -> bytes:
        """Sent as soon as the refusal is decided (engines that speak first)."""
        return b""

    def answer(self, received: bytes, message: str) -> tuple[bytes, bool, int]:
        """Given what the client sent so far: the reply, whether to close after it, and how
        many of the received bytes were consumed."""
        return b"", True, len(received)


class PostgresRefusal(Refusal):
    """Declines SSL/GSS encryption ('N'), then answers the startup message with a FATAL
    ErrorResponse, SQLSTATE 57P03 (cannot_connect_now), as a server that is starting does."""

    def answer(self, received: bytes, message: str) -> tuple[bytes, bool, int]:
        reply = b""
        used = 0
        while len(received) - used >= 8:
            length, code = struct.unpack("!ii", received[used : used + 8])
            if length == 8 and code in (PG_SSL_REQUEST, PG_GSSENC_REQUEST):
                reply += b"N"
                used += 8
                continue
            if len(received) - used < length:
                break
            return reply + postgres_error(message), True, len(received)
        return reply, False, used


def postgres_error(message: str) -> bytes:
    fields = b"".join(
        tag + value.encode() + b"\0"
        for tag, value in (
            (b"S", "FATAL"),
            (b"V", "FATAL"),
            (b"C", PG_CANNOT_CONNECT_NOW),
            (b"M", message),
        )
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


class MysqlRefusal(Refusal):
    """MySQL and MariaDB speak first: an ERR packet in place of the handshake, as a server
    that is shutting down sends."""

    def greeting(self, message: str) -> bytes:
        payload = b"\xff" + struct.pack("<H", MYSQL_SERVER_SHUTDOWN) + message.encode()
        return struct.pack("<I", len(payload))[:3] + b"\0" + payload
