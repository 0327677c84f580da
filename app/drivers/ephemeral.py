"""The host's ephemeral port range: ports the kernel hands to outgoing connections, where an
engine's listening port can be found taken at the moment it starts."""

from __future__ import annotations

from pathlib import Path

RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_ports() -> tuple[int, int] | None:
    """The kernel's range for outgoing connections, or None where it cannot be read."""
    try:
        low, high = RANGE_FILE.read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return None


def overlap(ports: tuple[int, int], ephemeral: tuple[int, int] | None) -> tuple[int, int] | None:
    """The part of `ports` (inclusive) inside the ephemeral range, if any."""
    if ephemeral is None:
        return None
    low, high = max(ports[0], ephemeral[0]), min(ports[1], ephemeral[1])
    return (low, high) if low <= high else None
