"""Source servers for import tests: real PostgreSQL and MariaDB containers started outside
StagDB (labelled, on the host's loopback, removed by their fixtures), filled with tables,
indexes, sequences, views and a large table."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docker
import psycopg
import pymysql

from tests.conftest import free_port

SOURCE_LABEL = "io.stagdb.test-source"
PASSWORD = "s3cret-Source-pw"
LARGE_ROWS = 400_000

PG_FIXTURE_SQL = f"""
CREATE SCHEMA sales;
CREATE TABLE sales.customers (id serial PRIMARY KEY, email text UNIQUE NOT NULL, name text);
CREATE TABLE sales.orders (
  id bigserial PRIMARY KEY,
  customer_id int NOT NULL REFERENCES sales.customers(id),
  total numeric(10,2) NOT NULL
);
CREATE INDEX orders_customer ON sales.orders (customer_id);
CREATE SEQUENCE sales.invoice_numbers START 1000;
SELECT nextval('sales.invoice_numbers') FROM generate_series(1, 5);
INSERT INTO sales.customers (email, name)
  SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, 100) i;
INSERT INTO sales.orders (customer_id, total)
  SELECT 1 + i % 100, i FROM generate_series(1, 1000) i;
CREATE VIEW sales.big_spenders AS
  SELECT customer_id, sum(total) AS spent FROM sales.orders GROUP BY customer_id;
CREATE TABLE public.events (id bigint PRIMARY KEY, payload text NOT NULL);
INSERT INTO public.events
  SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, {LARGE_ROWS}) i;
