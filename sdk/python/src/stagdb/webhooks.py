"""Checking a webhook delivery: `verify` accepts a delivery only when its signature is the
server's (HMAC-SHA256 of "{X-StagDB-Timestamp}.{raw body}" keyed with the webhook's
secret, sent as `X-StagDB-Signature: sha256=<hex>`) and its timestamp is recent."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stagdb.models import ApiObject, parse_time

SIGNATURE_HEADER = "x-stagdb-signature"
TIMESTAMP_HEADER = "x-stagdb-timestamp"
DELIVERY_HEADER = "x-stagdb-delivery"
SCHEME = "sha256="
DEFAULT_TOLERANCE_S = 300


class WebhookVerificationError(ValueError):
    """The delivery is not genuine (no or a wrong signature), or its timestamp is stale."""


@dataclass(frozen=True)
class WebhookEvent(ApiObject):
    """A verified delivery: the event's name, when it happened, its data, and the delivery
    id (the same on every retry of one delivery: skip ids already handled)."""

    event: str
    timestamp: datetime | None
    data: dict[str, Any]
    delivery_id: str | None


def sign(body: bytes | str, timestamp: int | str, secret: str) -> str:
    """The `X-StagDB-Signature` value the server sends for `body` at `timestamp`."""
    raw = body.encode() if isinstance(body, str) else body
    signed = str(timestamp).encode() + b"." + raw
    return SCHEME + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    tolerance: float = DEFAULT_TOLERANCE_S,
) -> WebhookEvent:
    """The delivery's event, if `body` (the raw bytes, before any JSON parsing) carries the
    server's signature for `secret` and a timestamp within `tolerance` seconds of now;
    otherwise WebhookVerificationError."""
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp, signature = lowered.get(TIMESTAMP_HEADER), lowered.get(SIGNATURE_HEADER)
    if not timestamp or not signature:
        raise WebhookVerificationError("X-StagDB-Timestamp or X-StagDB-Signature is missing")
    if not hmac.compare_digest(sign(body, timestamp, secret), signature.strip()):
        raise WebhookVerificationError("the signature does not match: wrong secret or altered")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError(
            f"X-StagDB-Timestamp is not a number: {timestamp!r}"
        ) from None
    if abs(time.time() - sent_at) > tolerance:
        raise WebhookVerificationError(
            f"the timestamp is {int(time.time() - sent_at)} s off: too old (a replay) or too new"
        )
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        raise WebhookVerificationError("the body is not a StagDB event")
    return WebhookEvent(
        payload,
        event=payload["event"],
        timestamp=parse_time(payload.get("timestamp")),
        data=dict(payload.get("data") or {}),
        delivery_id=lowered.get(DELIVERY_HEADER),
    )
