"""Caps request bodies before anything reads them whole: a declared `Content-Length` over the
cap is refused at once, and a body without one (chunked) is counted as it arrives and refused
the moment it passes the cap. Either way the client gets 413 in the shape its API speaks."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import refusal
from app.errors import ValidationError

STATUS = 413


def too_large(limit: int) -> ValidationError:
    return ValidationError(f"Request body is larger than {limit} bytes")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self.refuse(scope, receive, send)
            return
        await _CountedBody(self, scope, receive, send).run()

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = refusal(scope["path"], too_large(self.max_bytes), status_code=STATUS)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class _CountedBody:
    """One request whose body is counted as the application reads it. Past the cap, the
    413 is sent at once and the application sees the client gone; whatever it still tries
    to send is dropped."""

    def __init__(self, limit: BodyLimitMiddleware, scope: Scope, receive: Receive, send: Send):
        self.limit = limit
        self.scope = scope
        self.receive = receive
        self.send = send
        self.received = 0
        self.started = False
        self.refused = False

    async def run(self) -> None:
        try:
            await self.limit.app(self.scope, self.counted_receive, self.guarded_send)
        except Exception:
            if not self.refused:
                raise  # the application's own failure; a refusal has already answered

    async def counted_receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit.max_bytes:
                self.refused = True
                if not self.started:
                    await self.limit.refuse(self.scope, self.receive, self.send)
                return {"type": "http.disconnect"}
        return message

    async def guarded_send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)
