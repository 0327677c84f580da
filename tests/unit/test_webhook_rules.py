"""Fast unit tests of the webhook rules: signatures, the retry schedule, URL, event and secret
checks, the body encoding, and the delivery settings."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.config import ConfigError, Settings, WebhookSettings
from app.domain.delivery import (
    DeliveryWorker,
    Outcome,
    after_attempt,
    backoff_s,
    fan_out,
    signature,
    signed_headers,
)
from app.domain.egress import EgressPolicy
from app.domain.events import EVENT_NAMES, DatabaseEvent
from app.domain.webhooks import (
    ApiAddress,
    encode_body,
    subscribes,
    validate_events,
    validate_secret,
    validate_url,
)
from app.errors import ValidationError
from app.models import (
    DEFAULT_PROJECT_ID,
    Event,
    Project,
    Webhook,
    WebhookDelivery,
)
from tests.unit.metadata import recording_statements, sqlite_metadata

LOOPBACK_API = ApiAddress("127.0.0.1", 8080)
README = Path(__file__).resolve().parents[2] / "README.md"


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event":"database.created"}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("s3cret", 1700000000, body) == f"sha256={expected}"
    assert signature("s3cret", 1700000001, body) != signature("s3cret", 1700000000, body)
    assert signature("other", 1700000000, body) != signature("s3cret", 1700000000, body)


def test_signed_headers_name_the_event_delivery_and_time() -> None:
    headers = signed_headers("dl-abc", "database.deleted", "s3cret", b"{}", 1700000000)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-StagDB-Event"] == "database.deleted"
    assert headers["X-StagDB-Delivery"] == "dl-abc"
    assert headers["X-StagDB-Timestamp"] == "1700000000"
    assert headers["X-StagDB-Signature"] == signature("s3cret", 1700000000, b"{}")


def test_the_readme_verification_code_accepts_genuine_deliveries_only() -> None:
    section = README.read_text().split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "README.md shows no Python verification code under Webhooks"
    receiver: dict[str, object] = {}
    exec(code.group(1), receiver)
    receiver["SECRET"] = b"whsec_test-secret"
    accept = receiver["accept"]
    assert callable(accept)
    body = b'{"event":"database.created"}'

    def headers(secret: str, timestamp: int) -> dict[str, str]:
        return signed_headers("dl-abc", "database.created", secret, body, timestamp)

    now = int(time.time())
    assert accept(headers("whsec_test-secret", now), body)
    assert receiver["seen"] == {"dl-abc"}
    assert accept(headers("whsec_test-secret", now), body)  # a retry: acknowledged again
    assert not accept(headers("whsec_test-secret", now), body + b" ")
    assert not accept(headers("whsec_other", now), body)
    assert not accept(headers("whsec_test-secret", now - 3600), body)


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    settings = WebhookSettings()
    assert [backoff_s(n, settings) for n in range(1, 12)] == [
        2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600,
    ]  # fmt: skip
    assert backoff_s(10_000, settings) == 600
    fast = WebhookSettings(backoff_base_s=0.2, backoff_max_s=1)
    assert [backoff_s(n, fast) for n in range(1, 5)] == [0.2, 0.4, 0.8, 1]


def test_after_an_attempt_a_delivery_is_delivered_retried_or_failed_for_good() -> None:
    settings = WebhookSettings(max_attempts=3)
    now = datetime(2025, 1, 15, tzinfo=UTC)
    ok = Outcome(204, None, 3.5)
    refused = Outcome(503, "The receiver answered HTTP 503", 3.5)
    assert ok.delivered and not refused.delivered
    assert after_attempt(1, ok, now, settings) == ("delivered", None)
    assert after_attempt(3, ok, now, settings) == ("delivered", None)
    assert after_attempt(1, refused, now, settings) == ("pending", now + timedelta(seconds=2))
    assert after_attempt(2, refused, now, settings) == ("pending", now + timedelta(seconds=4))
    assert after_attempt(3, refused, now, settings) == ("failed", None)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hooks",  # a receiver on this machine, another port
        "https://hooks.example.com/stagdb",
        "HTTPS://Hooks.Example.com:8443/x?y=1",
        "http://127.0.0.1:8081/",
        "http://192.168.1.20:8080/",  # another machine, the same port
    ],
)
def test_urls_that_are_accepted(url: str) -> None:
    assert validate_url(f"  {url} ", LOOPBACK_API) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "http:// or https://"),
        ("example.com/hooks", "http:// or https://"),
        ("", "http:// or https://"),
        (None, "http:// or https://"),
        (42, "http:// or https://"),
        ("http:///path", "must name a host"),
        ("http://example.com:70000/", "invalid port"),
        ("http://example.com/" + "x" * 2048, "at most 2048"),
    ],
)
def test_urls_that_are_refused(url: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_url(url, LOOPBACK_API)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1/health",
        "http://localhost:8080/",
        "http://LOCALHOST.:8080/",
        "http://127.0.0.2:8080/",
        "http://127.1:8080/",
        "http://2130706433:8080/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]:8080/",
        "http://0.0.0.0:8080/",
    ],
)
def test_urls_pointing_at_our_own_loopback_api_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="StagDB server itself"):
        validate_url(url, LOOPBACK_API)


def test_default_ports_count_when_comparing_with_the_api() -> None:
    on_80 = ApiAddress("127.0.0.1", 80)
    with pytest.raises(ValidationError, match="itself"):
        validate_url("http://localhost/hooks", on_80)
    assert validate_url("https://localhost/hooks", on_80) == "https://localhost/hooks"


def test_an_api_on_every_address_is_reached_by_this_machines_names() -> None:
    everywhere = ApiAddress("0.0.0.0", 8080, frozenset({"stagdb-host", "stagdb-host.lan"}))
    for url in (
        "http://127.0.0.1:8080/",
        "http://localhost:8080/",
        "http://stagdb-host:8080/",
        "http://Stagdb-Host.lan:8080/",
    ):
        with pytest.raises(ValidationError, match="itself"):
            validate_url(url, everywhere)
    assert validate_url("http://other-host:8080/", everywhere) == "http://other-host:8080/"


def test_an_api_on_one_address_is_reached_only_through_it() -> None:
    lan = ApiAddress("10.0.0.5", 8080)
    with pytest.raises(ValidationError, match="itself"):
        validate_url("http://10.0.0.5:8080/", lan)
    assert validate_url("http://127.0.0.1:8080/", lan) == "http://127.0.0.1:8080/"


def test_api_address_knows_machine_names_only_when_listening_everywhere() -> None:
    assert ApiAddress.of("127.0.0.1", 8080).machine_names == frozenset()
    assert ApiAddress.of("0.0.0.0", 8080).machine_names


def test_events_are_known_names_or_star_without_duplicates() -> None:
    assert validate_events(["database.created", "*", "database.created"]) == [
        "database.created",
        "*",
    ]
    assert validate_events(list(EVENT_NAMES)) == list(EVENT_NAMES)


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ([], "at least one event"),
        ("*", "list of event names"),
        ([1], "list of event names"),
        (None, "list of event names"),
        (["database.created", "db.made", "x"], r"Unknown event\(s\): db.made, x"),
    ],
)
def test_invalid_events_are_named_with_the_valid_ones(events: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as raised:
        validate_events(events)
    assert "valid events: *, database.created" in raised.value.message
    assert "branch.reset" in raised.value.message


def test_subscription_matches_the_event_or_star() -> None:
    assert subscribes(["database.created"], "database.created")
    assert not subscribes(["database.created"], "database.deleted")
    assert subscribes(["*"], "branch.reset")


@pytest.mark.parametrize("secret", ["", "x" * 257, 12345678901234567, None])
def test_invalid_secrets_are_refused(secret: object) -> None:
    with pytest.raises(ValidationError, match="non-empty string of at most 256"):
        validate_secret(secret)


@pytest.mark.parametrize("secret", ["webhook-secret", "x", "x" * 256])
def test_any_non_empty_secret_is_accepted(secret: str) -> None:
    assert validate_secret(secret) == secret


def test_the_body_is_compact_json_with_sorted_keys() -> None:
    payload = DatabaseEvent(
        "database.created",
        "db-7k2m9x4p1q8z",
        "my-app-db",
        "postgresql",
        "running",
        timestamp=datetime(2025, 1, 15, 10, 30, tzinfo=UTC),
    ).payload()
    assert encode_body(payload) == (
        '{"data":{"database_id":"db-7k2m9x4p1q8z","name":"my-app-db","parent_id":null,'
        '"snapshot_id":null,"status":"running","type":"postgresql"},'
        '"event":"database.created","timestamp":"2025-01-15T10:30:00Z"}'
    )


def test_webhook_settings_come_from_the_environment() -> None:
    assert Settings.from_env({}).webhooks == WebhookSettings(8, 2.0, 600.0, 10.0, 0.5)
    settings = Settings.from_env(
        {
            "STAGDB_WEBHOOK_MAX_ATTEMPTS": "3",
            "STAGDB_WEBHOOK_BACKOFF_BASE": "0.25",
            "STAGDB_WEBHOOK_BACKOFF_MAX": "5",
            "STAGDB_WEBHOOK_TIMEOUT": "2.5",
            "STAGDB_WEBHOOK_POLL_INTERVAL": "0.1",
        }
    ).webhooks
    assert settings == WebhookSettings(3, 0.25, 5.0, 2.5, 0.1)


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("STAGDB_WEBHOOK_MAX_ATTEMPTS", "0", "at least 1"),
        ("STAGDB_WEBHOOK_MAX_ATTEMPTS", "many", "must be an integer"),
        ("STAGDB_WEBHOOK_BACKOFF_BASE", "soon", "must be a number"),
        ("STAGDB_WEBHOOK_TIMEOUT", "0", "positive number of seconds"),
        ("STAGDB_WEBHOOK_POLL_INTERVAL", "nan", "positive number of seconds"),
    ],
)
def test_bad_webhook_settings_name_the_variable(name: str, value: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason) as raised:
        Settings.from_env({name: value})
    assert name in str(raised.value)


def test_events_no_webhook_receives_are_claimed_and_the_others_delivered_in_order(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            await Project.create(id="prj-other", name="other")
            hook = await Webhook.create(
                id="wh-1", url="http://127.0.0.1:9/hook", events=["database.created"],
                secret="s3cret",
            )  # fmt: skip
            made = [
                await Event.create(event=name, project_id=project, payload={"event": name})
                for name, project in (
                    ("database.created", DEFAULT_PROJECT_ID),
                    ("database.stopped", DEFAULT_PROJECT_ID),  # not subscribed
                    ("database.created", "prj-other"),  # another project's
                    ("database.created", DEFAULT_PROJECT_ID),
                )
            ]
            assert await fan_out() == 4
            assert not await Event.filter(dispatched_at__isnull=True).exists()
            deliveries = await WebhookDelivery.filter(webhook_id=hook.id).order_by("event_id")
            assert [d.event_id for d in deliveries] == [made[0].id, made[3].id]
            assert await fan_out() == 0  # nothing is fanned out twice

    asyncio.run(scenario())


def test_with_no_active_webhook_a_round_claims_the_events_so_far_in_one_statement(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            paused = await Webhook.create(
                id="wh-paused", url="http://127.0.0.1:9/hook", events=["*"], secret="s3cret",
                active=False,
            )  # fmt: skip
            earlier = await Event.create(event="database.created", payload={})
            worker = DeliveryWorker(WebhookSettings(), EgressPolicy())
            statements: list[str] = []
            with recording_statements(statements):
                await worker.round(httpx.AsyncClient())
            assert [s.split()[0].upper() for s in statements] == ["SELECT", "UPDATE"]
            assert not await Event.filter(dispatched_at__isnull=True).exists()
            assert not await WebhookDelivery.exists()
            # Written after the round looked: left for the next, whose webhook receives it.
            await Webhook.filter(id=paused.id).update(active=True)
            later = await Event.create(event="database.created", payload={})
            await worker.round(httpx.AsyncClient())
            deliveries = await WebhookDelivery.filter(webhook_id=paused.id)
            assert [d.event_id for d in deliveries] == [later.id]
            assert (await Event.get(id=earlier.id)).dispatched_at is not None

    asyncio.run(scenario())
