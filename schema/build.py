"""The schema object and the ASGI app serving it at /graphql (with an offline GraphiQL)."""

from __future__ import annotations

from pathlib import Path

import strawberry
from graphql.error import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types import ExecutionContext
from strawberry.types.unset import UNSET, UnsetType

from app.domain.keys import Principal
from app.errors import UnauthorizedError
from schema.caller import ActAsCaller
from schema.context import Context
from schema.errors import MaskUnexpectedErrors
from schema.loaders import Loaders
from schema.mutations import Mutation
from schema.queries import Query
from schema.subscriptions import Subscription

STATIC_DIR = Path(__file__).resolve().parent / "static"
GRAPHIQL_PAGE = (STATIC_DIR / "graphiql.html").read_text()


class StagSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors (bad input, not found, busy) are answers, not incidents: only
        masked unexpected errors are logged, by MaskUnexpectedErrors."""


schema = StagSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[ActAsCaller, MaskUnexpectedErrors],
)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context, API-key checks on WebSocket connections,
    and GraphiQL served from local files."""

    def __init__(self) -> None:
        super().__init__(schema, graphql_ide="graphiql")

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        services = request.app.state.services
        principal: Principal | None = request.scope.get("state", {}).get("principal")
        return Context(
            services=services,
            loaders=Loaders.build(services),
            principal=principal,
            sessions=request.app.state.sessions,
            websocket=request if isinstance(request, WebSocket) else None,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(GRAPHIQL_PAGE)

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """WebSocket clients send the key in connection_init: {"Authorization": "Bearer …"}."""
        header = context.connection_params.get("Authorization") or context.connection_params.get(
            "authorization"
        )
        try:
            context.principal = await context.services.keys.authenticate(
                header if isinstance(header, str) else None
            )
        except UnauthorizedError:
            raise ConnectionRejectionError({"code": "UNAUTHORIZED"}) from None
        if context.websocket is not None:
            context.sessions.add(context.principal.key_id, context.websocket)
        return UNSET
