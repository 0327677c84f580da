"""MySQL: official `mysql:<version>` images (5.7, 8.0, 8.4); a `stagdb` user whose password hash
is set on first start. Also the MySQL-protocol pieces MariaDB shares (hashes, quoting, stats,
the template's accounts)."""

from __future__ import annotations

import hashlib
import json
import secrets
import shlex
import string
from collections.abc import Mapping
from urllib.parse import quote

from app.engines.base import Engine, Listen
from app.engines.refusals import MysqlRefusal
from app.engines.tuning import Value

DATA_DIR = "/var/lib/mysql"
SOCKET = "/var/run/mysqld/mysqld.sock"
# Written by `mysqld --initialize` of 8.0 and later only (the data dictionary): tells the
# server generation from the data dir, since commands are not told the version.
DATA_DICTIONARY = f"{DATA_DIR}/mysql.ibd"
# Shared by template initialisation and every start: the data dir is only opened with these.
CHARACTER_SET = "--character-set-server=utf8mb4"
CACHING_SHA2_ROUNDS = 5000  # `$A$005$`: 5 x 1000 rounds, what MySQL itself stores
CACHING_SHA2_SALT_LENGTH = 20
SALT_ALPHABET = string.ascii_letters + string.digits  # no `$` or quotes: safe in SQL and shell
CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Byte triples of the final SHA-256 crypt digest, in the order they are encoded (SHA-crypt spec).
CRYPT_ORDER = (
    (0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14),
    (15, 25, 5), (6, 16, 26), (27, 7, 17), (18, 28, 8), (9, 19, 29),
)  # fmt: skip
STATS_SCHEMAS_HIDDEN = ("information_schema", "performance_schema", "sys")


class MySQL(Engine):
    name = "mysql"
    image_repository = "mysql"
    container_port = 3306
    refusal = MysqlRefusal()
    data_dir = DATA_DIR
    run_as = "999:999"
    stop_signal = "SIGTERM"  # mysqld shuts down cleanly on SIGTERM
    default_username = "stagdb"
    default_database = "app"
    superuser_username = "root"  # root@'%', apart from the socket-only root@localhost
    superuser_database = "app"
    run_dirs = ("/var/run/mysqld", "/tmp")
    template_layout = 2  # 2: `stagdb` holds its schemas only; `root`@'%' is the superuser

    def init_command(self, version: str, admin_password: str | None = None) -> list[str]:
        # `--initialize-insecure` leaves root@localhost without a password: the server runs with
        # skip-name-resolve, so that account matches socket connections only, and the socket
        # lives inside the container. The connection accounts are created locked.
        statements = template_statements(self)
        return [
            "sh",
            "-c",
            f"printf '%s\\n' {shlex.quote(statements)} > /tmp/stagdb-init.sql && exec mysqld "
            f"--no-defaults --initialize-insecure --datadir={DATA_DIR} {CHARACTER_SET} "
            "--init-file=/tmp/stagdb-init.sql",
        ]

    def server_command(
        self, listen: Listen, settings: Mapping[str, Value], version: str
    ) -> list[str]:
        return [
            "mysqld",
            "--no-defaults",
            f"--datadir={DATA_DIR}",
            f"--port={listen.port}",
            f"--bind-address={listen.address}",
            f"--socket={SOCKET}",
            "--pid-file=/var/run/mysqld/mysqld.pid",
            "--skip-name-resolve",
            "--innodb-flush-log-at-trx-commit=1",
            # X Protocol would listen on 33060 in every container: clashes under host networking.
            "--loose-mysqlx=OFF",
            CHARACTER_SET,
            *server_flags(self.settings_with(settings, version)),
        ]

    def ready_command(self, listen: Listen) -> list[str]:
        return ["mysqladmin", "--no-defaults", f"--socket={SOCKET}", "--user=root", "ping"]

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        # Only hashes cross into the container. 8.x accounts use caching_sha2_password (its
        # SHA-256 crypt digest, computed here); 5.7 has no such plugin and gets the
        # mysql_native_password hash. The data dir says which server generation runs.
        account = f"{sql_string(username)}@'%'"
        sha2 = (
            f"ALTER USER {account} IDENTIFIED WITH caching_sha2_password "
            f"AS {sql_string(caching_sha2_hash(password))} ACCOUNT UNLOCK"
        )
        native = (
            f"ALTER USER {account} IDENTIFIED WITH mysql_native_password "
            f"AS {sql_string(native_password_hash(password))} ACCOUNT UNLOCK"
        )
        client = shlex.join(self._client())
        return [
            "sh",
            "-c",
            f"if [ -e {DATA_DICTIONARY} ]; then sql={shlex.quote(sha2)}; "
            f'else sql={shlex.quote(native)}; fi; exec {client} -e "$sql"',
        ]

    def checkpoint_command(self, listen: Listen) -> list[str]:
        # MySQL can force an InnoDB checkpoint only in debug builds, and FLUSH TABLES waits
        # for (and stalls queries behind) tables in use. The redo log is made durable; a copy
        # then recovers from it, which takes as long as that log is, not as the data is.
        return [*self._client(), "-e", "FLUSH ENGINE LOGS"]

    def stats_command(self, listen: Listen) -> list[str]:
        return [*self._client(), "-N", "-B", "-r", "-e", stats_query("performance_schema")]

    def parse_stats(self, output: str) -> dict[str, object]:
        return parse_json_stats(output)

    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str:
        return mysql_uri(host, port, username, password, database)

    def _client(self) -> list[str]:
        return ["mysql", "--no-defaults", f"--socket={SOCKET}", "--user=root"]


