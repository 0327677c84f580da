"""MariaDB: official `mariadb:<X.Y>` images; a `stagdb` user with every privilege on its
schemas, whose password hash is set on first start; `root`@'%' for databases that asked for a
superuser; the admin reachable only over the container's own socket."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import ClassVar

from app.engines.base import Engine, Listen, SchemaObjects
from app.engines.mariadb_import import MariaDBImport
from app.engines.masking import MariaDBMasking
from app.engines.mysql import (
    mysql_uri,
    native_password_hash,
    parse_json_stats,
    server_flags,
    sql_identifier,
    sql_string,
    stats_query,
    template_statements,
)
from app.engines.refusals import MysqlRefusal
from app.engines.schema_readers import SchemaReader
from app.engines.tuning import BOOLEAN, Tunable, Value, integer

DATA_DIR = "/var/lib/mysql"
SOCKET = "/run/mysqld/mysqld.sock"
# `mariadb-install-db --user=mysql` makes root@localhost and mysql@localhost socket-only
# (unix_socket: the client's OS user must be the account's name). Containers run as uid 999,
# the image's `mysql`, so every command here logs in as `mysql` over the socket.
ADMIN = "mysql"
# Shared by the template's initialisation and every start: the data dir is only opened with
# these. A 16 MiB redo log bounds how much a branch replays when it first starts.
STORAGE_SETTINGS = ("--character-set-server=utf8mb4", "--innodb-log-file-size=16M")
DROP_HOST_PROXY = shlex.quote("DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';")
# The schema of one database as JSON lines (see app/domain/schema_compare.py); `@db` is set
# first. Index and constraint names are unique per table only, so each carries its table.
SCHEMA_QUERY = """
SELECT JSON_OBJECT('kind', 'table', 'name', TABLE_NAME) FROM information_schema.TABLES
WHERE TABLE_SCHEMA = @db AND TABLE_TYPE = 'BASE TABLE';
SELECT JSON_OBJECT('kind', 'column', 'table', c.TABLE_NAME, 'name', c.COLUMN_NAME,
  'type', c.COLUMN_TYPE, 'nullable', c.IS_NULLABLE = 'YES', 'default', c.COLUMN_DEFAULT)
FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = @db AND t.TABLE_TYPE = 'BASE TABLE';
SELECT JSON_OBJECT('kind', 'index', 'table', TABLE_NAME, 'name', INDEX_NAME,
  'definition', CONCAT(IF(NON_UNIQUE = 0, 'UNIQUE ', ''), INDEX_TYPE, ' (',
    GROUP_CONCAT(CONCAT(COLUMN_NAME, IFNULL(CONCAT('(', SUB_PART, ')'), ''))
                 ORDER BY SEQ_IN_INDEX SEPARATOR ', '), ')'))
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = @db
GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE;
SELECT JSON_OBJECT('kind', 'constraint', 'table', k.TABLE_NAME, 'name', k.CONSTRAINT_NAME,
  'definition', IF(k.CONSTRAINT_TYPE = 'CHECK',
    (SELECT CONCAT('CHECK (', x.CHECK_CLAUSE, ')') FROM information_schema.CHECK_CONSTRAINTS x
     WHERE x.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND x.TABLE_NAME = k.TABLE_NAME
       AND x.CONSTRAINT_NAME = k.CONSTRAINT_NAME),
    CONCAT(k.CONSTRAINT_TYPE, ' (',
      (SELECT GROUP_CONCAT(u.COLUMN_NAME ORDER BY u.ORDINAL_POSITION SEPARATOR ', ')
       FROM information_schema.KEY_COLUMN_USAGE u
       WHERE u.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND u.TABLE_NAME = k.TABLE_NAME
         AND u.CONSTRAINT_NAME = k.CONSTRAINT_NAME), ')',
      IFNULL((SELECT CONCAT(' REFERENCES ', MIN(u.REFERENCED_TABLE_NAME), ' (',
                     GROUP_CONCAT(u.REFERENCED_COLUMN_NAME ORDER BY u.ORDINAL_POSITION
                                  SEPARATOR ', '), ')')
              FROM information_schema.KEY_COLUMN_USAGE u
              WHERE u.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND u.TABLE_NAME = k.TABLE_NAME
                AND u.CONSTRAINT_NAME = k.CONSTRAINT_NAME
                AND u.REFERENCED_TABLE_NAME IS NOT NULL), ''))))
