"""Request parsing shared by handlers: JSON bodies, known fields, query parameters."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from app.domain.pagination import PageRequest, page_request
from app.errors import ValidationError

MAX_INTEGER_DIGITS = 30


async def json_object(
    request: Request, allowed: set[str], required: set[str], allow_empty: bool = False
) -> dict[str, Any]:
    """The request body as a JSON object holding only `allowed` keys and all `required` ones;
    with `allow_empty`, no body at all stands for `{}`."""
    if allow_empty and not await request.body():
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ValidationError("Content-Type must be application/json")
    raw = await request.body()  # capped by BodyLimitMiddleware before it is read whole
    try:
        body = json.loads(raw or b"{}", parse_int=_bounded_int, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationError("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValidationError("Request body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ValidationError(
            f"Unknown field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    missing = sorted(name for name in required if body.get(name) in (None, ""))
    if missing:
        raise ValidationError(f"Missing required field(s): {', '.join(missing)}")
    return body


def split_off(body: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """Remove the `names` fields from `body`, answering them apart."""
    return {name: body.pop(name) for name in names if name in body}


def _bounded_int(text: str) -> int:
    """JSON integers as Python ints, refusing absurd lengths (converting thousands of digits
    costs CPU, and Python refuses past 4300)."""
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValidationError(f"Numbers may have at most {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _no_constant(name: str) -> float:
    raise ValidationError(f"{name} is not a JSON number")


def pagination(request: Request) -> PageRequest:
    return page_request(request.query_params.get("page"), request.query_params.get("limit"))


def query_flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise ValidationError(f"{name} must be true or false")
    return raw in ("true", "1")
