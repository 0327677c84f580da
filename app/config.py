"""Typed server configuration, read once from `STAGDB_*` environment variables."""

from __future__ import annotations

import ipaddress
import math
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.domain.durations import parse_duration
from app.errors import ValidationError

STORAGE_KINDS = ("auto", "zfs", "btrfs", "reflink", "copy")
NETWORK_MODES = ("host", "bridge")
# Versions offered per engine type (when their image is present): variable and default.
ENGINE_VERSIONS = {
    "postgresql": ("STAGDB_POSTGRES_VERSIONS", "12,13,14,15,16,17"),
    "mariadb": ("STAGDB_MARIADB_VERSIONS", "10.6,10.11,11.4"),
    "mysql": ("STAGDB_MYSQL_VERSIONS", "5.7,8.0,8.4"),
    "mongodb": ("STAGDB_MONGODB_VERSIONS", "5.0,6.0,7.0"),
}


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class WebhookSettings:
    """Webhook delivery: attempts per delivery, back-off between them, request timeout and
    how often the worker looks for work."""

    max_attempts: int = 8
    backoff_base_s: float = 2.0
    backoff_max_s: float = 600.0
    timeout_s: float = 10.0
    poll_interval_s: float = 0.5
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings:
        defaults = cls()
        settings = cls(
            max_attempts=_int(env, "STAGDB_WEBHOOK_MAX_ATTEMPTS", defaults.max_attempts),
            backoff_base_s=_float(env, "STAGDB_WEBHOOK_BACKOFF_BASE", defaults.backoff_base_s),
            backoff_max_s=_float(env, "STAGDB_WEBHOOK_BACKOFF_MAX", defaults.backoff_max_s),
            timeout_s=_float(env, "STAGDB_WEBHOOK_TIMEOUT", defaults.timeout_s),
            poll_interval_s=_float(env, "STAGDB_WEBHOOK_POLL_INTERVAL", defaults.poll_interval_s),
            allow_networks=_networks(env, "STAGDB_WEBHOOK_ALLOW_NETWORKS"),
        )
        if settings.max_attempts < 1:
            raise ConfigError("STAGDB_WEBHOOK_MAX_ATTEMPTS must be at least 1")
        for name, value in (
            ("STAGDB_WEBHOOK_BACKOFF_BASE", settings.backoff_base_s),
            ("STAGDB_WEBHOOK_BACKOFF_MAX", settings.backoff_max_s),
            ("STAGDB_WEBHOOK_TIMEOUT", settings.timeout_s),
            ("STAGDB_WEBHOOK_POLL_INTERVAL", settings.poll_interval_s),
        ):
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{name} must be a positive number of seconds")
        return settings