FROM information_schema.TABLE_CONSTRAINTS k WHERE k.CONSTRAINT_SCHEMA = @db;
SELECT JSON_OBJECT('kind', 'view', 'name', TABLE_NAME, 'definition', VIEW_DEFINITION)
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = @db;
SELECT JSON_OBJECT('kind', 'function', 'name', r.ROUTINE_NAME, 'routine', r.ROUTINE_TYPE,
  'definition', CONCAT(r.ROUTINE_TYPE, ' ', r.ROUTINE_NAME, '(',
    IFNULL((SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE, p.PARAMETER_NAME,
                                          p.DTD_IDENTIFIER) ORDER BY p.ORDINAL_POSITION
                                SEPARATOR ', ')
            FROM information_schema.PARAMETERS p
            WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME
              AND p.ORDINAL_POSITION > 0), ''), ')',
    IFNULL(CONCAT(' RETURNS ', r.DTD_IDENTIFIER), ''), ' ', r.ROUTINE_DEFINITION))
FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = @db;
"""
DUMP_MARKER = "-- stagdb-dump:"  # printed before each SHOW CREATE's answer
# Columns of each SHOW CREATE answer before and after the statement.
SHOW_CREATE_COLUMNS = {"TABLE": (1, 0), "VIEW": (1, 2), "FUNCTION": (2, 3), "PROCEDURE": (2, 3)}
TABLE_COUNTER = re.compile(r" AUTO_INCREMENT=\d+")  # moves with every insert: not schema


SIZE = Tunable("text", pattern=r"[0-9]{1,9}[KMG]?", example="64M")


def admin_client(statements: str) -> list[str]:
    """The mariadb client as the socket-only root account, running `statements`."""
    return ["mariadb", "--no-defaults", f"--socket={SOCKET}", f"--user={ADMIN}", "-e", statements]


class MariaDBSchemaReader(SchemaReader):
    """information_schema through the client, and each object's SHOW CREATE."""

    def query_command(self, listen: Listen, database: str) -> list[str]:
        return [*admin_client(f"SET @db = {sql_string(database)};{SCHEMA_QUERY}"), "-N", "-B", "-r"]

    def dump_command(self, listen: Listen, database: str, objects: SchemaObjects) -> list[str]:
        shows = [f"USE {sql_identifier(database)};"]
        named = [*(("TABLE", name) for name in objects.tables),
                 *(("VIEW", name) for name in objects.views), *objects.routines]  # fmt: skip
        for kind, name in named:
            shows.append(f"SELECT {sql_string(f'{DUMP_MARKER}{kind}')};")
            shows.append(f"SHOW CREATE {kind} {sql_identifier(name)};")
        return [*admin_client("\n".join(shows)), "-N", "-B", "-r"]

    def dump_text(self, output: str) -> str:
        """Each SHOW CREATE answer is one row of tab-separated columns: the statement, with
        name and mode columns before it and charset columns after it."""
        statements = []
        for chunk in output.split(DUMP_MARKER)[1:]:
            kind, _, row = chunk.partition("\n")
            before, after = SHOW_CREATE_COLUMNS[kind]
            statement = row.rstrip("\n").split("\t", before)[before]
            if after:
                statement = statement.rsplit("\t", after)[0]
            statements.append(TABLE_COUNTER.sub("", statement) + ";\n")
        return "\n".join(statements)


