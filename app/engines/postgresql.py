"""PostgreSQL: official `postgres:<major>` images, SCRAM credentials set on first start."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from urllib.parse import quote

import asyncpg

from app.engines.base import Engine, Listen
from app.engines.masking import PostgresMasking
from app.engines.pg_import import PgImport
from app.engines.refusals import PostgresRefusal

log = logging.getLogger(__name__)

SOCKET_DIR = "/var/run/postgresql"
SCRAM_ITERATIONS = 4096
STATS_QUERY = """
SELECT json_build_object(
  'connections', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
  'active_connections', (SELECT count(*) FROM pg_stat_activity
                         WHERE backend_type = 'client backend' AND state = 'active'),
  'max_connections', current_setting('max_connections')::int,
  'databases', (SELECT json_agg(json_build_object('name', datname,
                                                  'size_bytes', pg_database_size(datname))
                                ORDER BY datname)
                FROM pg_database WHERE datallowconn),
  'transactions_committed', (SELECT sum(xact_commit) FROM pg_stat_database),
  'transactions_rolled_back', (SELECT sum(xact_rollback) FROM pg_stat_database),
  'uptime_seconds', round(extract(epoch FROM now() - pg_postmaster_start_time())::numeric, 1),
  'server_version', current_setting('server_version'))
"""


class PostgreSQL(Engine):
    name = "postgresql"
    image_repository = "postgres"
    container_port = 5432
    refusal = PostgresRefusal()
    importer = PgImport()
    masking = PostgresMasking()
    data_dir = "/var/lib/postgresql/data"
    run_as = "999:999"
    stop_signal = "SIGINT"  # fast shutdown: SIGTERM would wait for clients to disconnect
    default_username = "postgres"
    default_database = "postgres"

    def init_command(self) -> list[str]:
        # Host rules accept SCRAM from anywhere: the container port is the only way in,
        # and every database gets its own password on first start.
        return [
            "sh",
            "-c",
            f"initdb -D {self.data_dir} -U postgres -E UTF8 --no-locale "
            "--auth-local=trust --auth-host=scram-sha-256 >/dev/null "
            f"&& echo 'host all all all scram-sha-256' >> {self.data_dir}/pg_hba.conf",
        ]

    def server_command(self, listen: Listen) -> list[str]:
        return [
            "postgres",
            "-D",
            self.data_dir,
            "-p",
            str(listen.port),
            "-c",
            f"listen_addresses={listen.address}",
        ]

    def ready_command(self, listen: Listen) -> list[str]:
        return ["pg_isready", "-q", "-h", SOCKET_DIR, "-p", str(listen.port)]

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        # Only the SCRAM verifier crosses into the container, never the password itself.
        statement = f"ALTER ROLE \"{username}\" PASSWORD '{scram_verifier(password)}'"
        return psql(listen, statement)

    def checkpoint_command(self, listen: Listen) -> list[str]:
        return psql(listen, "CHECKPOINT")

    async def ready_over_network(
        self, host: str, port: int, username: str, password: str, new_password: str | None
    ) -> bool | None:
        try:
            connection = await asyncpg.connect(
                host=host, port=port, user=username, password=password,
                database="postgres", timeout=2, ssl=False,
            )  # fmt: skip
        except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
            return None
        except (OSError, TimeoutError, asyncpg.CannotConnectNowError):
            return False
        except asyncpg.PostgresError as exc:
            log.warning("readiness login failed: %s", exc)
            return None
        try:
            if new_password is not None:
                verifier = scram_verifier(new_password)
                await connection.execute(f"ALTER ROLE \"{username}\" PASSWORD '{verifier}'")
        finally:
            await connection.close()
        return True

    async def checkpoint_over_network(
        self, host: str, port: int, username: str, password: str
    ) -> bool:
        try:
            connection = await asyncpg.connect(
                host=host, port=port, user=username, password=password,
                database="postgres", timeout=2, ssl=False,
            )  # fmt: skip
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("checkpoint connection failed, falling back to exec: %s", exc)
            return False
        try:
            await connection.execute("CHECKPOINT")
        finally:
            await connection.close()
        return True

    def stats_command(self, listen: Listen) -> list[str]:
        return [*psql(listen, STATS_QUERY), "-A", "-t"]

    def parse_stats(self, output: str) -> dict[str, object]:
        figures: dict[str, object] = json.loads(output)
        return figures

    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str:
        return (
            f"postgresql://{quote(username, safe='')}:{quote(password, safe='')}"
            f"@{host}:{port}/{quote(database, safe='')}"
        )


def psql(listen: Listen, statement: str) -> list[str]:
    return [
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        SOCKET_DIR,
        "-p",
        str(listen.port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-c",
        statement,
    ]


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / 7677)."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
