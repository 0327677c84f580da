"""When an answer may carry a database's connection (and so its password): never to a `read`
key; to the others in single reads and answers to changes, and in lists only when asked
with `?include=credentials`."""

from __future__ import annotations

from starlette.requests import Request

from app.domain import tenancy
from app.domain.tenancy import Scope
from app.errors import ValidationError

INCLUDABLE = frozenset({"credentials"})


def shows_credentials(request: Request, listing: bool = False) -> bool:
    include = {part.strip() for part in request.query_params.get("include", "").split(",")}
    include.discard("")
    unknown = sorted(include - INCLUDABLE)
    if unknown:
        raise ValidationError(f"include may only name: {', '.join(sorted(INCLUDABLE))}")
    if not tenancy.current().scope.allows(Scope.WRITE):
        return False
    return not listing or "credentials" in include
