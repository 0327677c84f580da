"""`stagdb setup`: make this host ready to serve, idempotently."""

from __future__ import annotations

import asyncio

import docker

from app.config import Settings
from app.domain.services import Services
from app.drivers.storage import remember_kind
from app.engines import ENGINES, Engine
from app.models.migrations import apply_migrations
from app.setup.host import (
    Report,
    SetupError,
    ensure_docker_engine,
    ensure_tools,
    install_packages,
)
from app.setup.images import ImageUnavailable, ensure_image, host_versions, image_exists
from app.setup.pool import prepare_pool

TOOLS_BY_STORAGE = {
    "auto": ["mkfs.btrfs"],
    "btrfs": ["mkfs.btrfs"],
    "reflink": ["mkfs.xfs"],
    "zfs": ["zfs-fuse"],
}


def run_setup(settings: Settings, report: Report) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.docker_host is None:
        ensure_tools(["dockerd"], report)
        client = ensure_docker_engine(settings.data_dir, report)
    else:  # an engine of the operator's choosing: use it, never start one
        client = docker.DockerClient(base_url=settings.docker_host, timeout=60)
    report("docker engine: running")

    ensure_tools(TOOLS_BY_STORAGE.get(settings.storage, []), report)
    if settings.kernel_forwarding:
        try:
            ensure_tools(["nft"], report)
        except SetupError as exc:  # the front carries every connection without it
            report(f"kernel forwarding unavailable: {exc}")
    prepare_pool(
        settings.storage, settings.pool_path, settings.data_dir, settings.pool_size_gib, report
    )
    services = Services.build(settings)
    services.pool.prepare()
    remember_kind(services.pool)
    report(f"storage pool: {services.pool.kind} at {settings.pool_path}")

    _install_engine_packages(services, client, report)
    ready = {
        engine: _ensure_images(engine, services, client, report) for engine in ENGINES.values()
    }
    if not any(ready.values()):
        raise SetupError(
            "No engine image is available: connect to a registry, or install a server setup "
            "can build one from (`apt-get install postgresql` or `apt-get install mariadb-server`)"
        )
    applied = asyncio.run(_migrate_and_warm(settings, services, ready))
    report(
        f"metadata: {settings.database_url.split('://')[0]} up to date"
        + (f" (applied {', '.join(applied)})" if applied else "")
    )


ENGINE_PACKAGES = {"postgresql": "postgresql", "mariadb": "mariadb-server"}


def _install_engine_packages(
    services: Services, client: docker.DockerClient, report: Report
) -> None:
    """Engines whose images this host could build but has neither the images nor the server
    binaries for: install the distribution's server package (its service is not started),
    so that every engine that can be made here is made."""
    wanted = []
    for name, package in ENGINE_PACKAGES.items():
        engine = ENGINES[name]
        tags = [
            services.catalog.image(engine, v) for v in services.catalog.configured_versions(engine)
        ]
        if host_versions(name) or any(image_exists(client, tag) for tag in tags):
            continue
        wanted.append(package)
    if wanted:
        install_packages(wanted, report)


def _ensure_images(
    engine: Engine, services: Services, client: docker.DockerClient, report: Report
) -> list[str]:
    """The engine's configured versions whose image is now present: found, pulled or built.
    A version this host could build but did not is an error; any other missing one is not."""
    buildable = set(host_versions(engine.name))
    ready: list[str] = []
    for version in services.catalog.configured_versions(engine):
        tag = services.catalog.image(engine, version)
        try:
            outcome = ensure_image(
                engine.name,
                version,
                tag,
                client,
                log=report,
                pull=services.settings.pull_images,
                built_by=services.install_id,
            )
        except ImageUnavailable as exc:
            if version in buildable:
                raise SetupError(str(exc)) from exc
            report(f"image {tag}: not available here ({exc})")
            continue
        report(f"image {tag}: {outcome}")
        ready.append(version)
    return ready


async def _migrate_and_warm(
    settings: Settings, services: Services, ready: dict[Engine, list[str]]
) -> list[str]:
    applied = await apply_migrations(settings.database_url)
    for engine, versions in ready.items():
        for version in versions:
            await services.provisioner.ensure_template(
                engine, version, services.catalog.image(engine, version)
            )
    return applied
