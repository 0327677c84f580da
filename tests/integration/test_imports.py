"""Create from a source: a real PostgreSQL server started outside StagDB is copied into a new
database with pg_dump/pg_restore in parallel, while its operation reports progress; sources
that cannot be used are refused at once with nothing left behind, and the source's password
never shows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import docker
import httpx
import psycopg
import pymysql
import pytest

from app.drivers.runtime.base import DATABASE_LABEL
from tests.conftest import Server, free_port
from tests.integration.test_mariadb import connect, mariadb_image  # noqa: F401 - fixture
from tests.sources import (
    LARGE_ROWS,
    MARIADB_ORDERS,
    ORIGINAL_EMAIL_DOMAIN,
    PASSWORD,
    MariaDBSource,
    SourceServer,
    mariadb_source,
    newer_postgres_source,
    postgres_source,
)


@pytest.fixture(scope="module")
def source(docker_client: docker.DockerClient, postgres_image: str) -> Iterator[SourceServer]:
    with postgres_source(docker_client, postgres_image) as server:
        yield server


def rows(uri: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(uri, connect_timeout=10) as connection:
        return connection.execute(query).fetchall()


def follow_with_progress(api: httpx.Client, operation_id: str) -> tuple[dict, list[dict]]:
    """The ended operation and every distinct progress seen while it ran."""
    seen: list[dict] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        operation = api.get(f"/operations/{operation_id}").json()["data"]
        if operation["status"] != "running":
            return operation, seen
        if operation["progress"] and operation["progress"] not in seen:
            seen.append(operation["progress"])
        time.sleep(0.2)
    raise AssertionError("the import did not end within 300 s")


def test_import_answers_an_operation_with_progress_then_a_full_copy(
    api: httpx.Client, server: Server, source: SourceServer
) -> None:
    body = {"name": "imported", "type": "postgresql", "source": {"uri": source.uri()}}
    accepted = api.post("/databases", json=body)
    try:
        assert accepted.status_code == 202, accepted.text
        operation = accepted.json()["data"]
        assert operation["kind"] == "database.import"
        assert PASSWORD not in accepted.text
        assert operation["source"] == f"postgresql://postgres@127.0.0.1:{source.port}/shop"
        assert api.get("/databases/imported").json()["data"]["status"] == "creating"
        ended, seen = follow_with_progress(api, operation["id"])
        assert ended["status"] == "succeeded", ended["error"]
        assert seen, "no progress was seen while the import ran"
        assert {p["phase"] for p in seen} <= {"dump", "restore"}
        assert any(p["bytes_done"] for p in seen if p["phase"] == "dump") or any(
            p["objects_done"] for p in seen if p["phase"] == "restore"
        )
        assert ended["progress"]["objects_done"] == ended["progress"]["objects_total"]

        database = api.get("/databases/imported").json()["data"]
        assert database["status"] == "running"
        uri = database["connection"]["uri"]
        assert rows(uri, "SELECT count(*) FROM public.events") == [(LARGE_ROWS,)]
        assert rows(uri, "SELECT count(*) FROM sales.big_spenders") == [(100,)]
        assert rows(uri, "SELECT nextval('sales.invoice_numbers')") == [(1005,)]
        indexes = rows(uri, "SELECT indexname FROM pg_indexes WHERE schemaname = 'sales'")
        assert ("orders_customer",) in indexes
        with psycopg.connect(uri) as connection, pytest.raises(psycopg.errors.ForeignKeyViolation):
            connection.execute("INSERT INTO sales.orders (customer_id, total) VALUES (999, 1)")
        assert PASSWORD not in server.log_path.read_text()
        assert PASSWORD not in api.get(f"/operations/{operation['id']}").text
    finally:
        api.delete("/databases/imported")


def test_import_with_wait_schema_only_and_excluded_tables(
    api: httpx.Client, source: SourceServer
) -> None:
    body = {
        "name": "imported-schema",
        "type": "postgresql",
        "source": {
            "uri": source.uri(),
            "schema_only": True,
            "exclude_tables": ["public.audit_log"],
        },
    }
    created = api.post("/databases?wait=true", json=body)
    try:
        assert created.status_code == 201, created.text
        uri = created.json()["data"]["connection"]["uri"]
        assert rows(uri, "SELECT count(*) FROM public.events") == [(0,)]
        tables = rows(uri, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert ("events",) in tables and ("audit_log",) not in tables
        only_sales = api.post(
            "/databases",
            json={"name": "imported-sales", "type": "postgresql",
                  "source": {"uri": source.uri(), "schemas": ["sales"]}},
            headers={"Prefer": "wait=300"},
        )  # fmt: skip
        assert only_sales.status_code == 201, only_sales.text
        sales_uri = only_sales.json()["data"]["connection"]["uri"]
        assert rows(sales_uri, "SELECT count(*) FROM sales.orders") == [(1000,)]
        assert rows(sales_uri, "SELECT to_regclass('public.events')") == [(None,)]
    finally:
        api.delete("/databases/imported-schema")
        api.delete("/databases/imported-sales")


@pytest.mark.parametrize(
    ("uri_of", "expected"),
    [
        (lambda s: s.uri(password="wrong"), "refused the login"),
        (lambda s: f"postgresql://postgres:x@127.0.0.1:{free_port()}/shop", "cannot be reached"),
        (lambda s: s.uri(database="nothere"), "no such database"),
    ],
    ids=["wrong-password", "unreachable", "no-database"],
)
def test_unusable_sources_are_refused_quickly_leaving_nothing(
    api: httpx.Client, server: Server, source: SourceServer, uri_of: Any, expected: str
) -> None:
    started = time.monotonic()
    body = {"name": "not-imported", "type": "postgresql", "source": {"uri": uri_of(source)}}
    refused = api.post("/databases", json=body)
    assert time.monotonic() - started < 30
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    assert expected in refused.json()["error"]["message"]
    assert PASSWORD not in refused.text
    assert api.get("/databases/not-imported").status_code == 404
    assert server.leftover_volumes() == [] or all(
        api.get(f"/databases/{v}").status_code == 200 for v in server.leftover_volumes()
    )


def test_a_source_of_a_newer_major_version_is_refused_leaving_nothing(
    api: httpx.Client, server: Server
) -> None:
    """A real PostgreSQL 16 source for a PostgreSQL 15 database: pg_restore could not read
    its dump, so the create is refused at once, naming both versions."""
    with newer_postgres_source() as newer:
        body = {"name": "not-imported", "type": "postgresql", "source": {"uri": newer.uri()}}
        refused = api.post("/databases", json=body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    message = refused.json()["error"]["message"]
    major = newer.version.split(".")[0]
    assert major == "16"
    assert f"runs postgresql {major}, newer than this database's 15" in message, message
    assert PASSWORD not in refused.text
    assert api.get("/databases/not-imported").status_code == 404
    assert server.leftover_volumes() == []


def test_a_server_of_another_engine_or_a_bad_source_is_refused(
    api: httpx.Client, server: Server
) -> None:
    api_port = int(server.base_url.split(":")[2].split("/")[0])
    not_postgres = f"postgresql://postgres:x@127.0.0.1:{api_port}/shop"  # an HTTP server
    cases = [
        ({"uri": not_postgres}, "does not answer as PostgreSQL"),
        ({"uri": "mysql://root:x@127.0.0.1:3306/shop"}, "use postgresql:// or postgres://"),
        ({"uri": "postgresql://127.0.0.1/shop"}, "must name a user"),
        ({"uri": "postgresql://u:p@h/db", "tables": ["x; rm -rf /"]}, "names may use"),
        ({"uri": "postgresql://u:p@h/db", "password": "x"}, "Unknown source field"),
        ("postgresql://u:p@h/db", "source must be an object"),
    ]
    for source, expected in cases:
        body = {"name": "not-imported", "type": "postgresql", "source": source}
        refused = api.post("/databases", json=body)
        assert refused.status_code == 400, (source, refused.text)
        assert expected in refused.json()["error"]["message"], refused.text
    mongo = api.post(
        "/databases",
        json={"name": "not-imported", "type": "mongodb", "source": {"uri": "mongodb://h/db"}},
    )
    assert mongo.status_code == 400


@pytest.fixture(scope="module")
def maria_source(
    docker_client: docker.DockerClient,
    mariadb_image: str,  # noqa: F811 - the fixture
) -> Iterator[MariaDBSource]:
    with mariadb_source(docker_client, mariadb_image) as server:
        yield server


def test_mariadb_sources_are_probed_with_the_engines_own_client(
    api: httpx.Client, maria_source: MariaDBSource, source: SourceServer
) -> None:
    """The login is checked against a real MariaDB server before any work starts."""
    cases = [
        (maria_source.uri(password="wrong"), "refused the login"),
        (f"mariadb://app:x@127.0.0.1:{source.port}/shop", "does not answer as MariaDB"),
    ]
    for uri, expected in cases:
        body = {"name": "maria-imported", "type": "mariadb", "source": {"uri": uri}}
        refused = api.post("/databases", json=body)
        assert refused.status_code == 400, refused.text
        assert expected in refused.json()["error"]["message"], refused.text
        assert PASSWORD not in refused.text
    schemas = {"uri": maria_source.uri(), "schemas": ["shop"]}
    refused = api.post("/databases", json={"name": "m", "type": "mariadb", "source": schemas})
    assert "do not apply to mariadb" in refused.json()["error"]["message"]
    not_maria = f"postgresql://app:{PASSWORD}@127.0.0.1:{maria_source.port}/shop"
    body = {"name": "pg-from-maria", "type": "postgresql", "source": {"uri": not_maria}}
    refused = api.post("/databases", json=body)
    assert refused.status_code == 400
    assert "does not answer as PostgreSQL" in refused.json()["error"]["message"], refused.text


def test_a_mariadb_source_is_imported_with_mariadb_dump_and_masked_before_it_runs(
    api: httpx.Client, maria_source: MariaDBSource, docker_client: docker.DockerClient
) -> None:
    """mariadb-dump in the engine's image copies tables, keys and views; masking rules given
    on create are applied before the database runs, keeping the unique and foreign keys."""
    rules = [
        {"table": "customers", "column": "email", "with": "email"},
        {"table": "orders", "column": "customer_email", "with": "email"},
    ]
    body = {
        "name": "maria-imported",
        "type": "mariadb",
        "source": {"uri": maria_source.uri()},
        "masking_rules": rules,
    }
    made = api.post("/databases", json=body, headers={"Prefer": "wait=300"})
    try:
        assert made.status_code == 201, made.text
        database = made.json()["data"]
        assert database["status"] == "running" and database["masked"] is True
        assert PASSWORD not in made.text
        with connect(database["connection"]["uri"]) as connection, connection.cursor() as cursor:

            def answer(query: str) -> tuple[Any, ...]:
                cursor.execute(query)
                return tuple(cursor.fetchall())

            assert answer("SELECT n FROM customer_count") == ((2,),)
            assert answer("SELECT count(*), sum(total) FROM orders") == (
                (MARIADB_ORDERS, MARIADB_ORDERS * (MARIADB_ORDERS + 1) // 2),
            )
            emails = answer("SELECT email FROM customers ORDER BY id")
            assert len({email for (email,) in emails}) == 2
            originals = {f"a@{ORIGINAL_EMAIL_DOMAIN}", f"b@{ORIGINAL_EMAIL_DOMAIN}"}
            assert not originals & {email for (email,) in emails}
            joined = "SELECT count(*) FROM orders JOIN customers ON email = customer_email"
            assert answer(joined) == ((MARIADB_ORDERS,),)
            keys = {row[2] for row in answer("SHOW INDEX FROM orders")}
            assert {"PRIMARY", "by_total", "customer_email"} <= keys
            with pytest.raises(pymysql.err.IntegrityError):
                cursor.execute("INSERT INTO orders (customer_email, total) VALUES ('x@y.z', 1)")
        # A clean stop writes every page InnoDB holds in memory out to the table files.
        assert api.post("/databases/maria-imported/stop").status_code == 200
        assert api.post("/databases/maria-imported/start").status_code == 200
        (container,) = docker_client.containers.list(
            filters={"label": f"{DATABASE_LABEL}={database['id']}"}
        )
        data_dir = f"/var/lib/mysql/{database['connection']['database']}"
        for table in ("customers", "orders"):
            raw = container.exec_run(["cat", f"{data_dir}/{table}.ibd"])
            assert raw.exit_code == 0, raw.output[-300:]
            assert ORIGINAL_EMAIL_DOMAIN.encode() not in raw.output, (
                f"an original value is left in {table}"
            )
    finally:
        api.delete("/databases/maria-imported")


def test_refresh_swaps_in_fresh_data_keeping_the_uri_and_the_old_data(
    api: httpx.Client, server: Server, source: SourceServer
) -> None:
    body = {
        "name": "refreshing",
        "type": "postgresql",
        "source": {"uri": source.uri(), "exclude_tables": ["public.events"]},
        "refresh_schedule": {"every": "1h"},
    }
    created = api.post("/databases?wait=true", json=body)
    try:
        assert created.status_code == 201, created.text
        before = created.json()["data"]
        assert before["source"] == f"postgresql://postgres@127.0.0.1:{source.port}/shop"
        assert before["refresh_schedule"] == {"every": "1h"}
        metadata = server.data_dir / "stagdb.sqlite3"
        if metadata.exists():  # the kept URI is sealed at rest
            assert PASSWORD.encode() not in metadata.read_bytes()
        uri = before["connection"]["uri"]
        with psycopg.connect(uri, autocommit=True) as connection:
            connection.execute("CREATE TABLE local_marker (note text)")
            connection.execute("INSERT INTO local_marker VALUES ('written on staging')")
        branch = api.post("/databases/refreshing/branches", json={"name": "refreshing-b"})
        assert branch.status_code == 201, branch.text
        with psycopg.connect(source.uri(), autocommit=True) as connection:
            connection.execute("INSERT INTO sales.customers (email) VALUES ('new@example.com')")

        refreshed = api.post("/databases/refreshing/refresh", headers={"Prefer": "wait=300"})
        assert refreshed.status_code == 200, refreshed.text
        after = refreshed.json()["data"]
        assert after["connection"] == before["connection"] and after["status"] == "running"
        assert rows(uri, "SELECT count(*) FROM sales.customers") == [(101,)]
        assert rows(uri, "SELECT to_regclass('public.local_marker')") == [(None,)]
        branch_uri = branch.json()["data"]["connection"]["uri"]
        assert rows(branch_uri, "SELECT note FROM local_marker") == [("written on staging",)]
        snapshots = api.get("/databases/refreshing/snapshots").json()["data"]
        kept = [s for s in snapshots if s["name"].startswith("pre-refresh-")]
        assert len(kept) == 1
        from_kept = api.post(f"/snapshots/{kept[0]['id']}/branches", json={"name": "pre-refresh"})
        assert from_kept.status_code == 201, from_kept.text
        old_uri = from_kept.json()["data"]["connection"]["uri"]
        assert rows(old_uri, "SELECT count(*) FROM local_marker") == [(1,)]
        operations = api.get("/operations", params={"database_id": "refreshing"}).json()["data"]
        assert operations[0]["kind"] == "database.refresh"
        assert operations[0]["status"] == "succeeded"
    finally:
        with psycopg.connect(source.uri(), autocommit=True) as connection:
            connection.execute("DELETE FROM sales.customers WHERE email = 'new@example.com'")
        api.delete("/databases/refreshing?cascade=true")


def test_refresh_needs_a_source(api: httpx.Client, source: SourceServer) -> None:
    plain = api.post("/databases", json={"name": "not-imported-r", "type": "postgresql"})
    try:
        refused = api.post("/databases/not-imported-r/refresh")
        assert refused.status_code == 400
        assert "was not imported" in refused.json()["error"]["message"]
        no_schedule = api.post(
            "/databases?wait=true",
            json={"name": "imported-once", "type": "postgresql",
                  "source": {"uri": source.uri(), "schema_only": True}},
        )  # fmt: skip
        assert no_schedule.status_code == 201, no_schedule.text
        refused = api.post("/databases/imported-once/refresh")
        assert "keeps no source credentials" in refused.json()["error"]["message"]
        given = api.post(
            "/databases/imported-once/refresh",
            json={"source": {"uri": source.uri(), "schema_only": True}},
        )
        assert given.status_code == 202, given.text
        bad_schedule = api.post(
            "/databases",
            json={"name": "x-sched", "type": "postgresql", "refresh_schedule": {"every": "1h"}},
        )
        assert "needs a source" in bad_schedule.json()["error"]["message"]
    finally:
        assert plain.status_code == 201
        api.delete("/databases/not-imported-r")
        deadline = time.monotonic() + 120
        while api.delete("/databases/imported-once").status_code == 409:
            assert time.monotonic() < deadline
            time.sleep(0.5)


def test_a_refresh_schedule_is_set_changed_and_cleared_by_update(
    api: httpx.Client, server: Server, source: SourceServer
) -> None:
    """PUT sets a schedule (with the source when no credentials are kept: probed first),
    changes its rhythm, and null clears it and forgets the credentials; GraphQL alike."""
    made = api.post(
        "/databases?wait=true",
        json={"name": "sched-later", "type": "postgresql",
              "source": {"uri": source.uri(), "schema_only": True}},
    )  # fmt: skip
    try:
        assert made.status_code == 201, made.text
        assert made.json()["data"]["refresh_schedule"] is None
        every_hour = {"refresh_schedule": {"every": "1h"}}
        refused = api.put("/databases/sched-later", json=every_hour)
        assert refused.status_code == 400
        assert "keeps no source credentials" in refused.json()["error"]["message"]
        wrong = {**every_hour, "source": {"uri": source.uri().replace(PASSWORD, "wrong")}}
        refused = api.put("/databases/sched-later", json=wrong)
        assert refused.status_code == 400
        assert "refused the login" in refused.json()["error"]["message"]
        lonely = api.put("/databases/sched-later", json={"source": {"uri": source.uri()}})
        assert lonely.status_code == 400
        assert "goes with a refresh_schedule" in lonely.json()["error"]["message"]
        assert api.get("/databases/sched-later").json()["data"]["refresh_schedule"] is None

        given = {**every_hour, "source": {"uri": source.uri(), "schema_only": True}}
        scheduled = api.put("/databases/sched-later", json=given)
        assert scheduled.status_code == 200, scheduled.text
        assert scheduled.json()["data"]["refresh_schedule"] == {"every": "1h"}
        assert PASSWORD not in scheduled.text
        query = (
            "mutation($id: ID!, $input: UpdateDatabaseInput!) "
            "{ updateDatabase(id: $id, input: $input) { refreshSchedule { every } } }"
        )
        changed = api.post(
            server.base_url.removesuffix("/v1") + "/graphql",
            json={"query": query, "variables": {
                "id": "sched-later", "input": {"refreshSchedule": {"every": "2h"}}}},
        )  # fmt: skip
        assert changed.json() == {
            "data": {"updateDatabase": {"refreshSchedule": {"every": "2h"}}}
        }, changed.text
        cleared = api.put("/databases/sched-later", json={"refresh_schedule": None})
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["data"]["refresh_schedule"] is None
        again = api.put("/databases/sched-later", json=every_hour)
        assert "keeps no source credentials" in again.json()["error"]["message"]
    finally:
        api.delete("/databases/sched-later")
