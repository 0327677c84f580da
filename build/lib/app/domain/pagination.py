"""Page/limit rules shared by every list."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.errors import ValidationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    request: PageRequest
    total: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.request.limit) if self.total else 0


def page_request(page: object = None, limit: object = None) -> PageRequest:
    return PageRequest(
        page=_bounded_int("page", page, 1, 1, 1_000_000),
        limit=_bounded_int("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
    )


def _bounded_int(name: str, raw: object, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValidationError(f"{name} must be an integer between {low} and {high}") from None
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low} and {high} (got {value})")
    return value
