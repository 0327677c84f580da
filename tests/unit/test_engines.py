"""Engines without their servers: the commands they ask for, their hashes, URIs and stats
parsing. The shell scripts run here for real, against stand-in clients that print their
arguments, so quoting and branching are checked too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import Settings
from app.domain.catalog import EngineCatalog
from app.engines import ENGINES, Listen
from app.engines.mariadb import MariaDB
from app.engines.mongodb import ADMIN_SECRET, MongoDB
from app.engines.mysql import (
    DATA_DICTIONARY,
    MySQL,
    caching_sha2_hash,
    native_password_hash,
    sha256_crypt,
)
from app.errors import ValidationError

LISTEN = Listen(address="127.0.0.1", port=15007)
PASSWORD = "s3cret-'pass\"word$`"  # quotes and shell metacharacters on purpose


@dataclass(frozen=True)
class Call:
    """One run of a stand-in executable: its name and arguments, and what it read on stdin."""

    argv: list[str]
    stdin: str


def run_script(
    command: list[str], tmp_path: Path, stand_ins: tuple[str, ...], swap: dict[str, str]
) -> list[Call]:
    """Run an `sh -c` command with stand-in executables first on PATH, and return their calls
    in order (`argv`, `stdin`); `swap` rewrites absolute paths in the script to test files."""
    assert command[:2] == ["sh", "-c"]
    script = command[2]
    for old, new in swap.items():
        script = script.replace(old, new)
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir(exist_ok=True)
    calls.unlink(missing_ok=True)
    for name in stand_ins:
        stand_in = bin_dir / name
        stand_in.write_text(
            f"#!{sys.executable}\nimport json, os, sys\n"
            "call = {'argv': sys.argv, 'stdin': sys.stdin.read()}\n"
            f"open({str(calls)!r}, 'a').write(json.dumps(call) + '\\n')\n"
        )
        stand_in.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["sh", "-c", script], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    recorded = [json.loads(line) for line in calls.read_text().splitlines()]
    return [Call([Path(c["argv"][0]).name, *c["argv"][1:]], c["stdin"]) for c in recorded]


def assert_valid_shell(command: list[str]) -> None:
    assert command[:2] == ["sh", "-c"]
    checked = subprocess.run(["sh", "-n", "-c", command[2]], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_every_engine_is_registered_and_an_unknown_type_lists_them_all() -> None:
    assert sorted(ENGINES) == ["mariadb", "mongodb", "mysql", "postgresql"]
    catalog = EngineCatalog(ENGINES, {}, {}, runtime=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as raised:
        catalog.engine("oracle")
    assert raised.value.message == (
        "Invalid database type specified: expected one of mariadb, mongodb, mysql, postgresql"
    )


def test_versions_per_engine_come_from_their_own_variables() -> None:
    defaults = Settings.from_env({}).engine_versions
    assert defaults == {
        "postgresql": ("12", "13", "14", "15", "16", "17"),
        "mariadb": ("10.6", "10.11", "11.4"),
        "mysql": ("5.7", "8.0", "8.4"),
        "mongodb": ("5.0", "6.0", "7.0"),
    }
    chosen = Settings.from_env(
        {
            "STAGDB_MARIADB_VERSIONS": " 10.11 ,",
            "STAGDB_MYSQL_VERSIONS": "8.4",
            "STAGDB_MONGODB_VERSIONS": "",
            "STAGDB_IMAGE_MARIADB_10_11": "registry.local/mariadb:10.11",
        }
    )
    assert chosen.engine_versions["mariadb"] == ("10.11",)
    assert chosen.engine_versions["mysql"] == ("8.4",)
    assert chosen.engine_versions["mongodb"] == ()
    assert chosen.images == {"mariadb:10.11": "registry.local/mariadb:10.11"}


def test_official_images_and_layout() -> None:
    expected = {
        "mariadb": ("mariadb:10.11", 3306, "/var/lib/mysql", "stagdb", "app"),
        "mysql": ("mysql:8.4", 3306, "/var/lib/mysql", "stagdb", "app"),
        "mongodb": ("mongo:7.0", 27017, "/data/db", "stagdb", "admin"),
    }
    versions = {"mariadb": "10.11", "mysql": "8.4", "mongodb": "7.0"}
    for name, (image, port, data_dir, username, database) in expected.items():
        engine = ENGINES[name]
        assert engine.image_tag(versions[name]) == image
        assert (engine.container_port, engine.data_dir) == (port, data_dir)
        assert (engine.default_username, engine.default_database) == (username, database)
        assert engine.run_as == "999:999" and engine.stop_signal == "SIGTERM"


# MySQL protocol hashes


def test_native_password_hash_matches_mysql_password_function() -> None:
    # SELECT PASSWORD('password') on MySQL 5.7 / MariaDB
    assert native_password_hash("password") == "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"


@pytest.mark.parametrize(
    ("password", "salt", "rounds", "digest"),
    [
        # glibc crypt(3) / `openssl passwd -5` reference values
        (b"Hello world!", b"saltstring", 5000, "5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"),
        (
            b"Hello world!",
            b"saltstringsaltst",
            10000,
            "3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
        ),
        (b"a" * 70, b"0123456789abcdef", 5000, "X6Sxoeo85Sv.Uw1p6PhssXp.SDurT6SG1dRqDVlMDs4"),
        (b"", b"abc", 5000, "bBHLwRRW2Li0XKaX13kz/g2fkDil4Jx46aNvd.48MS8"),
    ],
)
def test_sha256_crypt_matches_the_reference(
    password: bytes, salt: bytes, rounds: int, digest: str
) -> None:
    assert sha256_crypt(password, salt, rounds) == digest


def test_caching_sha2_hash_has_the_stored_format() -> None:
    salt = "A" * 20
    stored = caching_sha2_hash("secret", salt=salt)
    assert stored.startswith("$A$005$" + salt)
    assert len(stored) == 7 + 20 + 43
    assert stored[27:] == sha256_crypt(b"secret", salt.encode(), 5000)
    fresh = caching_sha2_hash("secret")
    assert fresh != stored and fresh[7:27].isalnum()


# MariaDB


def test_mariadb_server_command() -> None:
    command = MariaDB().server_command(LISTEN, {}, "10.11")
    assert command[:2] == ["mariadbd", "--no-defaults"]
    for option in (
        "--datadir=/var/lib/mysql",
        "--port=15007",
        "--bind-address=127.0.0.1",
        "--socket=/run/mysqld/mysqld.sock",
        "--skip-name-resolve",
        "--innodb-flush-log-at-trx-commit=1",
        "--innodb-log-file-size=16M",
    ):
        assert option in command
    assert "--bind-address=*" in MariaDB().server_command(Listen("*", 3306), {}, "10.11")


def test_mariadb_template_is_installed_without_defaults_and_makes_a_locked_user(
    tmp_path: Path,
) -> None:
    command = MariaDB().init_command("10.11")
    assert_valid_shell(command)
    install, bootstrap = run_script(command, tmp_path, ("mariadb-install-db", "mariadbd"), {})
    assert install.argv == [
        "mariadb-install-db",
        "--no-defaults",
        "--datadir=/var/lib/mysql",
        "--user=mysql",
        "--auth-root-authentication-method=socket",
        "--skip-test-db",
        "--skip-name-resolve",
        "--character-set-server=utf8mb4",
        "--innodb-log-file-size=16M",
    ]
    assert bootstrap.argv == [
        "mariadbd",
        "--no-defaults",
        "--datadir=/var/lib/mysql",
        "--character-set-server=utf8mb4",
        "--innodb-log-file-size=16M",
        "--bootstrap",
    ]
    assert bootstrap.stdin == (
        "FLUSH PRIVILEGES;\n"
        "CREATE DATABASE `app`;\n"
        "CREATE USER 'stagdb'@'%' ACCOUNT LOCK;\n"
        "GRANT ALL PRIVILEGES ON `app`.* TO 'stagdb'@'%';\n"
        "GRANT ALL PRIVILEGES ON `app\\_%`.* TO 'stagdb'@'%';\n"
        "CREATE USER 'root'@'%' ACCOUNT LOCK;\n"
        "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;\n"
        "DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';\n"
    )


def test_mariadb_credentials_send_only_the_hash_over_the_socket() -> None:
    command = MariaDB().set_credentials_command(LISTEN, "stagdb", PASSWORD)
    assert command[:5] == [
        "mariadb",
        "--no-defaults",
        "--socket=/run/mysqld/mysqld.sock",
        "--user=mysql",
        "-e",
    ]
    assert PASSWORD not in " ".join(command)
    assert command[5] == (
        f"ALTER USER 'stagdb'@'%' IDENTIFIED BY PASSWORD '{native_password_hash(PASSWORD)}' "
        "ACCOUNT UNLOCK"
    )
    assert MariaDB().ready_command(LISTEN) == [
        "mariadb-admin",
        "--no-defaults",
        "--socket=/run/mysqld/mysqld.sock",
        "--user=mysql",
        "ping",
    ]


def test_mariadb_checkpoint_flushes_tables_and_logs_without_waiting_long() -> None:
    statements = MariaDB().checkpoint_command(LISTEN)[-1]
    assert statements == "SET SESSION lock_wait_timeout = 10; FLUSH TABLES; FLUSH ENGINE LOGS"


def test_mariadb_stats_parse_the_clients_json() -> None:
    engine = MariaDB()
    command = engine.stats_command(LISTEN)
    assert {"-N", "-B", "-r"} <= set(command)
    assert "information_schema.GLOBAL_STATUS" in " ".join(command)
    output = (
        "Warning: something harmless\n"
        '{"connections": 2, "max_connections": 151, "databases": [{"name": "mysql", '
        '"size_bytes": 3809280}, {"name": "app", "size_bytes": 16384}], "queries": 9, '
        '"uptime_seconds": 12, "server_version": "10.11.19-MariaDB"}\n'
    )
    figures = engine.parse_stats(output)
    assert figures["connections"] == 2 and figures["uptime_seconds"] == 12
    assert figures["databases"] == [
        {"name": "app", "size_bytes": 16384},
        {"name": "mysql", "size_bytes": 3809280},
    ]
    with pytest.raises(ValueError, match="no figures"):
        engine.parse_stats("ERROR 2002 (HY000): Can't connect\n")


def test_mysql_family_uris_quote_credentials() -> None:
    for engine in (MariaDB(), MySQL()):
        uri = engine.connection_uri("db.example.test", 15007, "stagdb", "p@ss/w:rd", "app")
        assert uri == "mysql://stagdb:p%40ss%2Fw%3Ard@db.example.test:15007/app"


# MySQL


def test_mysql_server_command() -> None:
    command = MySQL().server_command(LISTEN, {}, "8.4")
    assert command[:2] == ["mysqld", "--no-defaults"]
    for option in (
        "--datadir=/var/lib/mysql",
        "--port=15007",
        "--bind-address=127.0.0.1",
        "--socket=/var/run/mysqld/mysqld.sock",
        "--skip-name-resolve",
        "--innodb-flush-log-at-trx-commit=1",
        "--loose-mysqlx=OFF",
    ):
        assert option in command


def test_mysql_template_initialises_insecure_root_and_a_locked_user(tmp_path: Path) -> None:
    command = MySQL().init_command("8.4")
    assert_valid_shell(command)
    (initialize,) = run_script(
        command, tmp_path, ("mysqld",), {"/tmp/stagdb-init.sql": str(tmp_path / "init.sql")}
    )
    assert initialize.argv == [
        "mysqld",
        "--no-defaults",
        "--initialize-insecure",
        "--datadir=/var/lib/mysql",
        "--character-set-server=utf8mb4",
        f"--init-file={tmp_path / 'init.sql'}",
    ]
    assert (tmp_path / "init.sql").read_text().splitlines() == [
        "CREATE DATABASE `app`;",
        "CREATE USER 'stagdb'@'%' ACCOUNT LOCK;",
        "GRANT ALL PRIVILEGES ON `app`.* TO 'stagdb'@'%';",
        "GRANT ALL PRIVILEGES ON `app\\_%`.* TO 'stagdb'@'%';",
        "CREATE USER 'root'@'%' ACCOUNT LOCK;",
        "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    ]


@pytest.mark.parametrize("generation", ["8.x", "5.7"])
def test_mysql_credentials_pick_the_hash_the_server_generation_understands(
    tmp_path: Path, generation: str
) -> None:
    dictionary = tmp_path / "mysql.ibd"
    if generation == "8.x":
        dictionary.touch()
    command = MySQL().set_credentials_command(LISTEN, "stagdb", PASSWORD)
    assert PASSWORD not in command[2]
    (client,) = run_script(command, tmp_path, ("mysql",), {DATA_DICTIONARY: str(dictionary)})
    arguments = client.argv
    assert arguments[:5] == [
        "mysql",
        "--no-defaults",
        "--socket=/var/run/mysqld/mysqld.sock",
        "--user=root",
        "-e",
    ]
    statement = arguments[5]
    if generation == "8.x":
        assert statement.startswith(
            "ALTER USER 'stagdb'@'%' IDENTIFIED WITH caching_sha2_password AS '$A$005$"
        )
        stored = statement.split(" AS '")[1].split("'")[0]
        assert stored[27:] == sha256_crypt(PASSWORD.encode(), stored[7:27].encode(), 5000)
    else:
        assert statement == (
            "ALTER USER 'stagdb'@'%' IDENTIFIED WITH mysql_native_password "
            f"AS '{native_password_hash(PASSWORD)}' ACCOUNT UNLOCK"
        )
    assert statement.endswith(" ACCOUNT UNLOCK")


def test_mysql_probe_checkpoint_and_stats() -> None:
    engine = MySQL()
    assert engine.ready_command(LISTEN) == [
        "mysqladmin",
        "--no-defaults",
        "--socket=/var/run/mysqld/mysqld.sock",
        "--user=root",
        "ping",
    ]
    assert engine.checkpoint_command(LISTEN)[-2:] == ["-e", "FLUSH ENGINE LOGS"]
    stats = engine.stats_command(LISTEN)
    assert "performance_schema.GLOBAL_STATUS" in stats[-1]
    figures = engine.parse_stats('{"connections": 1, "databases": null, "queries": 3}\n')
    assert figures == {"connections": 1, "databases": None, "queries": 3}


# MongoDB


def test_mongodb_server_runs_with_authorization() -> None:
    command = MongoDB().server_command(LISTEN, {}, "7")
    assert command[:3] == ["mongod", "--dbpath", "/data/db"]
    assert "--auth" in command
    assert command[command.index("--port") + 1] == "15007"
    assert command[command.index("--bind_ip") + 1] == "127.0.0.1"
    bridge = MongoDB().server_command(Listen("*", 27017), {}, "7")
    assert "--bind_ip_all" in bridge and "--bind_ip" not in bridge


def test_mongodb_template_creates_the_admin_and_the_user(tmp_path: Path) -> None:
    command = MongoDB().init_command("7.0")
    assert_valid_shell(command)
    secret = tmp_path / "admin-secret"
    start, create_users, stop = run_script(
        command, tmp_path, ("mongod", "mongosh"), {ADMIN_SECRET: str(secret)}
    )
    assert len(secret.read_text()) == 48 and oct(secret.stat().st_mode)[-3:] == "600"
    assert start.argv == [
        "mongod", "--dbpath", "/data/db", "--port", "27017", "--bind_ip", "127.0.0.1",
        "--fork", "--logpath", "/tmp/stagdb-init.log",
    ]  # fmt: skip
    assert create_users.argv[:4] == ["mongosh", "--quiet", "--port", "27017"]
    script = create_users.argv[create_users.argv.index("--eval") + 1]
    assert f"const secret = '{secret.read_text()}';" in script
    assert "createUser({user: 'stagdb-admin', pwd: secret, roles: ['root']})" in script
    assert "createUser({user: 'stagdb', pwd: throwaway, roles: ['root']})" in script
    assert stop.argv == ["mongod", "--dbpath", "/data/db", "--shutdown"]


def test_mongodb_commands_use_the_socket_and_the_internal_admin(tmp_path: Path) -> None:
    engine = MongoDB()
    secret = tmp_path / "admin-secret"
    secret.write_text("00ff")

    def arguments(command: list[str]) -> list[str]:
        assert_valid_shell(command)
        (shell,) = run_script(command, tmp_path, ("mongosh",), {ADMIN_SECRET: str(secret)})
        return shell.argv[1:]

    ready = arguments(engine.ready_command(LISTEN))
    assert ready[:2] == ["--quiet", "mongodb://%2Ftmp%2Fmongodb-15007.sock/admin"]
    assert ready[3] == "db.adminCommand({ping: 1})"

    credentials = arguments(engine.set_credentials_command(LISTEN, "stagdb", PASSWORD))
    assert credentials[1] == "mongodb://stagdb-admin:00ff@%2Ftmp%2Fmongodb-15007.sock/admin"
    assert credentials[3] == (
        f"db.getSiblingDB('admin').updateUser(\"stagdb\", {{pwd: {json.dumps(PASSWORD)}}})"
    )
    assert arguments(engine.checkpoint_command(LISTEN))[3] == "db.adminCommand({fsync: 1})"
    assert "serverStatus" in arguments(engine.stats_command(LISTEN))[3]


def test_mongodb_stats_and_uri() -> None:
    engine = MongoDB()
    output = (
        "(node:12) Warning: something\n"
        '{"connections":3,"active_connections":1,"available_connections":838857,'
        '"databases":[{"name":"admin","size_bytes":135168}],"operations":{"insert":4},'
        '"resident_memory_mb":80,"uptime_seconds":5,"server_version":"7.0.14"}\n'
    )
    figures = engine.parse_stats(output)
    assert figures["connections"] == 3 and figures["operations"] == {"insert": 4}
    assert figures["databases"] == [{"name": "admin", "size_bytes": 135168}]
    assert engine.connection_uri("127.0.0.1", 15007, "stagdb", "a:b@c", "admin") == (
        "mongodb://stagdb:a%3Ab%40c@127.0.0.1:15007/admin?authSource=admin"
    )


def test_postgresql_readiness_from_its_lock_file_ignores_a_previous_servers(
    tmp_path: Path,
) -> None:
    """A branch's data holds its parent's postmaster.pid, saying "ready": only a lock file
    written by a server started since the container was started counts."""
    engine = ENGINES["postgresql"]
    launched = 1_700_000_000.5

    def lock_file(started: int, status: str) -> None:
        lines = ["1", "/var/lib/postgresql/data", str(started), "5432", "/var/run/postgresql"]
        (tmp_path / "postmaster.pid").write_text("\n".join([*lines, "*", "0", status]) + "\n")

    assert engine.ready_by_files(tmp_path, launched) is False  # not written yet
    lock_file(1_600_000_000, "ready")
    assert engine.ready_by_files(tmp_path, launched) is False  # the parent's
    lock_file(1_700_000_000, "starting")
    assert engine.ready_by_files(tmp_path, launched) is False
    lock_file(1_700_000_000, "ready")
    assert engine.ready_by_files(tmp_path, launched) is True
    assert ENGINES["mariadb"].ready_by_files(tmp_path, launched) is None  # keeps no such file


def test_postgresql_syncs_a_copied_data_dir_with_one_syncfs_from_14_on() -> None:
    """A branch's first start recovers a copy of a running server, which first makes its data
    durable: one syncfs() of the volume from 14 on; older versions would refuse the setting."""
    engine = ENGINES["postgresql"]

    def settings(version: str, overrides: dict[str, object] | None = None) -> list[str]:
        command = engine.server_command(LISTEN, overrides or {}, version)
        return [part for part in command if "=" in part]

    for version in ("14", "15", "17.2"):
        assert "recovery_init_sync_method=syncfs" in settings(version), version
        assert "max_connections=25" in settings(version), version
    for version in ("12", "13.9", "latest"):
        assert not any(s.startswith("recovery_init_sync_method") for s in settings(version))
        assert "max_connections=25" in settings(version), version
    assert "max_connections=42" in settings("15", {"max_connections": 42})


def test_postgresql_syncs_file_by_file_where_syncfs_does_not_reach_the_storage() -> None:
    """On a pool whose file system passes no syncfs on (FUSE: zfs-fuse), the start syncs each
    file instead; versions without the setting get nothing they would refuse."""
    engine = ENGINES["postgresql"]

    def settings(version: str, overrides: dict[str, object] | None = None) -> list[str]:
        safe = engine.settings_without_whole_sync(overrides or {}, version)
        return [part for part in engine.server_command(LISTEN, safe, version) if "=" in part]

    for version in ("14", "15", "17.2"):
        assert "recovery_init_sync_method=fsync" in settings(version), version
        assert "recovery_init_sync_method=syncfs" not in settings(version), version
    for version in ("12", "13.9", "latest"):
        assert not any(s.startswith("recovery_init_sync_method") for s in settings(version))
    assert "max_connections=42" in settings("15", {"max_connections": 42})
    assert ENGINES["mariadb"].settings_without_whole_sync({}, "10.11") == {}
