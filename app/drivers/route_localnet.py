"""The `route_localnet` switch of the host's interfaces, which lets the kernel deliver a
connection from another host to a loopback address once a DNAT rule sent it there.

Turned on only where it was off, and the values found are recorded in a host-wide directory
shared by every install (the port claims directory), so that whichever install stops
forwarding remote clients last puts them back. While it is on, the forwarding table's guard
drops every packet to 127.0.0.0/8 that arrives from outside without having been DNATed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

SYSCTL = Path("/proc/sys/net/ipv4/conf")
RECORD = "route-localnet.json"


class RouteLocalnet:
    def __init__(self, record_dir: Path) -> None:
        self.record = record_dir / RECORD

    def allow(self, interfaces: list[str]) -> None:
        """Turn the switch on for `interfaces`, recording those that were off."""
        with self._recorded() as found:
            for interface in interfaces:
                switch = SYSCTL / interface / "route_localnet"
                if switch.read_text().strip() == "0":
                    found.setdefault(interface, "0")
                    switch.write_text("1\n")

    def restore(self) -> None:
        """Put back every switch recorded as found off."""
        with self._recorded() as found:
            for interface, value in list(found.items()):
                with contextlib.suppress(FileNotFoundError):  # the interface went away
                    (SYSCTL / interface / "route_localnet").write_text(value + "\n")
                del found[interface]

    @contextlib.contextmanager
    def _recorded(self) -> Iterator[dict[str, str]]:
        self.record.parent.mkdir(parents=True, exist_ok=True)
        with open(self.record.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                found: dict[str, str] = json.loads(self.record.read_text())
            except (FileNotFoundError, ValueError):
                found = {}
            yield found
            if found:
                self.record.write_text(json.dumps(found))
            else:
                self.record.unlink(missing_ok=True)


def interfaces_for(address: str | None) -> list[str]:
    """The interfaces connections to `address` arrive on: the one holding it, or all of them
    (None: a wildcard bind)."""
    if address is None:
        return ["all"]
    listing = subprocess.run(
        ["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, check=False
    ).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) > 3 and fields[3].split("/")[0] == address:
            return [fields[1]]
    return ["all"]
