"""GraphQL over WebSocket (graphql-transport-ws): every operation a client starts counts
against its key's general budget, as one HTTP request does; past it the operation gets an
`error` message with code RATE_LIMITED and the connection stays open."""

from __future__ import annotations

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from schema.context import Context
from schema.ratelimit import charge_request


class RateLimitedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        starting = self.connection_acknowledged and message["id"] not in self.operations
        if starting:
            refused = await charge_request(self.context)
            if refused is not None:
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [refused.formatted]}
                )
                return
        await super().handle_subscribe(message)
