"""`stagdb connect`: the engine's own client, started on a database with its credentials
passed in the environment (not on the command line) wherever the client allows it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from stagdb.models import Database


@dataclass(frozen=True)
class ClientCommand:
    argv: list[str]
    env: dict[str, str]


class ClientMissing(Exception):
    pass


PROGRAMS = {
    "postgresql": ("psql",),
    "mariadb": ("mariadb", "mysql"),
    "mysql": ("mysql", "mariadb"),
    "mongodb": ("mongosh",),
}


def client_command(database: Database, extra: Sequence[str]) -> ClientCommand:
    connection = database.connection
    if connection is None:
        raise ClientMissing(f"database '{database.name}' has no connection (is it running?)")
    names = PROGRAMS.get(database.type)
    if names is None:
        raise ClientMissing(f"no client is known for databases of type '{database.type}'")
    program = next((path for name in names if (path := shutil.which(name))), None)
    if program is None:
        raise ClientMissing(f"{' or '.join(names)} is not installed (needed for {database.type})")
    env = dict(os.environ)
    c = connection
    if database.type == "postgresql":
        env["PGPASSWORD"] = c.password
        target = f"postgresql://{c.username}@{c.host}:{c.port}/{c.database}"
        return ClientCommand([program, target, *extra], env)
    if database.type in ("mariadb", "mysql"):
        env["MYSQL_PWD"] = c.password
        argv = [program, "-h", c.host, "-P", str(c.port), "-u", c.username, c.database]
        return ClientCommand([*argv, *extra], env)
    return ClientCommand([program, c.uri, *extra], env)  # mongosh reads no password variable