CREATE TABLE public.audit_log (id int, line text);
INSERT INTO public.audit_log VALUES (1, 'kept out');
"""


@dataclass(frozen=True)
class SourceServer:
    port: int
    container_id: str

    def uri(self, password: str = PASSWORD, database: str = "shop") -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{database}"


@contextmanager
def postgres_source(client: docker.DockerClient, image: str) -> Iterator[SourceServer]:
    """A PostgreSQL server with a `shop` database, as a user's production would be."""
    port = free_port()
    script = (
        'echo "$POSTGRES_PASSWORD" > /tmp/pw && '
        "initdb -D /tmp/pgdata -U postgres --auth-host=scram-sha-256 --auth-local=trust "
        "--pwfile=/tmp/pw >/dev/null && echo 'host all all all scram-sha-256' >> "
        f"/tmp/pgdata/pg_hba.conf && exec postgres -D /tmp/pgdata -p {port} "
        "-c listen_addresses=127.0.0.1 -c fsync=off -k /tmp"
    )
    container = client.containers.create(
        image,
        command=["sh", "-c", script],
        user="999:999",
        environment={"POSTGRES_PASSWORD": PASSWORD},
        labels={SOURCE_LABEL: uuid.uuid4().hex},
        network_mode="host",
    )
    try:  # started inside the try: a container that fails to start is removed too
        container.start()
        _wait_for(port, "postgres")
        with psycopg.connect(_dsn(port, "postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE shop")
        with psycopg.connect(_dsn(port), autocommit=True) as connection:
            connection.execute(PG_FIXTURE_SQL)
        yield SourceServer(port, str(container.id))
    finally:
        container.remove(force=True, v=True)


def _dsn(port: int, database: str = "shop") -> str:
    return f"host=127.0.0.1 port={port} user=postgres password={PASSWORD} dbname={database}"


def _wait_for(port: int, database: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(_dsn(port, database), connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


MARIADB_ORDERS = 3000
# The customers' emails are in a domain no masked value uses (masked emails end in
# @example.com), so finding it in a table's file means an original value is left there.
ORIGINAL_EMAIL_DOMAIN = "shop.corp.example"
MARIADB_BOOTSTRAP = f"""FLUSH PRIVILEGES;
CREATE DATABASE shop;
CREATE USER 'app'@'%' IDENTIFIED BY '{PASSWORD}';
GRANT ALL PRIVILEGES ON *.* TO 'app'@'%';
CREATE TABLE shop.customers (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(200) UNIQUE);
INSERT INTO shop.customers (email) VALUES ('a@shop.corp.example'), ('b@shop.corp.example');
CREATE VIEW shop.customer_count AS SELECT count(*) AS n FROM shop.customers;
CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, total INT NOT NULL,
  customer_email VARCHAR(200) NOT NULL, KEY by_total (total),
  FOREIGN KEY (customer_email) REFERENCES shop.customers (email));
SET SESSION max_recursive_iterations = 100000;
INSERT INTO shop.orders (customer_email, total)
  WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MARIADB_ORDERS})
  SELECT IF(i % 2 = 0, 'a@shop.corp.example', 'b@shop.corp.example'), i FROM n;
"""


@dataclass(frozen=True)
class MariaDBSource:
    port: int

    def uri(self, password: str = PASSWORD) -> str:
        return f"mariadb://app:{password}@127.0.0.1:{self.port}/shop"


@contextmanager
def mariadb_source(client: docker.DockerClient, image: str) -> Iterator[MariaDBSource]:
    """A MariaDB server with a `shop` database and an `app` user."""
    port = free_port()
    script = (
        "set -e\nmariadb-install-db --no-defaults --datadir=/tmp/db --user=mysql "
        "--auth-root-authentication-method=socket --skip-test-db >/dev/null\n"
        f"printf '%s' {shlex.quote(MARIADB_BOOTSTRAP)} | "
        "mariadbd --no-defaults --datadir=/tmp/db --bootstrap\n"
        f"exec mariadbd --no-defaults --datadir=/tmp/db --port={port} "
        "--bind-address=127.0.0.1 --socket=/tmp/mysqld.sock --skip-name-resolve"
    )
    container = client.containers.create(
        image,
        command=["sh", "-c", script],
        user="999:999",
        labels={SOURCE_LABEL: uuid.uuid4().hex},
        network_mode="host",
    )
    try:  # started inside the try: a container that fails to start is removed too
        container.start()
        deadline = time.monotonic() + 60
        while True:
            try:
                pymysql.connect(
                    host="127.0.0.1", port=port, user="app", password=PASSWORD, database="shop"
                ).close()
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield MariaDBSource(port)
    finally:
        container.remove(force=True, v=True)


# PostgreSQL refuses to run as root, and initdb wants an account it can look up.
NOBODY = pwd.getpwnam("nobody")


@dataclass(frozen=True)
class NewerPostgres:
    port: int
    version: str

    def uri(self) -> str:
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.port}/shop"


@contextmanager
def newer_postgres_source() -> Iterator[NewerPostgres]:
    """A real PostgreSQL of a newer major version than this host's images (16, from the
    `pgserver` wheel's own build), run as a host process with a `shop` database."""
    spec = importlib.util.find_spec("pgserver")
    assert spec is not None and spec.submodule_search_locations, "pip install pgserver"
    binaries = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
    home = Path(tempfile.mkdtemp(prefix="stagdb-newer-pg-"))  # in /tmp: nobody reaches it
    as_nobody = {"user": NOBODY.pw_uid, "group": NOBODY.pw_gid, "extra_groups": [NOBODY.pw_gid]}
    server = None
    try:
        os.chown(home, NOBODY.pw_uid, NOBODY.pw_gid)
        (home / "pw").write_text(PASSWORD)
        os.chown(home / "pw", NOBODY.pw_uid, NOBODY.pw_gid)
        subprocess.run(
            [binaries / "initdb", "-D", home / "data", "-U", "postgres",
             "--auth=scram-sha-256", f"--pwfile={home / 'pw'}"],
            check=True, capture_output=True, **as_nobody,  # type: ignore[call-overload]
        )  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [binaries / "postgres", "-D", home / "data", "-p", str(port), "-k", home,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_nobody,  # type: ignore[call-overload]
        )  # fmt: skip
        yield NewerPostgres(port, _create_shop(server, port))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(home)


def _create_shop(server: subprocess.Popen[bytes], port: int) -> str:
    """Wait for the server, make its `shop` database and answer its version."""
    admin = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=2) as connection:
                connection.execute("CREATE DATABASE shop")
                (version,) = connection.execute("SHOW server_version").fetchall()[0]
                return str(version)
        except psycopg.OperationalError:
            assert server.poll() is None, "the newer PostgreSQL exited"
            assert time.monotonic() < deadline, "the newer PostgreSQL did not start"
            time.sleep(0.2)
