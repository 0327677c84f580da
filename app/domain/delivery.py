"""The webhook delivery worker: fans outbox events out into deliveries, then sends each one,
signed, retrying with exponential back-off. All its state lives in the metadata database, so a
restarted server resumes where the last one stopped, and API replicas share the work: each
event and each attempt is claimed with a conditional UPDATE, never through process memory."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from tortoise.expressions import Q
from tortoise.functions import Min
from tortoise.transactions import in_transaction

from app.config import WebhookSettings
from app.domain.egress import DEFAULT_PORTS, EgressPolicy
from app.domain.ids import new_id
from app.domain.webhooks import DELIVERED, FAILED, PENDING, encode_body, subscribes
from app.errors import StagError
from app.models import Event, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

# A claim outlives the longest attempt (its timeout) by this much, for recording the outcome;
# a claim left by a dead process expires after it and the delivery is sent again.
LEASE_MARGIN_S = 5.0
MAX_IN_FLIGHT = 16
FAN_OUT_BATCH = 100
USER_AGENT = "StagDB-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a 2xx `response_code` and no `error` means delivered."""

    response_code: int | None
    error: str | None
    duration_ms: float

    @property
    def delivered(self) -> bool:
        return self.error is None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `{timestamp}.{body}` keyed with the secret."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(
    delivery_id: str, event: str, secret: str, body: bytes, timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-StagDB-Event": event,
        "X-StagDB-Delivery": delivery_id,
        "X-StagDB-Timestamp": str(timestamp),
        "X-StagDB-Signature": signature(secret, timestamp, body),
    }


def backoff_s(attempts: int, settings: WebhookSettings) -> float:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base… up to the cap."""
    return min(settings.backoff_base_s * 2 ** min(attempts - 1, 64), settings.backoff_max_s)


def after_attempt(
    attempts: int, outcome: Outcome, now: datetime, settings: WebhookSettings
) -> tuple[str, datetime | None]:
    """A delivery's status after its `attempts`-th attempt, and when to try next, if ever."""
    if outcome.delivered:
        return DELIVERED, None
    if attempts >= settings.max_attempts:
        return FAILED, None
    return PENDING, now + timedelta(seconds=backoff_s(attempts, settings))


async def send(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    delivery: WebhookDelivery,
    timeout_s: float,
    egress: EgressPolicy,
) -> Outcome:
    """POST the delivery's body, signed now, to the address the receiver's host resolves to
    right now once the egress policy has accepted it (no second lookup); the receiver's
    answer body is never read."""
    body = delivery.body.encode()
    headers = signed_headers(delivery.id, delivery.event, secret, body, int(time.time()))
    started = time.perf_counter()

    def elapsed_ms() -> float:
        return round((time.perf_counter() - started) * 1000, 2)

    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme]
    try:
        [address, *_] = await asyncio.to_thread(egress.vet, host, port)
    except StagError as exc:
        return Outcome(None, exc.message, elapsed_ms())
    pinned = urlunsplit((parts.scheme, _netloc(address, port), parts.path or "/", parts.query, ""))
    headers["Host"] = parts.netloc.rpartition("@")[2]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream(
                "POST", pinned, content=body, headers=headers, extensions=extensions
            ) as response:
                code = response.status_code
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(None, f"No answer within {timeout_s:g} s", elapsed_ms())
    except httpx.ConnectError:
        return Outcome(None, "Could not connect to the receiver", elapsed_ms())
    except httpx.HTTPError:
        return Outcome(None, "The connection to the receiver failed", elapsed_ms())
    if 200 <= code < 300:
        return Outcome(code, None, elapsed_ms())
    return Outcome(code, f"The receiver answered HTTP {code}", elapsed_ms())