def template_statements(engine: Engine) -> str:
    """The user's database and the two locked connection accounts, made once per template:
    the default one with every privilege on its schemas (`app` and `app_*`) and none global
    (no SUPER, no FILE), and the superuser, unlocked only for a database that asked for it."""
    user, database = sql_string(engine.default_username), engine.default_database
    superuser = sql_string(engine.superuser_username)
    # In a grant's schema name `_` and `%` are wildcards: `app\_%` is every `app_…` schema.
    schemas = (sql_identifier(database), sql_identifier(database.replace("_", "\\_") + "\\_%"))
    return "\n".join(
        (
            f"CREATE DATABASE {sql_identifier(database)};",
            f"CREATE USER {user}@'%' ACCOUNT LOCK;",
            *(f"GRANT ALL PRIVILEGES ON {schema}.* TO {user}@'%';" for schema in schemas),
            f"CREATE USER {superuser}@'%' ACCOUNT LOCK;",
            f"GRANT ALL PRIVILEGES ON *.* TO {superuser}@'%' WITH GRANT OPTION;",
        )
    )


def native_password_hash(password: str) -> str:
    """What mysql_native_password stores: `*` + SHA1(SHA1(password)) in upper-case hex."""
    return "*" + hashlib.sha1(hashlib.sha1(password.encode()).digest()).hexdigest().upper()


def caching_sha2_hash(password: str, salt: str | None = None) -> str:
    """What caching_sha2_password stores: `$A$005$`, a 20-character salt and the SHA-256 crypt
    digest of the password with that salt and 5000 rounds."""
    if salt is None:
        salt = "".join(secrets.choice(SALT_ALPHABET) for _ in range(CACHING_SHA2_SALT_LENGTH))
    digest = sha256_crypt(password.encode(), salt.encode(), CACHING_SHA2_ROUNDS)
    return f"$A${CACHING_SHA2_ROUNDS // 1000:03d}${salt}{digest}"


