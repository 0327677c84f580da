"""Unit tests drive the domain services directly, as the server's own work does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.domain.tenancy import SYSTEM, acting_as


@pytest.fixture(autouse=True)
def as_the_server() -> Iterator[None]:
    with acting_as(SYSTEM):
        yield
