"""Copies the bytes of one joined connection, client ↔ engine, off the event loop: two threads
per connection, each moving one direction with splice(2) through a pipe (the bytes never enter
Python), or with recv/sendall where splice is unavailable. Blocking writes are the flow
control; when either direction ends, both sockets are shut down, as a proxy must.

Small round trips (one query, one answer) are where a proxy costs most: measured against an
asyncio protocol pair on the event loop, splice threads move about twice the round trips per
second, and they leave the loop free for the API."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
CHUNK = 256 * 1024
_splice_works = hasattr(os, "splice")


class Pump:
    """Both directions of one connection; `on_done` runs (in a pump thread) once both end."""

    def __init__(
        self,
        client: socket.socket,
        engine: socket.socket,
        on_done: Callable[[], None],
        first: bytes = b"",
    ) -> None:
        self.client = client
        self.engine = engine
        self.on_done = on_done
        self.first = first  # what the client sent before the engine was reached
        self._left = 2
        self._lock = threading.Lock()

    def start(self, name: str) -> None:
        for source, target, direction in (
            (self.client, self.engine, "in"),
            (self.engine, self.client, "out"),
        ):
            threading.Thread(
                target=self._run, args=(source, target), name=f"{name}-{direction}", daemon=True
            ).start()

    def stop(self) -> None:
        """End the connection now (the server is closing)."""
        self._shut_both()

    def _run(self, source: socket.socket, target: socket.socket) -> None:
        try:
            if source is self.client and self.first:
                target.sendall(self.first)
            _copy(source, target)
        except OSError:
            pass  # a reset or a shut-down socket: the connection is over either way
        finally:
            self._shut_both()
            with self._lock:
                self._left -= 1
                last = self._left == 0
            if last:
                self.client.close()
                self.engine.close()
                self.on_done()

    def _shut_both(self) -> None:
        for sock in (self.client, self.engine):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _NoSplice(Exception):
    """splice(2) refused these sockets before moving a byte."""


def _copy(source: socket.socket, target: socket.socket) -> None:
    global _splice_works
    if _splice_works:
        try:
            _splice(source.fileno(), target.fileno())
            return
        except _NoSplice:
            _splice_works = False
            log.info("splice(2) is unavailable here; the front copies with recv/send")
    while data := source.recv(CHUNK):
        target.sendall(data)


def _splice(source: int, target: int) -> None:
    read_end, write_end = os.pipe()
    first = True
    try:
        while True:
            try:
                moved = os.splice(source, write_end, CHUNK)
            except OSError as exc:
                if first and exc.errno in (errno.EINVAL, errno.ENOSYS):
                    raise _NoSplice from exc
                raise
            first = False
            if moved == 0:
                return
            while moved:
                moved -= os.splice(read_end, target, moved)
    finally:
        os.close(read_end)
        os.close(write_end)
