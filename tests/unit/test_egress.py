"""Webhooks can't reach inside: which addresses are refused, the operator's allow-list, and
deliveries sent to the address that was checked (no second lookup)."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from app.domain.delivery import send
from app.domain.egress import EgressPolicy
from app.errors import ValidationError
from app.models import WebhookDelivery


def resolving_to(*addresses: str) -> EgressPolicy:
    return EgressPolicy(resolve=lambda host, port: list(addresses))


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fc00::7", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_inside_addresses_are_refused(address: str, kind: str) -> None:
    with pytest.raises(ValidationError, match=f"a {kind} address"):
        resolving_to(address).vet("hooks.example.com", 443)


def test_public_addresses_pass_and_one_bad_address_refuses_the_name() -> None:
    assert resolving_to("93.184.216.34").vet("hooks.example.com", 443) == ["93.184.216.34"]
    with pytest.raises(ValidationError, match="10.0.0.5"):
        resolving_to("93.184.216.34", "10.0.0.5").vet("hooks.example.com", 443)
    with pytest.raises(ValidationError, match="does not resolve"):
        resolving_to().vet("nowhere.invalid", 443)


def test_the_operator_can_allow_networks() -> None:
    policy = EgressPolicy(
        allowed=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.20.0.0/16")),
        resolve=lambda host, port: ["10.20.3.4"],
    )
    assert policy.vet("ci.internal", 8080) == ["10.20.3.4"]
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("10.21.0.1")) == "private"


def test_a_delivery_goes_to_the_address_that_was_checked() -> None:
    """The name is resolved once per attempt, checked, and the request connects to that
    address with the original Host; a name that now resolves inside is not sent to."""
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    delivery = WebhookDelivery(id="dl-000000000001", event="database.created", body="{}")
    answers = iter([["93.184.216.34"], ["169.254.169.254"]])
    policy = EgressPolicy(resolve=lambda host, port: next(answers))

    async def attempt() -> tuple[object, object]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as client:
            first = await send(
                client, "http://hooks.example.com:8080/in?x=1", "s", delivery, 5, policy
            )
            second = await send(
                client, "http://hooks.example.com:8080/in", "s", delivery, 5, policy
            )
            return first, second

    first, second = asyncio.run(attempt())
    assert first.response_code == 204  # type: ignore[attr-defined]
    [request] = seen
    assert str(request.url) == "http://93.184.216.34:8080/in?x=1"
    assert request.headers["Host"] == "hooks.example.com:8080"
    assert second.response_code is None  # type: ignore[attr-defined]
    assert "link-local" in second.error  # type: ignore[attr-defined]


def test_a_name_that_does_not_resolve_yet_may_be_registered_but_not_sent_to() -> None:
    assert resolving_to().vet("not-yet.example.com", 443, unresolved_ok=True) == []
    with pytest.raises(ValidationError, match="does not resolve"):
        resolving_to().vet("not-yet.example.com", 443)
