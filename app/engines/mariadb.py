"""MariaDB: official `mariadb:<X.Y>` images; a `stagdb` user whose password hash is set on
first start, and `root` reachable only over the container's own socket."""

from __future__ import annotations

import shlex

from app.engines.base import Engine, Listen
from app.engines.mariadb_import import MariaDBImport
from app.engines.masking import MariaDBMasking
from app.engines.mysql import (
    mysql_uri,
    native_password_hash,
    parse_json_stats,
    sql_string,
    stats_query,
    template_statements,
)
from app.engines.refusals import MysqlRefusal

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

    def init_command(self) -> list[str]:
        # `--no-defaults`: a host-built image lacks what Debian's /etc/mysql config loads.
        # The bootstrap runs without grant tables; FLUSH PRIVILEGES loads them so that the
        # user's account (locked until its first start) can be created. The proxy grant made
        # for the init container's host name is dropped: every start would warn about it.
        settings = " ".join(STORAGE_SETTINGS)
        statements = template_statements(self.default_username, self.default_database)
        return [
            "sh",
            "-c",
            f"set -e\nmariadb-install-db --no-defaults --datadir={DATA_DIR} --user={ADMIN} "
            f"--auth-root-authentication-method=socket --skip-test-db --skip-name-resolve "
            f"{settings} >/dev/null\n"
            f"printf '%s\\n' 'FLUSH PRIVILEGES;' {shlex.quote(statements)} {DROP_HOST_PROXY} "
            f"| mariadbd --no-defaults --datadir={DATA_DIR} {settings} --bootstrap",
        ]

    def server_command(self, listen: Listen) -> list[str]:
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
        ]

    def ready_command(self, listen: Listen) -> list[str]:
        return ["mariadb-admin", "--no-defaults", f"--socket={SOCKET}", f"--user={ADMIN}", "ping"]

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        # Only the mysql_native_password hash crosses into the container, never the password.
        return self._client(
            f"ALTER USER {sql_string(username)}@'%' "
            f"IDENTIFIED BY PASSWORD {sql_string(native_password_hash(password))} ACCOUNT UNLOCK"
        )

    def checkpoint_command(self, listen: Listen) -> list[str]:
        # FLUSH TABLES writes out non-transactional (Aria, MyISAM) tables and, since 10.4.8,
        # does not wait for tables in use. FLUSH ENGINE LOGS makes the InnoDB redo log durable
        # (it is at every commit already). A full checkpoint (innodb_log_checkpoint_now) is
        # left out: it chases the log while writes go on and took up to 5 s under load, while
        # replaying the small redo log adds ~0.2 s to a branch's first start.
        return self._client("SET SESSION lock_wait_timeout = 10; FLUSH TABLES; FLUSH ENGINE LOGS")

    def stats_command(self, listen: Listen) -> list[str]:
        return [*self._client(stats_query("information_schema")), "-N", "-B", "-r"]

    def parse_stats(self, output: str) -> dict[str, object]:
        return parse_json_stats(output)

    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str:
        return mysql_uri(host, port, username, password, database)

    def _client(self, statements: str) -> list[str]:
        return [
            "mariadb",
            "--no-defaults",
            f"--socket={SOCKET}",
            f"--user={ADMIN}",
            "-e",
            statements,
        ]
