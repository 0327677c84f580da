"""`stagdb doctor`: check every dependency and say what is wrong and how to fix it."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from tortoise import Tortoise

from app.config import Settings
from app.domain.services import Services
from app.drivers.forwarding import ForwardingUnavailable
from app.drivers.runtime.base import RuntimeFailure
from app.engines import ENGINES
from app.models import tortoise_config
from app.models.migrations import MIGRATIONS_DIR
from app.models.sealed import SEALER, SealingError, configure_sealing


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def run_doctor(settings: Settings) -> list[Finding]:
    services = Services.build(settings)
    findings = [_docker(services)]
    if findings[0].ok:
        findings.append(_images(services))
    findings.append(_pool(services))
    findings.append(_forwarding(services))
    findings.append(asyncio.run(_metadata(settings)))
    return findings


def _docker(services: Services) -> Finding:
    try:
        services.runtime.ping()
    except RuntimeFailure:
        return Finding(
            "docker",
            False,
            "the Docker engine does not answer",
            "run `stagdb setup` (starts the engine) or start dockerd",
        )
    return Finding("docker", True, "engine answers")


def _images(services: Services) -> Finding:
    catalog = services.catalog
    present = {
        engine.name: [
            version
            for version in catalog.configured_versions(engine)
            if services.runtime.image_exists(catalog.image(engine, version))
        ]
        for engine in ENGINES.values()
    }
    if not any(present.values()):
        return Finding(
            "images",
            False,
            "no engine image is present",
            "run `stagdb setup` to pull or build one",
        )
    return Finding(
        "images",
        True,
        "; ".join(
            f"{name} versions available: {', '.join(versions) or 'none'}"
            for name, versions in present.items()
        ),
    )


def _pool(services: Services) -> Finding:
    root = services.pool.root
    if not root.is_dir():
        return Finding("storage", False, f"pool path {root} does not exist", "run `stagdb setup`")
    if not os.access(root, os.W_OK):
        return Finding(
            "storage",
            False,
            f"pool path {root} is not writable",
            "run the server as root or fix the permissions",
        )
    if services.settings.disk_quota_bytes is not None and not services.pool.supports_quotas:
        return Finding(
            "storage",
            False,
            f"STAGDB_DISK_QUOTA is set but the {services.pool.kind} backend cannot enforce it",
            "use a zfs or btrfs pool, or unset STAGDB_DISK_QUOTA",
        )
    free_gib = services.pool.free_bytes() / 1024**3
    return Finding("storage", True, f"{services.pool.kind} pool at {root}, {free_gib:.1f} GiB free")


def _forwarding(services: Services) -> Finding:
    forwarding = services.provisioner.doors.forwarding
    if forwarding is None:
        return Finding(
            "forwarding",
            True,
            "kernel forwarding turned off: every connection goes through the connection front",
        )
    try:
        forwarding.check()
    except ForwardingUnavailable as exc:
        return Finding(
            "forwarding",
            False,
            f"kernel forwarding unavailable ({exc}): connections go through the front, slower",
            "install nftables (`apt-get install nftables`) and run the server as root, or set "
            "STAGDB_KERNEL_FORWARDING=false",
        )
    return Finding("forwarding", True, "nftables forwards connections to running databases")


async def _opens_sealed_secrets(settings: Settings) -> Finding | None:
    """A problem when the secret key does not open the secrets the metadata holds."""
    configure_sealing(settings.data_dir, settings.secret_key)
    connection = Tortoise.get_connection("default")
    try:
        _, rows = await connection.execute_query('SELECT "password" FROM "databases" LIMIT 1')
    except Exception:
        return None  # no schema yet: the migration check says so
    try:
        for row in rows:
            SEALER.open(str(row["password"]))
    except SealingError as exc:
        return Finding(
            "metadata",
            False,
            str(exc),
            "set STAGDB_SECRET_KEY to the key the metadata was written with, or restore "
            "secret.key in the data dir",
        )
    return None


async def _metadata(settings: Settings) -> Finding:
    try:
        await Tortoise.init(config=tortoise_config(settings.database_url))
        try:
            connection = Tortoise.get_connection("default")
            _, rows = await connection.execute_query("SELECT version FROM aerich")
            sealed = await _opens_sealed_secrets(settings)
        finally:
            await Tortoise.close_connections()
    except Exception as exc:
        return Finding(
            "metadata",
            False,
            f"metadata database unusable ({type(exc).__name__})",
            "check STAGDB_DATABASE_URL, then run `stagdb setup` to apply migrations",
        )
    if sealed is not None:
        return sealed
    applied = {row["version"] for row in rows}
    shipped = {path.name for path in (MIGRATIONS_DIR / "models").glob("[0-9]*_*.py")}
    pending = sorted(shipped - applied)
    if pending:
        return Finding(
            "metadata",
            False,
            f"pending migrations: {', '.join(pending)}",
            "run `stagdb setup` or `stagdb serve` (applies them at start)",
        )
    return Finding("metadata", True, f"schema up to date ({len(applied)} migrations)")