@dataclass(frozen=True)
class ServingSettings:
    """How the HTTP server protects itself: the largest request body, how long a client may
    take to send a request's headers, how long an idle keep-alive connection stays open,
    the longest header block, and how many connections and requests it serves at once."""

    max_body_bytes: int = 64 * 1024
    header_timeout_s: float = 10.0
    keep_alive_timeout_s: float = 5.0
    max_header_bytes: int = 16 * 1024
    max_concurrency: int = 200

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServingSettings:
        defaults = cls()
        return cls(
            max_body_bytes=_byte_count(env, "STAGDB_MAX_BODY_SIZE", defaults.max_body_bytes),
            header_timeout_s=_seconds(env, "STAGDB_HEADER_TIMEOUT", defaults.header_timeout_s),
            keep_alive_timeout_s=_seconds(
                env, "STAGDB_KEEP_ALIVE_TIMEOUT", defaults.keep_alive_timeout_s
            ),
            max_header_bytes=_byte_count(env, "STAGDB_MAX_HEADER_SIZE", defaults.max_header_bytes),
            max_concurrency=_positive(env, "STAGDB_MAX_CONCURRENCY", defaults.max_concurrency),
        )


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    storage: str
    pool_path: Path
    pool_size_gib: int
    network_mode: str
    bind_address: str
    port_range: tuple[int, int]
    api_host: str
    api_port: int
    host_name: str
    connect_host: str
    docker_host: str | None
    images: Mapping[str, str]
    engine_versions: Mapping[str, tuple[str, ...]]
    operation_timeout_s: float
    webhooks: WebhookSettings
    rate_limits: Mapping[str, int]
    port_claims_dir: Path = Path("/var/lib/stagdb-ports")
    sweep_interval_s: float = 5.0
    pids_limit: int = 1024
    default_memory_bytes: int | None = None
    pool_min_free_bytes: int = 64 * 1024 * 1024
    pull_images: bool = True
    job_interval_s: float = 1.0
    wake_timeout_s: float = 30.0
    kernel_forwarding: bool = True  # the kernel carries local connections to running engines
    branch_ttl_s: int | None = None
    auto_stop_after_s: int | None = None
    engine_port_offset: int = 10000
    disk_quota_bytes: int | None = None
    secret_key: str | None = None
    serving: ServingSettings = ServingSettings()
    retention_s: int = 30 * 86400
    import_jobs: int = 4  # parallel jobs of an import's dump and restore
    warm_engines: int = 0  # containers kept started per engine image in use, awaiting a database
    # Where /metrics is also served without a key (for a scraper on a private address).
    metrics_address: tuple[str, int] | None = None

    def __post_init__(self) -> None:
        if self.database_url.startswith(("postgres://", "postgresql://")) and not self.secret_key:
            raise ConfigError(
                "STAGDB_SECRET_KEY must be set when the metadata is in PostgreSQL: every replica "
                "seals and opens secrets with it, so all of them need the same key"
            )
        metadata = _sqlite_path(self.database_url)
        if metadata is not None and metadata.is_relative_to(self.pool_path):
            raise ConfigError(
                "STAGDB_DATABASE_URL must not point inside the storage pool "
                f"({self.pool_path}): a full pool must never stop the metadata database"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("STAGDB_DATA_DIR", "/var/lib/stagdb")).absolute()
        storage = env.get("STAGDB_STORAGE", "auto")
        if storage not in STORAGE_KINDS:
            raise ConfigError(f"STAGDB_STORAGE must be one of {', '.join(STORAGE_KINDS)}")
        network_mode = env.get("STAGDB_NETWORK_MODE", "host")
        if network_mode not in NETWORK_MODES:
            raise ConfigError(f"STAGDB_NETWORK_MODE must be one of {', '.join(NETWORK_MODES)}")
        bind_address = env.get("STAGDB_BIND_ADDRESS", "127.0.0.1")
        return cls(
            data_dir=data_dir,
            database_url=metadata_url(env),
            storage=storage,
            pool_path=Path(env.get("STAGDB_POOL_PATH", str(data_dir / "pool"))).absolute(),
            pool_size_gib=_int(env, "STAGDB_POOL_SIZE_GIB", 20),
            network_mode=network_mode,
            bind_address=bind_address,
            port_range=_port_range(env.get("STAGDB_PORT_RANGE", "15000-15999")),
            api_host=env.get("STAGDB_API_HOST", "127.0.0.1"),
            api_port=_int(env, "STAGDB_API_PORT", 8080),
            host_name=env.get("STAGDB_HOST_NAME", "local"),
            connect_host=env.get("STAGDB_PUBLIC_HOST") or _connect_host(bind_address),
            docker_host=env.get("STAGDB_DOCKER_HOST") or env.get("DOCKER_HOST") or None,
            images=_images(env),
            engine_versions={
                engine: _versions(env.get(variable, default))
                for engine, (variable, default) in ENGINE_VERSIONS.items()
            },
            operation_timeout_s=float(_int(env, "STAGDB_OPERATION_TIMEOUT", 120)),
            import_jobs=_positive(env, "STAGDB_IMPORT_JOBS", 4),
            warm_engines=_at_least_zero(env, "STAGDB_WARM_ENGINES", 0),
            webhooks=WebhookSettings.from_env(env),
            rate_limits={
                "general": _positive(env, "STAGDB_RATE_LIMIT_GENERAL", 1000),
                "database": _positive(env, "STAGDB_RATE_LIMIT_DATABASE", 100),
                "branching": _positive(env, "STAGDB_RATE_LIMIT_BRANCHING", 50),
            },
            port_claims_dir=Path(
                env.get("STAGDB_PORT_CLAIMS_DIR", "/var/lib/stagdb-ports")
            ).absolute(),
            sweep_interval_s=_seconds(env, "STAGDB_SWEEP_INTERVAL", 5.0),
            pids_limit=_positive(env, "STAGDB_PIDS_LIMIT", 1024),
            default_memory_bytes=_size(env, "STAGDB_DEFAULT_MEMORY"),
            pool_min_free_bytes=_int(env, "STAGDB_POOL_MIN_FREE_MIB", 64) * 1024 * 1024,
            pull_images=_flag(env, "STAGDB_PULL_IMAGES", True),
            job_interval_s=_job_interval(env),
            wake_timeout_s=_seconds(env, "STAGDB_WAKE_TIMEOUT", 30.0),
            kernel_forwarding=_flag(env, "STAGDB_KERNEL_FORWARDING", True),
            branch_ttl_s=_duration(env, "STAGDB_BRANCH_TTL"),
            auto_stop_after_s=_duration(env, "STAGDB_AUTO_STOP_AFTER"),
            engine_port_offset=_engine_port_offset(env),
            disk_quota_bytes=_size(env, "STAGDB_DISK_QUOTA"),
            secret_key=env.get("STAGDB_SECRET_KEY") or None,
            serving=ServingSettings.from_env(env),
            retention_s=_duration(env, "STAGDB_RETENTION") or 30 * 86400,
            metrics_address=_metrics_address(env.get("STAGDB_METRICS_ADDRESS") or None),
        )


