"""Port allocation from the configured range: free in the metadata and on the host."""

from __future__ import annotations

import socket

from app.errors import InsufficientResources
from app.models import Database

CANDIDATES = 8


async def candidate_ports(host: str, port_range: tuple[int, int], bind_address: str) -> list[int]:
    """Ports in range that no database on `host` holds and nothing on this machine listens on.

    The unique (host, port) constraint on databases is the final arbiter between replicas.
    """
    taken = set(await Database.filter(host=host, port__isnull=False).values_list("port", flat=True))
    low, high = port_range
    free: list[int] = []
    for port in range(low, high + 1):
        if port not in taken and _bindable(bind_address, port):
            free.append(port)
            if len(free) == CANDIDATES:
                break
    if not free:
        raise InsufficientResources(
            f"No free port left in the configured range {low}-{high} (STAGDB_PORT_RANGE)"
        )
    return free


def _bindable(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address if address not in ("", "*") else "0.0.0.0", port))
        except OSError:
            return False
    return True
