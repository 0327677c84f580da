"""How failures reach GraphQL clients: domain errors keep their message and carry the same
code as REST in `extensions.code`; anything unexpected is masked and logged."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from app.errors import StagError

log = logging.getLogger(__name__)
T = TypeVar("T")
INTERNAL_MESSAGE = "An unexpected error occurred; it has been logged"


def as_graphql_error(exc: StagError) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": exc.code})


async def domain(work: Callable[[], Awaitable[T]]) -> T:
    """Run a domain call, turning its errors into GraphQL errors with their public code."""
    try:
        return await work()
    except StagError as exc:
        if exc.code == "SERVER_ERROR":
            log.error("operation failed: %s", exc.message, exc_info=exc.__cause__)
        raise as_graphql_error(exc) from exc


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message=INTERNAL_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        log.error("unexpected error in GraphQL", exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "SERVER_ERROR"}
        return masked
