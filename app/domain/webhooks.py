"""WebhookService: receivers subscribed to lifecycle events, the rules their settings must meet
(URL, event names, secret), their delivery history, and test deliveries."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from app.domain import tenancy
from app.domain.egress import DEFAULT_PORTS, EgressPolicy
from app.domain.events import EVENT_NAMES
from app.domain.ids import new_id
from app.domain.pagination import Page, PageRequest
from app.domain.tenancy import visible
from app.domain.views import DeliveryView, WebhookView
from app.errors import NotFoundError, ValidationError
from app.models import Webhook, WebhookDelivery

ALL_EVENTS = "*"
TEST_EVENT = "webhook.test"
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
URL_MAX = 2048
SECRET_MAX = 256  # the column's width
SECRET_PREFIX = "whsec_"
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
TEST_POLL_S = 0.1


@dataclass(frozen=True)
class CreateWebhook:
    url: object
    events: object
    secret: object = None


@dataclass(frozen=True)
class UpdateWebhook:
    url: object = None
    events: object = None
    secret: object = None
    active: object = None
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CreatedWebhook:
    """A new webhook and its secret: the only time the secret is shown."""

    webhook: WebhookView
    secret: str


@dataclass(frozen=True)
class ApiAddress:
    """Where this server's API listens, and the names this machine answers to."""

    host: str
    port: int
    machine_names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, host: str, port: int) -> ApiAddress:
        if not _is_wildcard(_normalise(host)):
            return cls(host, port)
        return cls(host, port, frozenset({socket.gethostname().lower(), socket.getfqdn().lower()}))


class WebhookService:
    def __init__(self, api: ApiAddress, attempt_wait_s: float, egress: EgressPolicy) -> None:
        self.api = api
        self.egress = egress
        self.attempt_wait_s = attempt_wait_s

    async def list(self, page: PageRequest) -> Page[WebhookView]:
        query = visible(Webhook.all())
        total = await query.count()
        rows = await query.order_by("created_at", "id").offset(page.offset).limit(page.limit)
        return Page(items=[webhook_view(row) for row in rows], request=page, total=total)

    async def get(self, webhook_id: str) -> WebhookView:
        return webhook_view(await self.find(webhook_id))

    async def find(self, webhook_id: str) -> Webhook:
        row = await visible(Webhook.filter(id=webhook_id)).first()
        if row is None:
            raise NotFoundError(f"Webhook '{webhook_id}' not found")
        return row

    async def create(self, request: CreateWebhook) -> CreatedWebhook:
        url = await self._reachable(validate_url(request.url, self.api))
        events = validate_events(request.events)
        secret = (
            SECRET_PREFIX + secrets.token_urlsafe(32)
            if request.secret is None
            else validate_secret(request.secret)
        )
        row = await Webhook.create(
            id=new_id("wh"),
            project_id=tenancy.current().project_id,
            url=url,
            events=events,
            secret=secret,
        )
        return CreatedWebhook(webhook_view(row), secret)

    async def update(self, webhook_id: str, request: UpdateWebhook) -> WebhookView:
        row = await self.find(webhook_id)
        if "url" in request.fields:
            row.url = await self._reachable(validate_url(request.url, self.api))
        if "events" in request.fields:
            row.events = validate_events(request.events)
        if "secret" in request.fields:
            row.secret = validate_secret(request.secret)
        if "active" in request.fields:
            if not isinstance(request.active, bool):
                raise ValidationError("active must be true or false")
            row.active = request.active
        await row.save()
        return webhook_view(row)

    async def delete(self, webhook_id: str) -> None:
        row = await self.find(webhook_id)
        async with in_transaction() as connection:
            await WebhookDelivery.filter(webhook_id=row.id).using_db(connection).delete()
            await row.delete(using_db=connection)

    async def deliveries(self, webhook_id: str, page: PageRequest) -> Page[DeliveryView]:
        row = await self.find(webhook_id)
        query = WebhookDelivery.filter(webhook_id=row.id)
        total = await query.count()
        rows = await query.order_by("created_at", "id").offset(page.offset).limit(page.limit)
        return Page(items=[delivery_view(d) for d in rows], request=page, total=total)

    async def _reachable(self, url: str) -> str:
        """`url`, once its host resolves only to addresses webhooks may reach."""
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
        await asyncio.to_thread(self.egress.vet, parts.hostname or "", port, True)
        return url

    async def test(self, webhook_id: str) -> DeliveryView:
        """Queue a `webhook.test` delivery for this webhook only, and wait (a little longer
        than one attempt may take) for its first attempt; answer with it as it is then."""
        row = await self.find(webhook_id)
        if not row.active:
            raise ValidationError(f"Webhook '{row.id}' is inactive: set active to true first")
        now = datetime.now(UTC)
        payload = {
            "event": TEST_EVENT,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": {"webhook_id": row.id},
        }
        delivery = await WebhookDelivery.create(
            id=new_id("dl"),
            webhook_id=row.id,
            event=TEST_EVENT,
            body=encode_body(payload),
            status=PENDING,
            next_attempt_at=now,
        )
        deadline = time.monotonic() + self.attempt_wait_s
        while delivery.attempts == 0 and time.monotonic() < deadline:
            await asyncio.sleep(TEST_POLL_S)
            await delivery.refresh_from_db()
        return delivery_view(delivery)


