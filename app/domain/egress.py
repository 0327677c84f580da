"""Where webhooks may send: the receiver's host is resolved, and addresses inside this host
or its networks (loopback, link-local, private, unique-local, unspecified, multicast,
reserved) are refused unless the operator allowed their network. A delivery connects to the
address that was checked, so a name that resolves elsewhere a second time (DNS rebinding)
cannot redirect it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.errors import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
DEFAULT_PORTS = {"http": 80, "https": 443}

# Named for the error message; checked in this order.
BLOCKED: tuple[tuple[str, Callable[[Address], bool]], ...] = (
    ("unspecified", lambda a: a.is_unspecified),
    ("loopback", lambda a: a.is_loopback),
    ("link-local", lambda a: a.is_link_local),
    ("multicast", lambda a: a.is_multicast),
    ("private", lambda a: a.is_private),
    ("reserved", lambda a: a.is_reserved),
)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (getaddrinfo, TCP)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class EgressPolicy:
    allowed: Sequence[Network] = ()
    resolve: Resolver = field(default=system_resolver)

    def vet(self, host: str, port: int, unresolved_ok: bool = False) -> list[str]:
        """The addresses of `host` a webhook may be sent to; ValidationError when it resolves
        to any address that is refused (one bad address is enough: a resolver may hand out
        any of them), or to none (unless `unresolved_ok`: a receiver whose name does not
        resolve yet may be registered, and is checked again at each delivery)."""
        addresses = self.resolve(host, port)
        if not addresses and not unresolved_ok:
            raise ValidationError(f"url host {host!r} does not resolve to any address")
        for text in addresses:
            address = _canonical(ipaddress.ip_address(text.split("%")[0]))
            refused = self.refusal(address)
            if refused is not None:
                raise ValidationError(
                    f"url host {host!r} resolves to {address}, a {refused} address; webhooks "
                    "may not reach this host or its private networks (an operator can allow a "
                    "network with STAGDB_WEBHOOK_ALLOW_NETWORKS)"
                )
        return addresses

    def refusal(self, address: Address) -> str | None:
        if any(address in network for network in self.allowed):
            return None
        for name, test in BLOCKED:
            if test(address):
                return name
        return None


def _canonical(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address
