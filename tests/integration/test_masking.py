"""Masking checked through the branch's URI: a branch of a database with masking rules holds
no original value anywhere its URI reaches (rows, statistics, the table files), unique keys
and foreign keys still hold, replacements are the same in every branch, the parent keeps
its data, and `mask: false` is an explicit, recorded choice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import docker
import httpx
import psycopg
import pymysql
import pytest

from app.drivers.runtime.base import DATABASE_LABEL
from tests.integration.test_mariadb import connect, mariadb_image  # noqa: F401 - fixture

ORIGINALS = ["alice@corp.example", "bob@corp.example", "Alice Liddell", "+44 20 7946 0000",
             "123-45-6789"]  # fmt: skip
SETUP = """
CREATE TABLE customers (id serial PRIMARY KEY, email text UNIQUE NOT NULL, name text,
                        phone text, ssn text, tier text);
CREATE TABLE orders (id serial PRIMARY KEY,
                     customer_email text NOT NULL REFERENCES customers(email), total int);
INSERT INTO customers (email, name, phone, ssn, tier) VALUES
  ('alice@corp.example', 'Alice Liddell', '+44 20 7946 0000', '123-45-6789', 'gold'),
  ('bob@corp.example', 'Bob Builder', NULL, '987-65-4321', 'silver');
INSERT INTO customers (email, name)
  SELECT 'user' || i || '@corp.example', 'Person ' || i FROM generate_series(1, 500) i;
INSERT INTO orders (customer_email, total)
  SELECT email, id FROM customers;
