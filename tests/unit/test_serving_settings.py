"""The HTTP limits and the retention age are read from STAGDB_* variables, with defaults, and
bad values are configuration errors naming the variable; uvicorn gets them as configured."""

from __future__ import annotations

import pytest

from app.config import ConfigError, ServingSettings, Settings
from app.header_deadline import HeaderDeadlineProtocol, protocol_for


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.serving == ServingSettings(
        max_body_bytes=64 * 1024,
        header_timeout_s=10.0,
        keep_alive_timeout_s=5.0,
        max_header_bytes=16 * 1024,
        max_concurrency=200,
    )
    assert settings.retention_s == 30 * 86400


def test_variables_are_read() -> None:
    settings = Settings.from_env(
        {
            "STAGDB_MAX_BODY_SIZE": "1m",
            "STAGDB_HEADER_TIMEOUT": "2.5",
            "STAGDB_KEEP_ALIVE_TIMEOUT": "3",
            "STAGDB_MAX_HEADER_SIZE": "8k",
            "STAGDB_MAX_CONCURRENCY": "10",
            "STAGDB_RETENTION": "12h",
        }
    )
    assert settings.serving == ServingSettings(1024 * 1024, 2.5, 3.0, 8 * 1024, 10)
    assert settings.retention_s == 12 * 3600


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STAGDB_MAX_BODY_SIZE", "12"),
        ("STAGDB_MAX_BODY_SIZE", "lots"),
        ("STAGDB_HEADER_TIMEOUT", "0"),
        ("STAGDB_KEEP_ALIVE_TIMEOUT", "-1"),
        ("STAGDB_MAX_CONCURRENCY", "0"),
        ("STAGDB_RETENTION", "forever"),
    ],
)
def test_bad_values_name_their_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_the_protocol_carries_the_configured_header_deadline() -> None:
    protocol = protocol_for(ServingSettings(header_timeout_s=1.5))
    assert issubclass(protocol, HeaderDeadlineProtocol)
    assert protocol.header_timeout_s == 1.5