def encode_body(payload: Mapping[str, object]) -> str:
    """The exact JSON text a delivery sends and signs: compact, keys sorted (the outbox's JSON
    column may not keep key order, so the order is fixed here)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def subscribes(events: Iterable[str], event: str) -> bool:
    return any(name in (ALL_EVENTS, event) for name in events)


def validate_events(raw: object) -> list[str]:
    """A non-empty list of known event names (or "*"), without duplicates, in given order."""
    valid = f"valid events: {ALL_EVENTS}, {', '.join(EVENT_NAMES)}"
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValidationError(f"events must be a list of event names; {valid}")
    if not raw:
        raise ValidationError(f"events must name at least one event; {valid}")
    names = list(dict.fromkeys(raw))
    unknown = [name for name in names if name != ALL_EVENTS and name not in EVENT_NAMES]
    if unknown:
        raise ValidationError(f"Unknown event(s): {', '.join(unknown)}; {valid}")
    return names


def validate_secret(raw: object) -> str:
    """Any non-empty string the user chooses (up to the column's width)."""
    if not isinstance(raw, str) or not 1 <= len(raw) <= SECRET_MAX:
        raise ValidationError(
            f"secret must be a non-empty string of at most {SECRET_MAX} characters "
            "(leave it out to have one generated)"
        )
    return raw


def validate_url(raw: object, api: ApiAddress) -> str:
    """An absolute http(s) URL with a host, not pointing at this server's own API."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("url must be an http:// or https:// URL")
    url = raw.strip()
    if len(url) > URL_MAX:
        raise ValidationError(f"url must be at most {URL_MAX} characters long")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValidationError(f"url must be an http:// or https:// URL, got {url!r}")
    try:
        host, port = parts.hostname, parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValidationError(f"url has an invalid port: {url!r}") from None
    if not host:
        raise ValidationError(f"url must name a host: {url!r}")
    if points_at_api(host, port, api):
        raise ValidationError(
            f"url points at this StagDB server itself ({api.host}:{api.port}); "
            "webhooks must go to another service"
        )
    return url


def points_at_api(host: str, port: int, api: ApiAddress) -> bool:
    """Whether host:port reaches our own API. Loopback addresses and names all reach an API
    listening on loopback or on every address; the latter is also reached by this machine's
    names. Only literal names and addresses are compared: nothing is resolved."""
    if port != api.port:
        return False
    host, api_host = _normalise(host), _normalise(api.host)
    if host == api_host:
        return True
    if _is_wildcard(api_host):
        return _is_local(host) or _is_wildcard(host) or host in api.machine_names
    return _is_local(api_host) and (_is_local(host) or _is_wildcard(host))


def _normalise(host: str) -> str:
    """Lower case, no trailing dot, and an address in its canonical form; legacy IPv4 forms
    that resolvers accept (`127.1`, `2130706433`) become dotted quads."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_local(host: str) -> bool:
    address = _address(host)
    return host in LOCAL_NAMES if address is None else address.is_loopback


def _is_wildcard(host: str) -> bool:
    address = _address(host)
    return address is not None and address.is_unspecified


def webhook_view(row: Webhook) -> WebhookView:
    return WebhookView(
        id=row.id,
        project_id=row.project_id,
        url=row.url,
        events=list(row.events),
        active=row.active,
        secret_set=bool(row.secret),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_view(row: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        webhook_id=row.webhook_id,
        event=row.event,
        status=row.status,
        attempts=row.attempts,
        response_code=row.response_code,
        last_error=row.last_error,
        duration_ms=row.duration_ms,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        next_attempt_at=row.next_attempt_at,
    )
