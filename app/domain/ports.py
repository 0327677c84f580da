"""Port allocation from the configured range: free in the metadata and on the host."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator

from app.errors import InsufficientResources
from app.models import Database

CANDIDATES = 8


async def candidate_ports(
    host: str, port_range: tuple[int, int], is_free: Callable[[int], bool]
) -> Iterator[int]:
    """Ports in range that no database on `host` holds and that `is_free` accepts (nothing
    listens there and no other install claimed it), at most CANDIDATES of them, each probed
    only when the one before was not taken: usually the first is.

    The unique (host, port) constraint on databases is the final arbiter between replicas.
    """
    held = await Database.filter(host=host, port__isnull=False).values_list("port", flat=True)
    return _free(port_range, set(held), is_free)


def _free(
    port_range: tuple[int, int], taken: Container[object], is_free: Callable[[int], bool]
) -> Iterator[int]:
    low, high = port_range
    found = 0
    for port in range(low, high + 1):
        if port not in taken and is_free(port):
            found += 1
            yield port
            if found == CANDIDATES:
                return
    if not found:
        raise InsufficientResources(
            f"No free port left in the configured range {low}-{high} (STAGDB_PORT_RANGE)"
        )
