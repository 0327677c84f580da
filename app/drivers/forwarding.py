"""Kernel forwarding: while a database's engine runs, the kernel hands connections to its
published port straight to the engine's port on 127.0.0.1 (nftables NAT in an install-owned
table), so the bytes of those connections never pass through the front.

The table holds one map, published port → engine port, with a counter on each element: it
counts the connections the kernel sent on (a NAT rule sees only a connection's first packet),
which is how activity on forwarded connections is seen. Connections made on this host are
redirected in the `output` hook. When the bind address is not a loopback one, connections from
other hosts and network namespaces are DNATed to 127.0.0.1 in `prerouting`, which needs the
ingress interface's `route_localnet` (see `route_localnet`) and a guard that drops any other
packet arriving from outside for a loopback address.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.drivers.route_localnet import RouteLocalnet, interfaces_for

NFT_TIMEOUT_S = 10.0
TABLE_PREFIX = "stagdb_"
MAP = "forward"
CHAIN = "output"  # connections made on this host
REMOTE_CHAIN = "prerouting"  # connections from elsewhere
GUARD_CHAIN = "guard"
WILDCARDS = ("", "*", "0.0.0.0", "::")


class ForwardingUnavailable(Exception):
    """nftables cannot be used here (not installed, not permitted, or an IPv6 address)."""


@dataclass(frozen=True)
class Forward:
    engine_port: int
    connections: int  # connections redirected since the element was added


class KernelForwarding:
    def __init__(self, install_id: str, bind_address: str, record_dir: Path) -> None:
        self.table = f"{TABLE_PREFIX}{install_id}"
        self.bind_address = bind_address
        self.route_localnet = RouteLocalnet(record_dir)

    @property
    def remote(self) -> bool:
        """Whether clients from elsewhere can reach the bind address, and are forwarded too."""
        return self.bind_address in WILDCARDS or not self.bind_address.startswith("127.")

    def prepare(self) -> None:
        """Make (or repair) this install's table; idempotent, and keeps the map's elements."""
        self._nft(self._table_script())
        if self.remote:
            specific = None if self.bind_address in WILDCARDS else self.bind_address
            self.route_localnet.allow(interfaces_for(specific))

    def check(self) -> None:
        """Raise ForwardingUnavailable when `prepare` would fail; changes nothing."""
        self._nft(self._table_script(), check_only=True)

    def _table_script(self) -> str:
        destination = _destination_match(self.bind_address)
        return (
            f"add table ip {self.table}\n"
            f"add map ip {self.table} {MAP} {{ type inet_service : inet_service ; counter ; }}\n"
            f"add chain ip {self.table} {CHAIN} "
            "{ type nat hook output priority -100 ; policy accept ; }\n"
            f"flush chain ip {self.table} {CHAIN}\n"
            f"add rule ip {self.table} {CHAIN} {destination} "
            f"meta l4proto tcp redirect to :tcp dport map @{MAP}\n"
        ) + (self._remote_script(destination) if self.remote else "")

    def _remote_script(self, destination: str) -> str:
        return (
            f"add chain ip {self.table} {REMOTE_CHAIN} "
            "{ type nat hook prerouting priority -100 ; policy accept ; }\n"
            f"flush chain ip {self.table} {REMOTE_CHAIN}\n"
            f"add rule ip {self.table} {REMOTE_CHAIN} {destination} "
            f"meta l4proto tcp dnat to 127.0.0.1 : tcp dport map @{MAP}\n"
            f"add chain ip {self.table} {GUARD_CHAIN} "
            "{ type filter hook input priority 0 ; policy accept ; }\n"
            f"flush chain ip {self.table} {GUARD_CHAIN}\n"
            f'add rule ip {self.table} {GUARD_CHAIN} iifname != "lo" ip daddr 127.0.0.0/8 '
            "ct status & dnat == 0 drop\n"
        )

    def forward(self, port: int, engine_port: int) -> None:
        try:
            self._nft(f"add element ip {self.table} {MAP} {{ {port} : {engine_port} }}\n")
        except ForwardingUnavailable as exc:
            if "File exists" not in str(exc):  # forwarded elsewhere already: take it over
                raise
            self.withdraw(port)
            self._nft(f"add element ip {self.table} {MAP} {{ {port} : {engine_port} }}\n")

    def forward_all(self, engine_ports: Mapping[int, int]) -> None:
        """Forward each published port to its engine port in one change (one `nft` run: a
        server coming back with hundreds of running databases, or ten branches at once,
        would run it that many times); should one be forwarded elsewhere already, the ports
        are taken one by one."""
        if not engine_ports:
            return
        elements = ", ".join(f"{port} : {engine}" for port, engine in sorted(engine_ports.items()))
        try:
            self._nft(f"add element ip {self.table} {MAP} {{ {elements} }}\n")
        except ForwardingUnavailable as exc:
            if "File exists" not in str(exc):
                raise
            for port, engine_port in engine_ports.items():
                self.forward(port, engine_port)

    def withdraw_all(self, ports: Collection[int]) -> None:
        """Stop forwarding each of `ports` in one change; ones not forwarded are fine."""
        if not ports:
            return
        elements = ", ".join(str(port) for port in sorted(ports))
        try:
            self._nft(f"delete element ip {self.table} {MAP} {{ {elements} }}\n")
        except ForwardingUnavailable as exc:
            if "No such file or directory" not in str(exc):
                raise
            for port in ports:
                self.withdraw(port)

    def withdraw(self, port: int) -> None:
        """Stop forwarding `port`; one not forwarded is fine."""
        try:
            self._nft(f"delete element ip {self.table} {MAP} {{ {port} }}\n")
        except ForwardingUnavailable as exc:
            if "No such file or directory" not in str(exc):
                raise

    def forwards(self) -> dict[int, Forward]:
        """The ports forwarded now; the table is made again when someone removed it."""
        try:
            listing = self._nft("", listing=["list", "map", "ip", self.table, MAP])
        except ForwardingUnavailable as exc:
            if "No such file or directory" not in str(exc):
                raise
            self.prepare()
            return {}
        return _parse_map(listing)

    def remove(self) -> None:
        """Remove the table; the last install forwarding remote clients puts the interfaces'
        `route_localnet` back as it found it."""
        try:
            self._nft(f"delete table ip {self.table}\n")
        except ForwardingUnavailable as exc:
            if "No such file or directory" not in str(exc):
                raise
        if not self._others_forward_remote_clients():
            self.route_localnet.restore()

    def _others_forward_remote_clients(self) -> bool:
        listing = json.loads(self._nft("", listing=["list", "chains", "ip"]) or "{}")
        return any(
            item["chain"]["table"].startswith(TABLE_PREFIX)
            and item["chain"]["name"] == REMOTE_CHAIN
            for item in listing.get("nftables", [])
            if "chain" in item
        )

    def _nft(self, script: str, listing: list[str] | None = None, check_only: bool = False) -> str:
        """Run a script of changes (or, with `listing`, one listing command, in JSON)."""
        nft = shutil.which("nft")
        if nft is None:
            raise ForwardingUnavailable("nft (nftables) is not installed")
        if listing is not None:
            argv = [nft, "-j", *listing]
        else:
            argv = [nft, *(["-c"] if check_only else []), "-f", "-"]
        try:
            done = subprocess.run(
                argv, input=script, capture_output=True, text=True, timeout=NFT_TIMEOUT_S
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ForwardingUnavailable(f"nft could not run: {exc}") from exc
        if done.returncode != 0:
            first = next((line for line in done.stderr.splitlines() if line.strip()), "")
            raise ForwardingUnavailable(first or f"nft exited with {done.returncode}")
        return done.stdout


def _destination_match(bind_address: str) -> str:
    """Which destinations are redirected: those the front listens on."""
    if bind_address in WILDCARDS:
        return "fib daddr type local"
    try:
        address = ipaddress.ip_address(bind_address)
    except ValueError as exc:
        raise ForwardingUnavailable(f"the bind address {bind_address!r} is not an IP") from exc
    if address.version != 4:
        raise ForwardingUnavailable("kernel forwarding covers IPv4 bind addresses only")
    return f"ip daddr {address}"


def _parse_map(listing: str) -> dict[int, Forward]:
    forwards: dict[int, Forward] = {}
    for item in json.loads(listing or "{}").get("nftables", []):
        for key, value in item.get("map", {}).get("elem", []):
            if isinstance(key, dict):  # an element with its counter
                port = int(key["elem"]["val"])
                connections = int(key["elem"].get("counter", {}).get("packets", 0))
            else:
                port, connections = int(key), 0
            forwards[port] = Forward(int(value), connections)
    return forwards
