"""The engines StagDB can run, by API type name."""

from __future__ import annotations

from app.engines.base import Account, Engine, Listen
from app.engines.mariadb import MariaDB
from app.engines.mongodb import MongoDB
from app.engines.mysql import MySQL
from app.engines.postgresql import PostgreSQL

ENGINES: dict[str, Engine] = {
    engine.name: engine for engine in (PostgreSQL(), MariaDB(), MySQL(), MongoDB())
}

__all__ = ["ENGINES", "Account", "Engine", "Listen"]
