"""MongoDB: official `mongo:<version>` images, authorization on; a `stagdb` user (root role)
whose password is set on first start by an internal admin account."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from urllib.parse import quote

from app.engines.base import Account, Engine, Listen
from app.engines.tuning import Value

DATA_DIR = "/data/db"
ADMIN = "stagdb-admin"
# The internal admin's password: made inside the container when the template is initialised,
# kept in the data dir (mode 0600, uid 999) so that it travels with every clone and never
# leaves the host. Only exec'd commands in the database's own container read it.
ADMIN_SECRET = f"{DATA_DIR}/.stagdb-admin"
INIT_PORT = 27017  # the template's one-shot server runs with no network but loopback
SHELL = "shell=$(command -v mongosh || command -v mongo)"  # mongo:5.0 still has the old shell
CACHE_SIZE_GB = "0.25"  # WiredTiger otherwise takes half of the host's memory, per database
STATS_SCRIPT = """
const n = (v) => (v === undefined || v === null) ? null
  : (typeof v.toNumber === 'function' ? v.toNumber() : Number(v));
const s = db.adminCommand({serverStatus: 1});
const listed = db.adminCommand({listDatabases: 1}).databases;
const ops = {};
for (const key of Object.keys(s.opcounters)) { ops[key] = n(s.opcounters[key]); }
print(JSON.stringify({
  connections: n(s.connections.current),
  active_connections: n(s.connections.active),
  available_connections: n(s.connections.available),
  databases: listed.map((d) => ({name: d.name, size_bytes: n(d.sizeOnDisk)})),
  operations: ops,
  resident_memory_mb: n(s.mem.resident),
  uptime_seconds: n(s.uptime),
  server_version: s.version,
}));
"""


class MongoDB(Engine):
    name = "mongodb"
    image_repository = "mongo"
    container_port = 27017
    data_dir = DATA_DIR
    run_as = "999:999"
    stop_signal = "SIGTERM"  # mongod shuts down cleanly on SIGTERM
    default_username = "stagdb"
    default_database = "admin"
    superuser_username = "stagdb"
    superuser_database = "admin"

    def account(self, superuser: bool) -> Account:
        # The one connection account has the root role; MongoDB runs no programs and reads
        # no server files for it, and it is recorded as the superuser it is.
        return Account(self.default_username, self.default_database, True)

    def init_command(self, version: str, admin_password: str | None = None) -> list[str]:
        # Users are created on a server that runs without authorization, on loopback only,
        # in a container with no network; the user's own password is random and replaced on
        # each database's first start.
        create_users = (
            "const admin = db.getSiblingDB('admin');"
            f"admin.createUser({{user: '{ADMIN}', pwd: secret, roles: ['root']}});"
            f"admin.createUser({{user: '{self.default_username}', pwd: throwaway, "
            "roles: ['root']});"
        )
        return [
            "sh",
            "-c",
            "set -e\n"
            f"{SHELL}\n"
            "random() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \\n'; }\n"
            f"umask 077\nrandom > {ADMIN_SECRET}\n"
            f"mongod --dbpath {DATA_DIR} --port {INIT_PORT} --bind_ip 127.0.0.1 "
            "--fork --logpath /tmp/stagdb-init.log >/dev/null\n"
            f'"$shell" --quiet --port {INIT_PORT} --eval '
            f"\"const secret = '$(cat {ADMIN_SECRET})'; const throwaway = '$(random)'; "
            f'{create_users}"\n'
            f"mongod --dbpath {DATA_DIR} --shutdown >/dev/null",
        ]

    def server_command(
        self, listen: Listen, settings: Mapping[str, Value], version: str
    ) -> list[str]:
        bind = ["--bind_ip_all"] if listen.address == "*" else ["--bind_ip", listen.address]
        return [
            "mongod",
            "--dbpath",
            DATA_DIR,
            "--port",
            str(listen.port),
            *bind,
            "--auth",
            "--unixSocketPrefix",
            "/tmp",
            "--wiredTigerCacheSizeGB",
            CACHE_SIZE_GB,
        ]

    def ready_command(self, listen: Listen) -> list[str]:
        # `ping` needs no authentication.
        return self._shell(listen, "db.adminCommand({ping: 1})", as_admin=False)

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        # MongoDB computes SCRAM credentials itself and accepts only the password (there is
        # no supported way to store a precomputed verifier), so the password is an argument
        # of this one exec: never part of the container's configuration, gone when it exits.
        return self._shell(
            listen,
            f"db.getSiblingDB('admin').updateUser({json.dumps(username)}, "
            f"{{pwd: {json.dumps(password)}}})",
        )

    def checkpoint_command(self, listen: Listen) -> list[str]:
        # fsync without lock forces a WiredTiger checkpoint. fsyncLock is not used: the lock
        # outlives this command and would hold writes until someone unlocks. With the journal
        # (always on), a frozen or atomic copy is crash-consistent anyway.
        return self._shell(listen, "db.adminCommand({fsync: 1})")

    def stats_command(self, listen: Listen) -> list[str]:
        return self._shell(listen, STATS_SCRIPT)

    def parse_stats(self, output: str) -> dict[str, object]:
        lines = [line for line in output.splitlines() if line.startswith("{")]
        if not lines:
            raise ValueError(f"no figures in the engine's answer: {output[-200:]!r}")
        figures: dict[str, object] = json.loads(lines[-1])
        return figures

    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str:
        return (
            f"mongodb://{quote(username, safe='')}:{quote(password, safe='')}"
            f"@{host}:{port}/{quote(database, safe='')}?authSource=admin"
        )

    def _shell(self, listen: Listen, script: str, as_admin: bool = True) -> list[str]:
        """The mongo shell over the server's Unix socket, as the internal admin or anonymous."""
        socket = quote(f"/tmp/mongodb-{listen.port}.sock", safe="")
        credentials = f"{ADMIN}:$(cat {ADMIN_SECRET})@" if as_admin else ""
        uri = f"mongodb://{credentials}{socket}/admin"
        return [
            "sh",
            "-c",
            f'{SHELL} && exec "$shell" --quiet "{uri}" --eval {shlex.quote(script)}',
        ]
