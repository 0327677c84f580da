"""Answers a POST under /v1 that carries `Idempotency-Key` at most once per key: the first
call runs and its answer is kept; a repeat gets that answer again, marked with
`Idempotent-Replayed: true` (the rules are in app.domain.idempotency)."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import refusal
from app.domain.idempotency import Claim, IdempotencyService, RequestFingerprint
from app.errors import StagError

API_PREFIX = "/v1/"  # REST only: GraphQL requests are not covered
HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal")
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(API_PREFIX)
            or principal is None
        ):
            await self.app(scope, receive, send)
            return
        key = Headers(scope=scope).get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        service: IdempotencyService = scope["app"].state.services.idempotency
        try:
            claim = await service.claim(
                principal.key_id, key, RequestFingerprint.of("POST", scope["path"], body)
            )
        except StagError as exc:
            await refusal(scope["path"], exc)(scope, receive, send)
            return
        if claim.answer is not None:
            replay = Response(
                claim.answer.body,
                claim.answer.status,
                headers={REPLAYED_HEADER: "true"},
                media_type="application/json",
            )
            await replay(scope, receive, send)
            return
        await _run_and_keep(self.app, scope, (body, receive), send, service, claim)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _run_and_keep(
    app: ASGIApp,
    scope: Scope,
    request: tuple[bytes, Receive],
    send: Send,
    service: IdempotencyService,
    claim: Claim,
) -> None:
    """Run the request with its buffered body; keep the answer once it is fully sent, and
    free the key when the call fails or is cut short."""
    body, receive = request
    delivered = False
    status = 500
    sent: list[bytes] = []

    async def replay_body() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()  # waits for the client to go away, as it would have
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def keep(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            sent.append(message.get("body", b""))
        await send(message)

    finished = False
    try:
        await app(scope, replay_body, keep)
        finished = True
    finally:
        # Shielded: the claim must be settled even when this task is being cancelled.
        settle = (
            service.complete(claim, status, b"".join(sent)) if finished else service.release(claim)
        )
        await asyncio.shield(settle)
