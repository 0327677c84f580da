"""Which engine types and versions can be created: configured versions whose image is present."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

from app.drivers.runtime.base import ContainerRuntime
from app.engines import Engine
from app.errors import ValidationError

CACHE_SECONDS = 10.0


class EngineCatalog:
    def __init__(
        self,
        engines: Mapping[str, Engine],
        versions: Mapping[str, tuple[str, ...]],
        image_overrides: Mapping[str, str],
        runtime: ContainerRuntime,
    ) -> None:
        self._engines = engines
        self._versions = versions
        self._overrides = image_overrides
        self._runtime = runtime
        self._cache: dict[str, tuple[float, list[str]]] = {}

    def engine(self, type_name: object) -> Engine:
        if not isinstance(type_name, str) or type_name not in self._engines:
            raise ValidationError(
                "Invalid database type specified: expected one of "
                + ", ".join(sorted(self._engines))
            )
        return self._engines[type_name]

    def image(self, engine: Engine, version: str) -> str:
        return self._overrides.get(f"{engine.name}:{version}", engine.image_tag(version))

    def configured_versions(self, engine: Engine) -> tuple[str, ...]:
        return self._versions.get(engine.name, ())

    async def available_versions(self, engine: Engine) -> list[str]:
        cached = self._cache.get(engine.name)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        available = []
        for version in self.configured_versions(engine):
            image = self.image(engine, version)
            if await asyncio.to_thread(self._runtime.image_exists, image):
                available.append(version)
        self._cache[engine.name] = (time.monotonic(), available)
        return available

    async def resolve_version(self, engine: Engine, version: object) -> str:
        available = await self.available_versions(engine)
        if not available:
            raise ValidationError(
                f"No {engine.name} version is available on this server: "
                "no engine image is present (run `stagdb setup`)"
            )
        if version is None:
            return max(available, key=_version_key)
        if not isinstance(version, str | int | float) or isinstance(version, bool):
            raise ValidationError("version must be a string such as '15'")
        if str(version) not in available:
            raise ValidationError(
                f"Unsupported {engine.name} version {str(version)!r}: available versions are "
                + ", ".join(sorted(available, key=_version_key))
            )
        return str(version)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))
