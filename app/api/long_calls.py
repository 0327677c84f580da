"""How long calls answer: with the finished resource as the seed documents, or `202 Accepted`
with their operation when the caller prefers it (`Prefer: respond-async`, `Prefer: wait=N`)
or the work is always long (an import, unless `?wait=true` or `Prefer: wait=N` asks to wait)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok
from app.api.inputs import query_flag
from app.completion import to_completion
from app.errors import ValidationError

T = TypeVar("T")
MAX_WAIT_S = 3600


@dataclass(frozen=True)
class Preference:
    respond_async: bool = False
    wait_s: float | None = None  # how long the caller will wait, when it said


def preference(request: Request) -> Preference:
    """The caller's `Prefer` header(s) (RFC 7240); preferences we do not know are ignored."""
    respond_async, wait_s = False, None
    for token in ",".join(request.headers.getlist("prefer")).split(","):
        name, _, value = token.strip().lower().partition("=")
        if name == "respond-async":
            respond_async = True
        elif name == "wait":
            if not value.strip().isdigit() or int(value) > MAX_WAIT_S:
                raise ValidationError(
                    f"Prefer: wait must be a whole number of seconds up to {MAX_WAIT_S}"
                )
            wait_s = float(value)
    return Preference(respond_async, wait_s)


async def answer(
    request: Request,
    work: Callable[[], Awaitable[T]],
    done: Callable[[T], Response],
    always_long: bool = False,
) -> Response:
    """Run `work` as the caller prefers: to completion (`done` renders its result), or handed
    over, answering `202 Accepted` with its operation when it has not finished in time."""
    prefers = preference(request)
    if not always_long and not prefers.respond_async:
        return done(await to_completion(work()))
    wait_s: float | None = prefers.wait_s or 0.0
    if always_long and not prefers.respond_async and query_flag(request, "wait"):
        wait_s = None
    services = request.app.state.services
    handed = await services.handover.run(work, wait_s)
    if handed.finished:
        return done(handed.result)  # type: ignore[arg-type]
    operation = await services.operations.get(handed.operation_id or "")
    response = ok(render.operation(operation), "Operation accepted; follow it at its location", 202)
    response.headers["Location"] = f"/v1/operations/{operation.id}"
    response.headers["Preference-Applied"] = "respond-async"
    return response
