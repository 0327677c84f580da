"""Handler for promoting a branch onto its parent."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok
from app.api.inputs import json_object
from app.completion import to_completion
from app.domain.promotion import Promote


async def promote_branch(request: Request) -> Response:
    body = await json_object(request, {"keep_branch"}, required=set(), allow_empty=True)
    service = request.app.state.services.promotions
    work = service.promote(request.path_params["id"], Promote(**body))
    return ok(render.database(await to_completion(work)), "Branch promoted successfully")
