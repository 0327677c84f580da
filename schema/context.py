"""The typed context every resolver receives: the domain services and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from app.domain.keys import Principal
from app.domain.monitoring import LiveReads
from app.domain.services import Services
from schema.loaders import Loaders
from schema.sessions import OpenSessions


@dataclass
class Context:
    services: Services
    loaders: Loaders
    principal: Principal | None
    sessions: OpenSessions
    websocket: WebSocket | None = None  # set for sessions over graphql-transport-ws
    connection_params: dict[str, object] = field(default_factory=dict)
    live_reads: LiveReads = field(default_factory=LiveReads)


Info = StrawberryInfo[Context, None]