class MariaDB(Engine):
    name = "mariadb"
    image_repository = "mariadb"
    container_port = 3306
    refusal = MysqlRefusal()
    importer = MariaDBImport()
    masking = MariaDBMasking()
    data_dir = DATA_DIR
    run_as = "999:999"
    stop_signal = "SIGTERM"  # mariadbd shuts down cleanly on SIGTERM
    default_username = "stagdb"
    default_database = "app"
    superuser_username = "root"  # root@'%', apart from the socket-only root@localhost
    superuser_database = "app"
    run_dirs = ("/run/mysqld", "/tmp")
    template_layout = 2  # 2: `stagdb` holds its schemas only; `root`@'%' is the superuser
    schema_reader = MariaDBSchemaReader()
    # Each one's reason is in README ("Engine settings").
    idle_settings: ClassVar[Mapping[str, Value]] = {
        "innodb_buffer_pool_size": "8M",
        "innodb_log_buffer_size": "1M",
        "key_buffer_size": "1M",
        "aria_pagecache_buffer_size": "1M",
        "query_cache_size": "0",
        "max_connections": 25,
        "table_open_cache": 200,
        "table_definition_cache": 200,
        "thread_cache_size": 2,
        "innodb_read_io_threads": 1,
        "innodb_write_io_threads": 1,
        "innodb_purge_threads": 1,
        "innodb_buffer_pool_dump_at_shutdown": False,
        "innodb_buffer_pool_load_at_startup": False,
        "performance_schema": False,
    }
    tunables: ClassVar[Mapping[str, Tunable]] = {
        "innodb_buffer_pool_size": SIZE,
        "innodb_log_buffer_size": SIZE,
        "key_buffer_size": SIZE,
        "aria_pagecache_buffer_size": SIZE,
        "query_cache_size": SIZE,
        "sort_buffer_size": SIZE,
        "tmp_table_size": SIZE,
        "max_heap_table_size": SIZE,
        "max_connections": integer(5, 10000),
        "table_open_cache": integer(10, 100000),
        "table_definition_cache": integer(10, 100000),
        "thread_cache_size": integer(0, 16384),
        "innodb_read_io_threads": integer(1, 64),
        "innodb_write_io_threads": integer(1, 64),
        "innodb_purge_threads": integer(1, 32),
        "innodb_buffer_pool_dump_at_shutdown": BOOLEAN,
        "innodb_buffer_pool_load_at_startup": BOOLEAN,
        "performance_schema": BOOLEAN,
        "long_query_time": integer(0, 31536000),
        "slow_query_log": BOOLEAN,
        "max_allowed_packet": SIZE,
    }

    def init_command(self, version: str, admin_password: str | None = None) -> list[str]:
        # `--no-defaults`: a host-built image lacks what Debian's /etc/mysql config loads.
        # The bootstrap runs without grant tables; FLUSH PRIVILEGES loads them so that the
        # user's account (locked until its first start) can be created. The proxy grant made
        # for the init container's host name is dropped: every start would warn about it.
        settings = " ".join(STORAGE_SETTINGS)
        statements = template_statements(self)
        return [
            "sh",
            "-c",
            f"set -e\nmariadb-install-db --no-defaults --datadir={DATA_DIR} --user={ADMIN} "
            f"--auth-root-authentication-method=socket --skip-test-db --skip-name-resolve "
            f"{settings} >/dev/null\n"
            f"printf '%s\\n' 'FLUSH PRIVILEGES;' {shlex.quote(statements)} {DROP_HOST_PROXY} "
            f"| mariadbd --no-defaults --datadir={DATA_DIR} {settings} --bootstrap",
        ]

    def server_command(
        self, listen: Listen, settings: Mapping[str, Value], version: str
    ) -> list[str]:
        return [
            "mariadbd",
            "--no-defaults",
            f"--datadir={DATA_DIR}",
            f"--port={listen.port}",
            f"--bind-address={listen.address}",
            f"--socket={SOCKET}",
            "--pid-file=/run/mysqld/mysqld.pid",
            "--skip-name-resolve",
            "--innodb-flush-log-at-trx-commit=1",
            *STORAGE_SETTINGS,
            *server_flags(self.settings_with(settings, version)),
        ]

    def ready_command(self, listen: Listen) -> list[str]:
        return ["mariadb-admin", "--no-defaults", f"--socket={SOCKET}", f"--user={ADMIN}", "ping"]

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        # Only the mysql_native_password hash crosses into the container, never the password.
        return admin_client(
            f"ALTER USER {sql_string(username)}@'%' "
            f"IDENTIFIED BY PASSWORD {sql_string(native_password_hash(password))} ACCOUNT UNLOCK"
        )

    def checkpoint_command(self, listen: Listen) -> list[str]:
        # FLUSH TABLES writes out non-transactional (Aria, MyISAM) tables and, since 10.4.8,
        # does not wait for tables in use. FLUSH ENGINE LOGS makes the InnoDB redo log durable
        # (it is at every commit already). A full checkpoint (innodb_log_checkpoint_now) is
        # left out: it chases the log while writes go on and took up to 5 s under load, while
        # replaying the small redo log adds ~0.2 s to a branch's first start.
        return admin_client("SET SESSION lock_wait_timeout = 10; FLUSH TABLES; FLUSH ENGINE LOGS")

    def stats_command(self, listen: Listen) -> list[str]:
        return [*admin_client(stats_query("information_schema")), "-N", "-B", "-r"]

    def parse_stats(self, output: str) -> dict[str, object]:
        return parse_json_stats(output)

    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str:
        return mysql_uri(host, port, username, password, database)