def _netloc(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


async def fan_out(batch: int = FAN_OUT_BATCH) -> int:
    """Turn undispatched outbox events, oldest first, into one delivery for each active webhook
    of the event's project that subscribes to the event and existed when it happened. An
    event is claimed by setting its `dispatched_at` conditionally, in the transaction that
    writes its deliveries; the events no webhook receives (all of them, on a server without
    webhooks) are claimed together in one statement."""
    events = await Event.filter(dispatched_at__isnull=True).order_by("id").limit(batch)
    if not events:
        return 0
    webhooks = await Webhook.filter(active=True)  # read after the events: none is missed

    def receivers(event: Event) -> list[Webhook]:
        return [
            webhook
            for webhook in webhooks
            if webhook.project_id == event.project_id
            and subscribes(webhook.events, event.event)
            and webhook.created_at <= event.created_at
        ]

    targets_of = {event.id: receivers(event) for event in events}
    unheard = [event.id for event in events if not targets_of[event.id]]
    if unheard:
        await Event.filter(id__in=unheard, dispatched_at__isnull=True).update(
            dispatched_at=datetime.now(UTC)
        )
    for event in events:
        targets = targets_of[event.id]
        if not targets:
            continue
        now = datetime.now(UTC)
        async with in_transaction() as connection:
            claimed = (
                await Event.filter(id=event.id, dispatched_at__isnull=True)
                .using_db(connection)
                .update(dispatched_at=now)
            )
            if not claimed:
                continue  # another replica took it
            body = encode_body(event.payload)
            for webhook in targets:
                await WebhookDelivery.create(
                    id=new_id("dl"),
                    webhook_id=webhook.id,
                    event_id=event.id,
                    event=event.event,
                    body=body,
                    status=PENDING,
                    next_attempt_at=now,
                    using_db=connection,
                )
    return len(events)


async def claim_all_unheard(checked_at: datetime) -> None:
    """With no active webhook at `checked_at` (read before this), no event so far has a
    receiver and no delivery is due: one statement claims the events, instead of a round's
    reads. (An event written since waits for the next round: a webhook may come before it.)"""
    await Event.filter(dispatched_at__isnull=True, created_at__lte=checked_at).update(
        dispatched_at=checked_at
    )


def _free(now: datetime) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lt=now)


async def queue_heads(now: datetime) -> list[WebhookDelivery]:
    """Each active webhook's oldest pending event delivery, when it is due and unclaimed:
    what is behind it waits until it has been delivered or has failed for good."""
    firsts = (
        await WebhookDelivery.filter(status=PENDING, event_id__isnull=False, webhook__active=True)
        .annotate(first=Min("event_id"))
        .group_by("webhook_id")
        .values("webhook_id", "first")
    )
    heads = {(row["webhook_id"], row["first"]) for row in firsts}
    if not heads:
        return []
    rows = await WebhookDelivery.filter(
        webhook_id__in=[webhook_id for webhook_id, _ in heads],
        event_id__in=[event_id for _, event_id in heads],
    )
    return sorted(
        (
            row
            for row in rows
            if (row.webhook_id, row.event_id) in heads
            and row.next_attempt_at is not None
            and row.next_attempt_at <= now
            and (row.locked_until is None or row.locked_until < now)
        ),
        key=lambda row: row.event_id or 0,
    )


async def due_tests(now: datetime, limit: int) -> list[WebhookDelivery]:
    """Test deliveries stand outside the event order: each goes when due."""
    return (
        await WebhookDelivery.filter(
            status=PENDING, event_id__isnull=True, webhook__active=True, next_attempt_at__lte=now
        )
        .filter(_free(now))
        .order_by("created_at")
        .limit(limit)
    )