def _metrics_address(raw: str | None) -> tuple[str, int] | None:
    if raw is None:
        return None
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"STAGDB_METRICS_ADDRESS must look like 127.0.0.1:9464, got {raw!r}")
    return host.strip("[]"), int(port)


def _job_interval(env: Mapping[str, str]) -> float:
    value = _seconds(env, "STAGDB_JOB_INTERVAL", 1.0)
    if value > 5:
        raise ConfigError("STAGDB_JOB_INTERVAL must be at most 5 seconds")
    return value


def _duration(env: Mapping[str, str], name: str) -> int | None:
    """A duration such as `90s`, `15m`, `2h`, `7d`; unset or empty means none."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_duration(raw, name)
    except ValidationError as exc:
        raise ConfigError(exc.message) from None


def _engine_port_offset(env: Mapping[str, str]) -> int:
    offset = _int(env, "STAGDB_ENGINE_PORT_OFFSET", 10000)
    _, high = _port_range(env.get("STAGDB_PORT_RANGE", "15000-15999"))
    if offset < 1 or high + offset > 65535:
        raise ConfigError(
            "STAGDB_ENGINE_PORT_OFFSET must be positive and keep STAGDB_PORT_RANGE + offset "
            "within 65535"
        )
    return offset


def _networks(
    env: Mapping[str, str], name: str
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for part in filter(None, (piece.strip() for piece in env.get(name, "").split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(
                f"{name} must list networks such as 10.0.0.0/8, got {part!r}"
            ) from None
    return tuple(networks)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite://") or url.startswith("sqlite://:memory:"):
        return None
    return Path(url.removeprefix("sqlite://")).absolute()


def metadata_url(env: Mapping[str, str]) -> str:
    """STAGDB_DATABASE_URL, or the SQLite file in the data dir."""
    data_dir = Path(env.get("STAGDB_DATA_DIR", "/var/lib/stagdb")).absolute()
    return env.get("STAGDB_DATABASE_URL", f"sqlite://{data_dir / 'stagdb.sqlite3'}")


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be a positive number of seconds, got {value}")
    return value


def _size(env: Mapping[str, str], name: str) -> int | None:
    """A Docker-style size (`512m`, `1g`); unset or empty means no default limit."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return None
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    number, unit = (raw[:-1], raw[-1]) if raw[-1] in units else (raw, "")
    try:
        value = int(float(number) * units.get(unit, 1))
    except ValueError:
        raise ConfigError(f"{name} must be a size such as 512m or 1g, got {raw!r}") from None
    if value < 64 * 1024**2:
        raise ConfigError(f"{name} must be at least 64m, got {raw!r}")
    return value


def _byte_count(env: Mapping[str, str], name: str, default: int) -> int:
    """A byte count (`1048576`, `64k`, `1m`); at least 1k."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    number, unit = (raw[:-1], raw[-1]) if raw[-1] in units else (raw, "")
    if not number.isdigit():
        raise ConfigError(f"{name} must be a size such as 64k or 1m, got {raw!r}")
    value = int(number) * units.get(unit, 1)
    if value < 1024:
        raise ConfigError(f"{name} must be at least 1k, got {raw!r}")
    return value


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _at_least_zero(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 0:
        raise ConfigError(f"{name} must be 0 or more, got {value}")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _versions(raw: str) -> tuple[str, ...]:
    return tuple(version.strip() for version in raw.split(",") if version.strip())


def _connect_host(bind_address: str) -> str:
    """Clients cannot connect to a wildcard address; advertise this machine's name instead."""
    return socket.getfqdn() if bind_address in ("0.0.0.0", "::") else bind_address


def _port_range(raw: str) -> tuple[int, int]:
    try:
        low, high = (int(part) for part in raw.split("-", 1))
    except ValueError:
        raise ConfigError(f"STAGDB_PORT_RANGE must look like 15000-15999, got {raw!r}") from None
    if not 1024 <= low <= high <= 65535:
        raise ConfigError("STAGDB_PORT_RANGE must lie within 1024-65535, low before high")
    return low, high


def _images(env: Mapping[str, str]) -> dict[str, str]:
    """Image overrides: `STAGDB_IMAGE_POSTGRESQL_15=registry/pg:15` → {"postgresql:15": ...}."""
    prefix = "STAGDB_IMAGE_"
    overrides: dict[str, str] = {}
    for name, value in env.items():
        if name.startswith(prefix) and "_" in name[len(prefix) :]:
            engine, version = name[len(prefix) :].lower().split("_", 1)
            overrides[f"{engine}:{version.replace('_', '.')}"] = value
    return overrides
