"""PostgreSQL: official `postgres:<major>` images, SCRAM credentials set on first start.

A database's connection account is `stagdb`, owner of the `app` database, with CREATEDB
(and CREATEROLE from PostgreSQL 16 on); trusted extensions come with owning a database.
`postgres`, the superuser, has no password unless a database asked for it (`superuser`):
StagDB uses it over the container's own socket only."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import asyncpg

from app.engines.base import Engine, Listen, SchemaObjects, major_version
from app.engines.masking import PostgresMasking
from app.engines.pg_import import PgImport
from app.engines.refusals import PostgresRefusal
from app.engines.schema_readers import SchemaReader
from app.engines.tuning import BOOLEAN, Tunable, Value, integer

log = logging.getLogger(__name__)

SOCKET_DIR = "/var/run/postgresql"
ADMIN = "postgres"
# Before 16, CREATEROLE may grant any non-superuser role, pg_execute_server_program and
# pg_read_server_files included, so its holder can run programs and read files on the server
# ("almost-superuser", in PostgreSQL's own words); from 16 on it grants only roles it administers.
CREATEROLE_SAFE_FROM = 16
CHECKPOINT_ROLE_FROM = 15  # pg_checkpoint: CHECKPOINT without being the superuser
SCRAM_ITERATIONS = 4096
LOCK_FILE_STATUS_LINE = 8  # postmaster.pid: "starting", "ready", "stopping" or "standby"
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

# The schema as JSON lines (see app/domain/schema_compare.py): every schema but the system's,
# objects that belong to extensions left out. NOT NULL constraints (PostgreSQL 18 lists them)
# are the columns' `nullable`.
SCHEMA_QUERY = r"""
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
), ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
SELECT json_build_object('kind', 'table', 'name', ns.nspname || '.' || c.relname)
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.oid NOT IN (SELECT objid FROM ext)
UNION ALL
SELECT json_build_object('kind', 'column', 'table', ns.nspname || '.' || c.relname,
  'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
  'nullable', NOT a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid))
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND c.oid NOT IN (SELECT objid FROM ext)
UNION ALL
SELECT json_build_object('kind', 'index', 'table', ns.nspname || '.' || t.relname,
  'name', ns.nspname || '.' || i.relname, 'definition', pg_get_indexdef(x.indexrelid))
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN ns ON ns.oid = t.relnamespace WHERE t.oid NOT IN (SELECT objid FROM ext)
UNION ALL
SELECT json_build_object('kind', 'constraint', 'table', ns.nspname || '.' || t.relname,
  'name', k.conname, 'definition', pg_get_constraintdef(k.oid))
FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN ns ON ns.oid = t.relnamespace
WHERE k.contype <> 'n' AND t.oid NOT IN (SELECT objid FROM ext)
UNION ALL
SELECT json_build_object('kind', 'view', 'name', ns.nspname || '.' || c.relname,
  'definition', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END
                || pg_get_viewdef(c.oid, true))
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND c.oid NOT IN (SELECT objid FROM ext)
UNION ALL
SELECT json_build_object('kind', 'function',
  'name', ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
  'routine', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
  'definition', pg_get_functiondef(p.oid))
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND p.oid NOT IN (SELECT objid FROM ext)
"""
# Lines pg_dump varies from run to run (17.6+ guards the dump with a random key).
VOLATILE_DUMP_LINES = ("\\restrict ", "\\unrestrict ", "--")


SIZE = Tunable("text", pattern=r"[0-9]{1,9}(kB|MB|GB)", example="64MB")
DURATION = Tunable("text", pattern=r"[0-9]{1,9}(ms|s|min|h|d)", example="5min")


class PgSchemaReader(SchemaReader):
    """The catalog query through psql, and `pg_dump --schema-only` of the whole database."""

    def query_command(self, listen: Listen, database: str) -> list[str]:
        return [*psql(listen, SCHEMA_QUERY, database), "-A", "-t"]

    def dump_command(self, listen: Listen, database: str, objects: SchemaObjects) -> list[str]:
        return ["pg_dump", "-h", SOCKET_DIR, "-p", str(listen.port), "-U", "postgres",
                "--schema-only", "--no-owner", "-d", database]  # fmt: skip

    def dump_text(self, output: str) -> str:
        kept = [line for line in output.splitlines() if not line.startswith(VOLATILE_DUMP_LINES)]
        return "\n".join(kept).strip() + "\n"


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
    default_username = "stagdb"
    default_database = "app"
    superuser_username = ADMIN
    superuser_database = "postgres"
    run_dirs = (SOCKET_DIR, "/tmp")
    # 2: the `stagdb` account and its `app` database; 3: which may CHECKPOINT (from 15 on), so a
    # snapshot's checkpoint goes over the network instead of through `docker exec`; 4: the
    # admin account holds the template's password until each database's first start
    template_layout = 4
    admin_logs_in_over_network = True
    schema_reader = PgSchemaReader()
    # Each one's reason is in README ("Engine settings").
    idle_settings: ClassVar[Mapping[str, Value]] = {
        "shared_buffers": "16MB",
        "max_connections": 25,
        "max_worker_processes": 2,
        "max_parallel_workers": 2,
        "max_parallel_workers_per_gather": 1,
        "max_logical_replication_workers": 0,
        "max_wal_senders": 0,
        "max_replication_slots": 0,
        "autovacuum_max_workers": 1,
        "autovacuum_naptime": "5min",
        "checkpoint_timeout": "15min",
        "huge_pages": "off",
    }
    idle_settings_since: ClassVar[Mapping[int, Mapping[str, Value]]] = {
        14: {"recovery_init_sync_method": "syncfs"},
    }
    without_whole_sync: ClassVar[Mapping[str, Value]] = {"recovery_init_sync_method": "fsync"}
    tunables: ClassVar[Mapping[str, Tunable]] = {
        "shared_buffers": SIZE,
        "work_mem": SIZE,
        "maintenance_work_mem": SIZE,
        "temp_buffers": SIZE,
        "effective_cache_size": SIZE,
        "max_connections": integer(5, 10000),
        "max_locks_per_transaction": integer(10, 100000),
        "max_worker_processes": integer(0, 256),
        "max_parallel_workers": integer(0, 256),
        "max_parallel_workers_per_gather": integer(0, 256),
        "max_logical_replication_workers": integer(0, 256),
        "max_wal_senders": integer(0, 256),
        "max_replication_slots": integer(0, 256),
        "wal_level": Tunable("text", pattern="replica|logical", example="logical"),
        "autovacuum": BOOLEAN,
        "autovacuum_max_workers": integer(1, 64),
        "autovacuum_naptime": DURATION,
        "checkpoint_timeout": DURATION,
        "wal_writer_delay": DURATION,
        "bgwriter_delay": DURATION,
        "statement_timeout": DURATION,
        "log_min_duration_statement": integer(-1, 2**31 - 1),
        "huge_pages": Tunable("text", pattern="off|try|on", example="off"),
        "jit": BOOLEAN,
    }

    def init_command(self, version: str, admin_password: str | None = None) -> list[str]:
        # Host rules accept SCRAM from anywhere: the container port is the only way in,
        # and every database gets its own password on first start. The accounts are made
        # by a server that listens on its socket only, in a container with no network.
        # The admin's template password crosses as its SCRAM verifier only.
        statements = " ".join(
            shlex.quote(statement)
            for statement in (
                f"CREATE ROLE {self.default_username} LOGIN {role_attributes(version)}",
                f"CREATE DATABASE {self.default_database} OWNER {self.default_username}",
                *_checkpoint_grant(version, self.default_username),
                *(
                    [password_statement(ADMIN, admin_password)]
                    if admin_password is not None
                    else []
                ),
            )
        )
        data, client = self.data_dir, f"psql -X -q -v ON_ERROR_STOP=1 -h {SOCKET_DIR} -U {ADMIN}"
        return [
            "sh",
            "-c",
            "set -e\n"
            f"initdb -D {data} -U {ADMIN} -E UTF8 --no-locale "
            "--auth-local=trust --auth-host=scram-sha-256 >/dev/null\n"
            f"echo 'host all all all scram-sha-256' >> {data}/pg_hba.conf\n"
            f"pg_ctl -D {data} -w -s -l /tmp/stagdb-init.log "
            f"-o \"-c listen_addresses='' -k {SOCKET_DIR}\" start\n"
            f"for statement in {statements}; do "
            f'{client} -d postgres -c "$statement"; done\n'
            f"pg_ctl -D {data} -w -s -m fast stop",
        ]

    def server_command(
        self, listen: Listen, settings: Mapping[str, Value], version: str
    ) -> list[str]:
        flags = [
            f"{name}={_spelled(value)}"
            for name, value in self.settings_with(settings, version).items()
        ]
        return [
            "postgres",
            "-D",
            self.data_dir,
            "-p",
            str(listen.port),
            "-c",
            f"listen_addresses={listen.address}",
            *(part for flag in flags for part in ("-c", flag)),
        ]

    def ready_command(self, listen: Listen) -> list[str]:
        return ["pg_isready", "-q", "-h", SOCKET_DIR, "-p", str(listen.port)]

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        # Only the SCRAM verifier crosses into the container, never the password itself.
        # The admin logs in over the socket only: a template's password it held goes.
        statements = [password_statement(username, password)]
        if username != ADMIN:
            statements.append(password_statement(ADMIN, None))
        return psql(listen, "; ".join(statements))

    def checkpoint_command(self, listen: Listen) -> list[str]:
        return psql(listen, "CHECKPOINT")

    async def ready_over_network(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        new_password: str | None,
        login_as: str | None = None,
    ) -> bool | None:
        # Into the database clients use: the first backend after a start builds that
        # database's relation cache file, which the client's first connection then reads.
        user = login_as or username
        try:
            try:
                connection = await asyncpg.connect(
                    host=host, port=port, user=user, password=password,
                    database=self.default_database, timeout=2, ssl=False,
                )  # fmt: skip
            except asyncpg.InvalidCatalogNameError:  # its owner dropped it
                connection = await asyncpg.connect(
                    host=host, port=port, user=user, password=password,
                    database="postgres", timeout=2, ssl=False,
                )  # fmt: skip
        except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
            return None
        except (OSError, TimeoutError, asyncpg.CannotConnectNowError):
            return False
        except asyncpg.PostgresError as exc:
            log.warning("readiness login failed: %s", exc)
            return None
        statements = []
        if new_password is not None:  # PBKDF2 off the event loop (it lets go of the GIL)
            statements.append(await asyncio.to_thread(password_statement, username, new_password))
        if user != username:
            statements.append(password_statement(user, None))
        try:
            if statements:  # one query: one transaction
                await connection.execute("; ".join(statements))
        finally:
            await connection.close()
        return True

    def ready_by_files(self, data: Path, since: float) -> bool | None:
        # What `pg_ctl -w` reads: the postmaster's lock file gives its start time (line 3,
        # epoch seconds) and its state (line 8). A lock file left by an earlier server (a
        # clone of a running parent has its parent's) started before `since`.
        try:
            lines = (data / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return False
        except OSError:
            return None
        if len(lines) < LOCK_FILE_STATUS_LINE or not lines[2].strip().isdigit():
            return False
        if int(lines[2]) < int(since):
            return False
        return lines[LOCK_FILE_STATUS_LINE - 1].strip() == "ready"

    async def checkpoint_over_network(
        self, host: str, port: int, username: str, password: str
    ) -> bool:
        # The superuser may; from 15 on so may the connection account of a database made from a
        # layout-3 template (pg_checkpoint). Older ones answer "must be superuser": False.
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
        except asyncpg.InsufficientPrivilegeError:
            return False
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


def _spelled(value: Value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def psql(listen: Listen, statement: str, database: str = "postgres") -> list[str]:
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
        ADMIN,
        "-d",
        database,
        "-c",
        statement,
    ]


def _checkpoint_grant(version: str, username: str) -> list[str]:
    major = major_version(version)
    if major is not None and major >= CHECKPOINT_ROLE_FROM:
        return [f"GRANT pg_checkpoint TO {username}"]
    return []


def role_attributes(version: str) -> str:
    """What the connection account may do beyond owning its database, on this major version."""
    major = major_version(version)
    if major is not None and major >= CREATEROLE_SAFE_FROM:
        return "CREATEDB CREATEROLE"
    return "CREATEDB"


def password_statement(role: str, password: str | None) -> str:
    """ALTER ROLE giving `role` `password` as its SCRAM verifier (the password itself goes
    nowhere), or, with None, no password at all."""
    if password is None:
        return f'ALTER ROLE "{role}" PASSWORD NULL'
    return f"ALTER ROLE \"{role}\" PASSWORD '{scram_verifier(password)}'"


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