def sha256_crypt(password: bytes, salt: bytes, rounds: int) -> str:
    """The digest part of SHA-256 crypt (Drepper's SHA-crypt, `$5$`), for any salt length."""
    size = len(password)
    alternate = hashlib.sha256(password + salt + password).digest()
    first = hashlib.sha256(password + salt)
    first.update(_repeat(alternate, size))
    bits = size
    while bits:
        first.update(alternate if bits & 1 else password)
        bits >>= 1
    digest = first.digest()
    p_bytes = _repeat(hashlib.sha256(password * size).digest(), size)
    s_bytes = _repeat(hashlib.sha256(salt * (16 + digest[0])).digest(), len(salt))
    for round_ in range(rounds):
        step = hashlib.sha256(p_bytes if round_ & 1 else digest)
        if round_ % 3:
            step.update(s_bytes)
        if round_ % 7:
            step.update(p_bytes)
        step.update(digest if round_ & 1 else p_bytes)
        digest = step.digest()
    encoded = [
        _crypt_b64((digest[high] << 16) | (digest[middle] << 8) | digest[low], 4)
        for high, middle, low in CRYPT_ORDER
    ]
    encoded.append(_crypt_b64((digest[31] << 8) | digest[30], 3))
    return "".join(encoded)


def _repeat(block: bytes, length: int) -> bytes:
    return (block * (length // len(block) + 1))[:length]


def _crypt_b64(value: int, count: int) -> str:
    chars = []
    for _ in range(count):
        chars.append(CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(chars)


def sql_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def sql_identifier(value: str) -> str:
    return "`" + value.replace("`", "``") + "`"


def stats_query(status_schema: str) -> str:
    """One JSON object of the server's figures; `status_schema` holds its GLOBAL_STATUS table
    (information_schema in MariaDB, performance_schema in MySQL 5.7 and later)."""

    def status(variable: str) -> str:
        return (
            f"(SELECT CAST(VARIABLE_VALUE AS UNSIGNED) FROM {status_schema}.GLOBAL_STATUS "
            f"WHERE VARIABLE_NAME = '{variable}')"
        )

    hidden = ", ".join(f"'{schema}'" for schema in STATS_SCHEMAS_HIDDEN)
    return f"""
SELECT JSON_OBJECT(
  'connections', {status("THREADS_CONNECTED")},
  'active_connections', {status("THREADS_RUNNING")},
  'max_connections', @@max_connections,
  'databases', (SELECT JSON_ARRAYAGG(JSON_OBJECT(
                  'name', s.SCHEMA_NAME, 'size_bytes', CAST(COALESCE(t.bytes, 0) AS UNSIGNED)))
                FROM information_schema.SCHEMATA s
                LEFT JOIN (SELECT TABLE_SCHEMA, SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes
                           FROM information_schema.TABLES GROUP BY TABLE_SCHEMA) t
                  ON t.TABLE_SCHEMA = s.SCHEMA_NAME
                WHERE s.SCHEMA_NAME NOT IN ({hidden})),
  'queries', {status("QUERIES")},
  'slow_queries', {status("SLOW_QUERIES")},
  'commits', {status("COM_COMMIT")},
  'rollbacks', {status("COM_ROLLBACK")},
  'selects', {status("COM_SELECT")},
  'inserts', {status("COM_INSERT")},
  'updates', {status("COM_UPDATE")},
  'deletes', {status("COM_DELETE")},
  'uptime_seconds', {status("UPTIME")},
  'server_version', @@version)
"""


def parse_json_stats(output: str) -> dict[str, object]:
    """The last JSON object line of the client's output (warnings may come before it)."""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise ValueError(f"no figures in the engine's answer: {output[-200:]!r}")
    figures: dict[str, object] = json.loads(lines[-1])
    databases = figures.get("databases")
    if isinstance(databases, list):
        figures["databases"] = sorted(databases, key=lambda entry: str(entry.get("name")))
    return figures


def mysql_uri(host: str, port: int, username: str, password: str, database: str) -> str:
    return (
        f"mysql://{quote(username, safe='')}:{quote(password, safe='')}"
        f"@{host}:{port}/{quote(database, safe='')}"
    )


def server_flags(settings: Mapping[str, Value]) -> list[str]:
    """`--name=value` for each setting, booleans spelled ON and OFF."""
    spelled = {
        name: ("ON" if value else "OFF") if isinstance(value, bool) else str(value)
        for name, value in settings.items()
    }
    return [f"--{name.replace('_', '-')}={value}" for name, value in spelled.items()]