class DeliveryWorker:
    def __init__(self, settings: WebhookSettings, egress: EgressPolicy) -> None:
        self.settings = settings
        self.egress = egress
        self.worker_id = new_id("wk")
        self.lease = timedelta(seconds=settings.timeout_s + LEASE_MARGIN_S)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()  # set when an attempt ends: the next delivery may go now
        self._stopping = False

    @property
    def first_attempt_within_s(self) -> float:
        """How long a new delivery of an idle webhook can take to get its first outcome."""
        return self.settings.poll_interval_s + self.settings.timeout_s + LEASE_MARGIN_S

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the worker in the background for the duration of the block. On the way out the
        loop finishes its round and attempts in flight get their timeout to end; only what is
        still running after that is cancelled, and the claims left are released, to be sent
        again. (Cancelling mid-transaction could strand the metadata connection's lock.)"""
        async with httpx.AsyncClient(
            timeout=self.settings.timeout_s, follow_redirects=False
        ) as client:
            loop = asyncio.create_task(self._run(client), name="webhook-delivery")
            try:
                yield
            finally:
                await self._stop(loop)

    async def _stop(self, loop: asyncio.Task[None]) -> None:
        self._stopping = True
        self._wake.set()
        grace = self.settings.poll_interval_s + self.settings.timeout_s + LEASE_MARGIN_S
        tasks = [loop, *self._in_flight]
        _, unfinished = await asyncio.wait(tasks, timeout=grace)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release_claims(), timeout=LEASE_MARGIN_S)

    async def _run(self, client: httpx.AsyncClient) -> None:
        while not self._stopping:
            try:
                await self.round(client)
            except Exception:
                log.exception("webhook delivery round failed; trying again")
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval_s)
            self._wake.clear()

    async def round(self, client: httpx.AsyncClient) -> None:
        """Fan new events out, then start an attempt for every due delivery we can claim."""
        checked_at = datetime.now(UTC)
        if not await Webhook.exists(active=True):
            await claim_all_unheard(checked_at)
            return
        await fan_out()
        if self._stopping:
            return
        for delivery in await self._claim_due(MAX_IN_FLIGHT - len(self._in_flight)):
            task = asyncio.create_task(self._attempt(client, delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _claim_due(self, capacity: int) -> list[WebhookDelivery]:
        if capacity <= 0:
            return []
        now = datetime.now(UTC)
        # An event not fanned out yet may still add an earlier delivery to some queue: queue
        # heads behind it wait. Read before the heads, so anything fanned out since is seen.
        waiting = await Event.filter(dispatched_at__isnull=True).order_by("id").first()
        heads = [
            row
            for row in await queue_heads(now)
            if waiting is None or (row.event_id or 0) < waiting.id
        ]
        claimed: list[WebhookDelivery] = []
        for delivery in [*heads, *await due_tests(now, capacity)]:
            if len(claimed) == capacity:
                break
            if await self._claim(delivery, now):
                claimed.append(delivery)
        return claimed

    async def _claim(self, delivery: WebhookDelivery, now: datetime) -> bool:
        """Take the delivery with one conditional UPDATE, safe across replicas: only if it is
        still pending, due, unclaimed and unchanged since we read it."""
        taken = (
            await WebhookDelivery.filter(
                id=delivery.id,
                status=PENDING,
                attempts=delivery.attempts,
                next_attempt_at__lte=now,
            )
            .filter(_free(now))
            .update(locked_until=now + self.lease, claimed_by=self.worker_id)
        )
        return bool(taken)

    async def _attempt(self, client: httpx.AsyncClient, delivery: WebhookDelivery) -> None:
        try:
            webhook = await Webhook.get_or_none(id=delivery.webhook_id)
            if webhook is None:
                return  # deleted meanwhile, with its deliveries
            outcome = await send(
                client, webhook.url, webhook.secret, delivery, self.settings.timeout_s, self.egress
            )
            await self._record(delivery, outcome)
        except Exception:
            # The claim expires and the delivery is tried again then.
            log.exception("webhook delivery %s failed unexpectedly", delivery.id)
        finally:
            self._wake.set()

    async def _record(self, delivery: WebhookDelivery, outcome: Outcome) -> None:
        attempts = delivery.attempts + 1
        now = datetime.now(UTC)
        status, next_attempt_at = after_attempt(attempts, outcome, now, self.settings)
        await WebhookDelivery.filter(id=delivery.id, claimed_by=self.worker_id).update(
            status=status,
            attempts=attempts,
            response_code=outcome.response_code,
            last_error=outcome.error,
            duration_ms=outcome.duration_ms,
            next_attempt_at=next_attempt_at,
            delivered_at=now if status == DELIVERED else None,
            locked_until=None,
            claimed_by=None,
        )

    async def _release_claims(self) -> None:
        try:
            await WebhookDelivery.filter(claimed_by=self.worker_id, status=PENDING).update(
                locked_until=None, claimed_by=None
            )
        except Exception:
            log.exception("could not release webhook delivery claims; they expire on their own")
