"""Bounds on what one GraphQL document may ask for (depth, aliases, tokens: Strawberry's own
validators), and the code every refusal of a document carries: errors graphql-core raises
while parsing or validating have none of their own, so they get `VALIDATION_ERROR`."""

from __future__ import annotations

from collections.abc import Callable

from graphql.error import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

# The deepest honest query (databases → items → parent → branches → snapshots → database →
# connection → uri) is 8 levels; introspection fields are not counted.
MAX_DEPTH = 10
# Enough to read a page of databases under a few names in one request.
MAX_ALIASES = 30
# The longest query in the README is about 60 tokens; GraphiQL's introspection about 250.
MAX_TOKENS = 2000


def _lacks_code(error: GraphQLError) -> bool:
    return error.original_error is None and not (error.extensions or {}).get("code")


class CodeDocumentErrors(MaskErrors):
    """Keeps each parse and validation error as it is, adding `extensions.code`."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_lacks_code)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error.extensions = {**(error.extensions or {}), "code": "VALIDATION_ERROR"}
        return error


def _depth() -> SchemaExtension:
    return QueryDepthLimiter(max_depth=MAX_DEPTH)


def _aliases() -> SchemaExtension:
    return MaxAliasesLimiter(max_alias_count=MAX_ALIASES)


def _tokens() -> SchemaExtension:
    return MaxTokensLimiter(max_token_count=MAX_TOKENS)


# Factories: Strawberry makes each extension anew for every operation.
DOCUMENT_LIMITS: list[Callable[[], SchemaExtension]] = [
    _depth,
    _aliases,
    _tokens,
    CodeDocumentErrors,
]
