"""Client connections the kernel forwarded, counted from this host's TCP socket table.

The engine's end of a forwarded connection has the engine port as its local port. When the
client runs on this host, its own end is in the table too, with the published port it dialled
as its remote port (the client does not see the redirect); a client on another host or in
another network namespace has no end here. The server's own connections to an engine (the
front's, readiness and statistics queries) dial the engine port itself, so they are not
counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
ESTABLISHED = "01"
_V4_MAPPED = "0000000000000000FFFF0000"

Endpoint = tuple[str, int]  # (address as the kernel prints it, port)


def forwarded_clients(published_by_engine_port: Mapping[int, int]) -> Counter[int]:
    """Open forwarded client connections per published port."""
    if not published_by_engine_port:
        return Counter()
    established = list(_established())
    remote_port_of: dict[Endpoint, int] = {local: remote[1] for local, remote in established}
    counts: Counter[int] = Counter()
    for local, remote in established:
        published = published_by_engine_port.get(local[1])
        if published is not None and remote_port_of.get(remote, published) == published:
            counts[published] += 1
    return counts


def _established() -> Iterator[tuple[Endpoint, Endpoint]]:
    for table in TABLES:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == ESTABLISHED:
                yield _endpoint(fields[1]), _endpoint(fields[2])


def _endpoint(text: str) -> Endpoint:
    address, port = text.split(":")
    if address.startswith(_V4_MAPPED):  # an IPv6 socket talking IPv4
        address = address[len(_V4_MAPPED) :]
    return address, int(port, 16)
