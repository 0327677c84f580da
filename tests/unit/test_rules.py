"""Fast unit tests of the domain's rules: names, resources, pagination, configuration."""

from __future__ import annotations

import re

import pytest

from app.config import ConfigError, Settings
from app.domain.naming import validate_name
from app.domain.pagination import Page, page_request
from app.domain.resources import Resources, format_memory, parse_resources
from app.drivers.ephemeral import overlap
from app.engines.postgresql import PostgreSQL, scram_verifier
from app.errors import ValidationError


@pytest.mark.parametrize("name", ["my-app-db", "a", "pr-1234", "x" * 63, "db-primary"])
def test_valid_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "1 to 63"),
        ("x" * 64, "1 to 63"),
        ("MyDb", "lowercase"),
        ("1db", "starting with a letter"),
        ("db-", "not ending with a hyphen"),
        ("my_db", "lowercase letters, digits and hyphens"),
        ("a--b", "consecutive hyphens"),
        ("db-abcdefghijkl", "form of an id"),
        (None, "must be a string"),
    ],
)
def test_invalid_names_say_why(name: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_name(name)


def test_resources_parse_sizes_and_keep_unmentioned_values() -> None:
    assert parse_resources({"memory": "512m", "cpus": 2}, {}) == Resources(512 * 2**20, 2.0)
    assert parse_resources({"memory": "1GiB"}, {}).memory_bytes == 2**30
    assert parse_resources({"cpus": 0.5}, {}, Resources(2**30, 1.0)) == Resources(2**30, 0.5)
    assert parse_resources({"memory": None}, {}, Resources(2**30, 1.0)) == Resources(None, 1.0)
    assert format_memory(1536 * 2**20) == "1536m"
    assert format_memory(2 * 2**30) == "2g"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"memory": "12"}, "at least 64m"),
        ({"memory": "4097g"}, "at most 4096g"),
        ({"memory": "9" * 5000}, "Invalid memory"),
        ({"memory": "much"}, "Invalid memory"),
        ({"memory": True}, "Invalid memory"),
        ({"cpus": "two"}, "Invalid cpus"),
        ({"cpus": 0}, "between 0.01"),
        ({"disk": "1g"}, "Unknown resources field"),
        ("big", "must be an object"),
    ],
)
def test_invalid_resources(value: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_resources(value, {})


def test_engine_settings_merge_and_null_returns_the_default() -> None:
    tunables = PostgreSQL.tunables
    current = Resources(None, None, {"work_mem": "8MB", "max_connections": 40})
    given = {"settings": {"max_connections": 50, "autovacuum": False, "work_mem": None}}
    assert parse_resources(given, tunables, current).settings == {
        "max_connections": 50,
        "autovacuum": False,
    }
    assert parse_resources({"settings": None}, tunables, current).settings == {}
    assert parse_resources({"cpus": 1}, tunables, current).settings == current.settings


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"fsync": False}, "Setting 'fsync' cannot be overridden; allowed: "),
        ({"max_connections": "50"}, "must be an integer from 5 to 10000"),
        ({"max_connections": 2}, "must be an integer from 5 to 10000"),
        ({"max_connections": True}, "must be an integer"),
        ({"autovacuum": "on"}, "must be true or false"),
        ({"shared_buffers": "64 MB; DROP"}, "must be a string such as '64MB'"),
        ({"shared_buffers": 64}, "must be a string such as"),
        ([], "must be an object of setting names"),
    ],
)
def test_invalid_engine_settings(settings: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(reason)):
        parse_resources({"settings": settings}, PostgreSQL.tunables)


def test_pagination_bounds() -> None:
    assert page_request().offset == 0
    request = page_request("3", "10")
    assert (request.page, request.limit, request.offset) == (3, 10, 20)
    assert Page(items=[], request=request, total=21).total_pages == 3
    assert Page(items=[], request=request, total=0).total_pages == 0
    for page, limit in [("0", None), (None, "101"), ("x", None), (None, "-1")]:
        with pytest.raises(ValidationError):
            page_request(page, limit)


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "STAGDB_DATA_DIR": "/srv/stagdb",
            "STAGDB_PORT_RANGE": "20000-20010",
            "STAGDB_IMAGE_POSTGRESQL_16": "registry.local/pg:16",
            "STAGDB_BIND_ADDRESS": "0.0.0.0",
            "STAGDB_PUBLIC_HOST": "db.example.test",
        }
    )
    assert settings.database_url == "sqlite:///srv/stagdb/stagdb.sqlite3"
    assert str(settings.pool_path) == "/srv/stagdb/pool"
    assert settings.port_range == (20000, 20010)
    assert settings.images == {"postgresql:16": "registry.local/pg:16"}
    assert settings.connect_host == "db.example.test"
    assert (settings.api_host, settings.api_port, settings.network_mode) == (
        "127.0.0.1",
        8080,
        "host",
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"STAGDB_STORAGE": "tape"}, "STAGDB_STORAGE"),
        ({"STAGDB_NETWORK_MODE": "overlay"}, "STAGDB_NETWORK_MODE"),
        ({"STAGDB_PORT_RANGE": "abc"}, "STAGDB_PORT_RANGE"),
        ({"STAGDB_API_PORT": "eighty"}, "STAGDB_API_PORT"),
        ({"STAGDB_RATE_LIMIT_DATABASE": "0"}, "STAGDB_RATE_LIMIT_DATABASE"),
        ({"STAGDB_DATABASE_URL": "postgres://db/stagdb"}, "STAGDB_SECRET_KEY"),
        (
            {
                "STAGDB_DATA_DIR": "/srv",
                "STAGDB_POOL_PATH": "/srv",
                "STAGDB_DATABASE_URL": "sqlite:///srv/meta.sqlite3",
            },
            "inside the storage pool",
        ),
        ({"STAGDB_WEBHOOK_ALLOW_NETWORKS": "10.0.0.0/33"}, "STAGDB_WEBHOOK_ALLOW_NETWORKS"),
        ({"STAGDB_DEFAULT_MEMORY": "1m"}, "STAGDB_DEFAULT_MEMORY"),
        ({"STAGDB_SWEEP_INTERVAL": "0"}, "STAGDB_SWEEP_INTERVAL"),
        ({"STAGDB_PULL_IMAGES": "maybe"}, "STAGDB_PULL_IMAGES"),
        ({"STAGDB_WARM_ENGINES": "-1"}, "STAGDB_WARM_ENGINES"),
        ({"STAGDB_WARM_ENGINES": "ten"}, "STAGDB_WARM_ENGINES"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_scram_verifier_has_postgres_format_and_depends_on_salt() -> None:
    verifier = scram_verifier("secret", salt=b"0123456789abcdef")
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    assert method == "SCRAM-SHA-256"
    assert iterations_salt == "4096:MDEyMzQ1Njc4OWFiY2RlZg=="
    assert len(keys.split(":")) == 2
    assert scram_verifier("secret", salt=b"0123456789abcdef") == verifier
    assert scram_verifier("secret") != verifier


def test_engine_ports_in_the_ephemeral_range_are_found() -> None:
    assert overlap((25000, 25999), (32768, 60999)) is None
    assert overlap((30000, 39999), (32768, 60999)) == (32768, 39999)
    assert overlap((40000, 40999), None) is None
