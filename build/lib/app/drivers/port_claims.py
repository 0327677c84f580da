"""Host-wide claims on TCP ports, shared by every StagDB install on this machine.

A database keeps its port while it is stopped (nothing listens then), so "free on the host
right now" is not enough between installs: each install records the ports it hands out as
files created with O_EXCL in one directory. A claim names its install and that install's data
dir; a claim whose install no longer exists there is stale and may be taken over.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from app.identity import install_id_of

UNREADABLE_GRACE_S = 5.0


@dataclass(frozen=True)
class PortClaim:
    port: int
    install_id: str
    data_dir: str
    database_id: str


class PortClaims:
    def __init__(self, directory: Path, install_id: str, data_dir: Path) -> None:
        self.directory = directory
        self.install_id = install_id
        self.data_dir = data_dir

    def prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def claim(self, port: int, database_id: str) -> bool:
        """Claim `port` for `database_id`; False when another live claim holds it."""
        mine = PortClaim(port, self.install_id, str(self.data_dir), database_id)
        for _ in range(2):
            if self._create(mine):
                return True
            held = self.read(port)
            if held is not None and held.install_id == self.install_id:
                return held.database_id == database_id
            if held is None and self._age_s(port) < UNREADABLE_GRACE_S:
                return False  # being written by another install right now
            if held is not None and not self._is_stale(held):
                return False
            self._path(port).unlink(missing_ok=True)  # stale: its install is gone
        return False

    def release(self, port: int, database_id: str) -> None:
        held = self.read(port)
        if held is not None and (held.install_id, held.database_id) == (
            self.install_id,
            database_id,
        ):
            self._path(port).unlink(missing_ok=True)

    def held_by_others(self, port: int) -> bool:
        held = self.read(port)
        return held is not None and held.install_id != self.install_id and not self._is_stale(held)

    def mine(self) -> list[PortClaim]:
        claims = []
        for path in self.directory.glob("port-*"):
            claim = self.read(int(path.name.removeprefix("port-")))
            if claim is not None and claim.install_id == self.install_id:
                claims.append(claim)
        return claims

    def read(self, port: int) -> PortClaim | None:
        try:
            raw = json.loads(self._path(port).read_text())
            return PortClaim(port, raw["install"], raw["data_dir"], raw["database"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _create(self, claim: PortClaim) -> bool:
        body = json.dumps(
            {"install": claim.install_id, "data_dir": claim.data_dir, "database": claim.database_id}
        )
        try:
            descriptor = os.open(
                self._path(claim.port), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644
            )
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "w") as handle:
            handle.write(body)
        return True

    @staticmethod
    def _is_stale(claim: PortClaim) -> bool:
        return install_id_of(Path(claim.data_dir)) != claim.install_id

    def _age_s(self, port: int) -> float:
        try:
            return time.time() - self._path(port).stat().st_mtime
        except OSError:
            return UNREADABLE_GRACE_S

    def _path(self, port: int) -> Path:
        return self.directory / f"port-{port}"