ANALYZE;
"""
RULES = [
    {"table": "customers", "column": "email", "with": "email"},
    {"table": "customers", "column": "name", "with": "name"},
    {"table": "customers", "column": "phone", "with": "phone"},
    {"table": "customers", "column": "ssn", "with": "null"},
    {"table": "customers", "column": "tier", "with": "fixed:standard"},
    {"table": "public.orders", "column": "customer_email", "with": "email"},
]


def rows(uri: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(uri, connect_timeout=10) as connection:
        return connection.execute(query).fetchall()


@pytest.fixture
def masked_parent(api: httpx.Client) -> Iterator[dict[str, Any]]:
    created = api.post("/databases", json={"name": "mask-src", "type": "postgresql"})
    assert created.status_code == 201, created.text
    with psycopg.connect(created.json()["data"]["connection"]["uri"], autocommit=True) as c:
        c.execute(SETUP)
    updated = api.put("/databases/mask-src", json={"masking_rules": RULES})
    assert updated.status_code == 200, updated.text
    yield updated.json()["data"]
    api.delete("/databases/mask-src?cascade=true")


def table_file(client: docker.DockerClient, database_id: str, uri: str, table: str) -> bytes:
    """The bytes of `table`'s file, read inside the database's container (the connection's
    own account may not read server files)."""
    path = rows(uri, f"SELECT pg_relation_filepath('{table}')")[0][0]
    (container,) = client.containers.list(filters={"label": f"{DATABASE_LABEL}={database_id}"})
    result = container.exec_run(["cat", f"/var/lib/postgresql/data/{path}"])
    assert result.exit_code == 0, result.output[-300:]
    return bytes(result.output)


def test_a_branch_is_masked_before_it_runs_and_keeps_its_keys(
    api: httpx.Client, masked_parent: dict[str, Any], docker_client: docker.DockerClient
) -> None:
    assert masked_parent["masking_rules"] == RULES and masked_parent["masked"] is False
    branch = api.post("/databases/mask-src/branches", json={"name": "mask-b1"})
    assert branch.status_code == 201, branch.text
    assert branch.json()["data"]["masked"] is True
    uri = branch.json()["data"]["connection"]["uri"]

    everything = rows(uri, "SELECT c::text FROM customers c UNION ALL SELECT o::text FROM orders o")
    dump = "\n".join(row[0] for row in everything)
    assert not [value for value in ORIGINALS if value in dump]
    assert "@corp.example" not in dump
    stats = rows(uri, "SELECT coalesce(string_agg(most_common_vals::text, ','), '') FROM pg_stats "
                      "WHERE tablename IN ('customers', 'orders')")[0][0]  # fmt: skip
    assert "corp.example" not in stats
    for table in ("customers", "orders"):
        raw = table_file(docker_client, branch.json()["data"]["id"], uri, table)
        assert b"corp.example" not in raw, f"an original value is left in {table}'s file"

    assert rows(uri, "SELECT count(*), count(DISTINCT email) FROM customers") == [(502, 502)]
    joined = "SELECT count(*) FROM orders JOIN customers ON customers.email = customer_email"
    assert rows(uri, joined) == [(502,)]
    assert rows(uri, "SELECT count(*) FROM customers WHERE ssn IS NOT NULL") == [(0,)]
    assert rows(uri, "SELECT DISTINCT tier FROM customers WHERE tier IS NOT NULL") == [
        ("standard",)
    ]
    assert rows(uri, "SELECT count(*) FROM customers WHERE phone IS NULL") == [(501,)]
    with psycopg.connect(uri) as connection, pytest.raises(psycopg.errors.ForeignKeyViolation):
        connection.execute("INSERT INTO orders (customer_email, total) VALUES ('x@y.z', 1)")

    again = api.post("/databases/mask-src/branches", json={"name": "mask-b2"})
    assert again.status_code == 201, again.text
    query = "SELECT email, name, phone FROM customers ORDER BY id"
    assert rows(again.json()["data"]["connection"]["uri"], query) == rows(uri, query)

    parent_uri = masked_parent["connection"]["uri"]
    assert rows(parent_uri, "SELECT email FROM customers WHERE id = 1") == [("alice@corp.example",)]


def test_mask_false_is_a_recorded_choice_and_bad_rules_are_refused(
    api: httpx.Client, masked_parent: dict[str, Any]
) -> None:
    plain = api.post("/databases/mask-src/branches", json={"name": "mask-off", "mask": False})
    assert plain.status_code == 201, plain.text
    assert plain.json()["data"]["masked"] is False
    uri = plain.json()["data"]["connection"]["uri"]
    assert rows(uri, "SELECT email FROM customers WHERE id = 1") == [("alice@corp.example",)]
    operations = api.get("/operations", params={"database_id": "mask-off"}).json()["data"]
    assert [o["mask"] for o in operations if o["kind"] == "branch.create"] == [False]

    for rules, reason in [
        ([{"table": "customers", "column": "email", "with": "scramble"}], "with must be one of"),
        ([{"table": "customers; drop", "column": "email", "with": "hash"}], "table must be"),
        ([{"table": "customers", "column": "email"}], "must be"),
        ("all", "must be a list"),
    ]:
        refused = api.put("/databases/mask-src", json={"masking_rules": rules})
        assert refused.status_code == 400, refused.text
        assert reason in refused.json()["error"]["message"]

    missing = [{"table": "nothere", "column": "email", "with": "hash"}]
    assert api.put("/databases/mask-src", json={"masking_rules": missing}).status_code == 200
    failed = api.post("/databases/mask-src/branches", json={"name": "mask-fails"})
    assert failed.status_code == 400, failed.text
    assert "Masking failed" in failed.json()["error"]["message"]
    assert api.get("/databases/mask-fails").status_code == 404
    cleared = api.put("/databases/mask-src", json={"masking_rules": None})
    assert cleared.json()["data"]["masking_rules"] is None


MARIADB_SETUP = [
    "CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(200) NOT NULL "
    "UNIQUE, name VARCHAR(200), ssn VARCHAR(20))",
    "CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, total INT, customer_email "
    "VARCHAR(200) NOT NULL, FOREIGN KEY (customer_email) REFERENCES customers (email))",
    "INSERT INTO customers (email, name, ssn) VALUES ('alice@corp.example', 'Alice Liddell', "
    "'123-45-6789'), ('bob@corp.example', 'Bob Builder', '987-65-4321')",
    "INSERT INTO orders (customer_email, total) SELECT email, id FROM customers",
]
MARIADB_RULES = [
    {"table": "customers", "column": "email", "with": "email"},
    {"table": "customers", "column": "name", "with": "name"},
    {"table": "customers", "column": "ssn", "with": "null"},
    {"table": "orders", "column": "customer_email", "with": "email"},
]


def test_a_mariadb_branch_is_masked_before_it_runs_and_keeps_its_keys(
    api: httpx.Client,
    mariadb_image: str,  # noqa: F811 - the fixture
    docker_client: docker.DockerClient,
) -> None:
    created = api.post("/databases", json={"name": "mask-maria", "type": "mariadb"})
    assert created.status_code == 201, created.text
    try:
        parent_uri = created.json()["data"]["connection"]["uri"]
        with connect(parent_uri) as connection, connection.cursor() as cursor:
            for statement in MARIADB_SETUP:
                cursor.execute(statement)
            connection.commit()
        ruled = api.put("/databases/mask-maria", json={"masking_rules": MARIADB_RULES})
        assert ruled.status_code == 200, ruled.text
        branch = api.post("/databases/mask-maria/branches", json={"name": "mask-maria-b"})
        assert branch.status_code == 201, branch.text
        masked = branch.json()["data"]
        assert masked["masked"] is True and masked["status"] == "running"

        def answer(uri: str, query: str) -> tuple[Any, ...]:
            with connect(uri) as connection, connection.cursor() as cursor:
                cursor.execute(query)
                return tuple(cursor.fetchall())

        uri = masked["connection"]["uri"]
        everything = answer(uri, "SELECT email, name, ssn FROM customers UNION ALL "
                                 "SELECT customer_email, total, NULL FROM orders")  # fmt: skip
        shown = repr(everything)
        assert not [value for value in ORIGINALS if value in shown]
        assert "corp.example" not in shown
        joined = "SELECT count(*) FROM orders JOIN customers ON email = customer_email"
        assert answer(uri, joined) == ((2,),)
        assert answer(uri, "SELECT count(DISTINCT email), count(ssn) FROM customers") == ((2, 0),)
        with (
            connect(uri) as connection,
            connection.cursor() as cursor,
            pytest.raises(pymysql.err.IntegrityError),
        ):
            cursor.execute("INSERT INTO orders (customer_email, total) VALUES ('x@y.z', 1)")
        # A clean stop writes every page InnoDB holds in memory out to the table files.
        assert api.post("/databases/mask-maria-b/stop").status_code == 200
        assert api.post("/databases/mask-maria-b/start").status_code == 200
        (container,) = docker_client.containers.list(
            filters={"label": f"{DATABASE_LABEL}={masked['id']}"}
        )
        for table in ("customers", "orders"):
            path = f"/var/lib/mysql/{masked['connection']['database']}/{table}.ibd"
            raw = container.exec_run(["cat", path])
            assert raw.exit_code == 0, raw.output[-300:]
            assert b"corp.example" not in raw.output, f"an original value is left in {table}"
        assert answer(parent_uri, "SELECT email FROM customers WHERE id = 1") == (
            ("alice@corp.example",),
        )
    finally:
        api.delete("/databases/mask-maria?cascade=true")
