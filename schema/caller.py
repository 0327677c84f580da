"""Runs each GraphQL operation as the API key that sent it (its project and scope, for
requests over HTTP and WebSocket alike) and records every mutation in the audit trail."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import OperationType
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperation

from app.domain.audit import AuditRecord, AuditTrail
from app.domain.keys import Principal
from app.domain.tenancy import acting_as
from app.logs import REQUEST_ID

log = logging.getLogger(__name__)


class ActAsCaller(SchemaExtension):
    trail = AuditTrail()

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        principal: Principal | None = self.execution_context.context.principal
        if principal is None:  # never reached: the key is checked before execution
            yield
            return
        with acting_as(principal.access):
            yield
        if self.execution_context.operation_type is StrawberryOperation.MUTATION:
            await self._record(principal)

    async def _record(self, principal: Principal) -> None:
        result = self.execution_context.result
        errors = (result.errors if result is not None else None) or []
        code = next((str((e.extensions or {}).get("code", "SERVER_ERROR")) for e in errors), None)
        document = self.execution_context.graphql_document
        fields = _mutation_fields(document) if document is not None else []
        try:
            await self.trail.record(
                AuditRecord(
                    key_id=principal.key_id,
                    project_id=principal.project_id,
                    action="graphql " + ",".join(fields or ["mutation"]),
                    target=_target(self.execution_context.variables or {}),
                    status_code=200,
                    result=code or "ok",
                    request_id=REQUEST_ID.get(),
                )
            )
        except Exception:
            log.exception("could not record an audit entry for a GraphQL mutation")


def _mutation_fields(document: object) -> list[str]:
    names: list[str] = []
    for definition in getattr(document, "definitions", ()):
        if getattr(definition, "operation", None) is OperationType.MUTATION:
            for selection in definition.selection_set.selections:
                names.append(selection.name.value)
    return names


def _target(variables: dict[str, object]) -> str | None:
    value = variables.get("id")
    return value if isinstance(value, str) else None
