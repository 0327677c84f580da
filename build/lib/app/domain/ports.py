"""Port allocation from the configured range: free in the metadata and on the host."""

from __future__ import annotations

from collections.abc import Callable

from app.errors import InsufficientResources
from app.models import Database

CANDIDATES = 8


async def candidate_ports(
    host: str, port_range: tuple[int, int], is_free: Callable[[int], bool]
) -> list[int]:
    """Ports in range that no database on `host` holds and that `is_free` accepts (nothing
    listens there and no other install claimed it).

    The unique (host, port) constraint on databases is the final arbiter between replicas.
    """
    taken = set(await Database.filter(host=host, port__isnull=False).values_list("port", flat=True))
    low, high = port_range
    free: list[int] = []
    for port in range(low, high + 1):
        if port not in taken and is_free(port):
            free.append(port)
            if len(free) == CANDIDATES:
                break
    if not free:
        raise InsufficientResources(
            f"No free port left in the configured range {low}-{high} (STAGDB_PORT_RANGE)"
        )
    return free
