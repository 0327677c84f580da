"""Schema diff and promote through HTTP and GraphQL, with real PostgreSQL and MariaDB, on
every storage backend: a migration tried on a branch, compared, then made real."""

from __future__ import annotations

from collections.abc import Iterator

import docker
import httpx
import pytest

from tests.conftest import Server
from tests.integration import test_mariadb as mariadb
from tests.integration.test_branching import count, create, uri_of
from tests.integration.test_databases import query
from tests.openapi_contract import assert_response_matches

pytestmark = pytest.mark.docker

MIGRATION = (
    "ALTER TABLE users ADD COLUMN age integer",
    "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'pro'",
    "CREATE INDEX users_email ON users (email)",
    "CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18",
    "DROP TABLE old_log",
)


@pytest.fixture
def branching_api(branching_server: Server) -> Iterator[httpx.Client]:
    with branching_server.client as client:
        yield client


@pytest.fixture
def mariadb_api(mariadb_image: str, branching_server: Server) -> Iterator[httpx.Client]:
    with branching_server.client as client:
        yield client


mariadb_image = mariadb.mariadb_image


def names(group: list[dict]) -> list[str]:
    return [item["name"] for item in group]


def diff(api: httpx.Client, ref: str, against: str | None = None) -> dict:
    params = {} if against is None else {"against": against}
    response = api.get(f"/databases/{ref}/schema-diff", params=params)
    assert response.status_code == 200, response.text
    assert_response_matches("GET", "/databases/{id}/schema-diff", response)
    return response.json()["data"]


def promote(api: httpx.Client, ref: str, **body: object) -> httpx.Response:
    response = api.post(f"/databases/{ref}/promote", json=body)
    assert_response_matches("POST", "/databases/{id}/promote", response)
    return response


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["success"] is False, body
    return response.status_code, body["error"]["code"]


def no_scratch_left(server: Server, client: docker.DockerClient) -> None:
    containers = client.containers.list(
        all=True, filters={"label": f"io.stagdb.install={server.install_id}"}
    )
    assert not [c.name for c in containers if "scratch" in c.name]
    assert not [v for v in server.leftover_volumes() if "scratch" in v]


def make_app_schema(uri: str) -> None:
    query(
        uri,
        "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, plan text "
        "DEFAULT 'free'); CREATE TABLE old_log (line text); "
        "INSERT INTO users (email) SELECT 'u' || n || '@example.com' "
        "FROM generate_series(1, 100) AS n",
    )


def test_schema_diff_shows_a_migration_tried_on_a_branch(
    branching_api: httpx.Client, branching_server: Server, docker_client: docker.DockerClient
) -> None:
    api = branching_api
    main = create(api, "/databases", {"name": "diff-main", "type": "postgresql"})
    try:
        make_app_schema(main["connection"]["uri"])
        before = create(api, "/databases/diff-main/snapshots", {"name": "before"})
        branch = create(api, "/databases/diff-main/branches", {"name": "diff-mig"})
        for statement in MIGRATION:
            query(branch["connection"]["uri"], statement)

        found = diff(api, "diff-mig", "parent")
        assert found["database"] == {"type": "database", "id": branch["id"], "name": "diff-mig"}
        assert found["against"] == {"type": "database", "id": main["id"], "name": "diff-main"}
        assert found["identical"] is False
        assert names(found["tables"]["removed"]) == ["public.old_log"]
        assert found["tables"]["added"] == []
        [users] = found["tables"]["changed"]
        assert users["name"] == "public.users"
        assert users["columns"]["added"] == [
            {"name": "age", "type": "integer", "nullable": True, "default": None}
        ]
        [plan] = users["columns"]["changed"]
        assert plan["name"] == "plan"
        assert (plan["before"]["default"], plan["after"]["default"]) == (
            "'free'::text",
            "'pro'::text",
        )
        assert [(i["name"], i["table"]) for i in found["indexes"]["added"]] == [
            ("public.users_email", "public.users")
        ]
        assert names(found["views"]["added"]) == ["public.adults"]
        assert found["functions"] == {"added": [], "removed": [], "changed": []}
        text = found["unified_diff"]
        assert text.startswith("--- database diff-main\n+++ database diff-mig\n")
        assert "-CREATE TABLE public.old_log (" in text
        assert "+CREATE VIEW public.adults AS" in text
        assert "+CREATE INDEX users_email ON public.users USING btree (email);" in text
        assert diff(api, "diff-mig") == found, "against defaults to the parent"

        # The parent against the branch, by name: the same changes the other way round.
        reverse = diff(api, "diff-main", "diff-mig")
        assert names(reverse["tables"]["added"]) == ["public.old_log"]
        assert names(reverse["views"]["removed"]) == ["public.adults"]

        # A snapshot is read by a scratch server, which goes when the read is done.
        query(main["connection"]["uri"], "CREATE TABLE audit (at timestamptz DEFAULT now())")
        since = diff(api, "diff-main", before["id"])
        assert since["against"] == {"type": "snapshot", "id": before["id"], "name": "before"}
        assert names(since["tables"]["added"]) == ["public.audit"]
        assert since["tables"]["removed"] == since["tables"]["changed"] == []
        no_scratch_left(branching_server, docker_client)

        # A stopped database is read the same way, and stays stopped.
        assert api.post("/databases/diff-mig/stop").status_code == 200
        stopped = diff(api, "diff-mig", "parent")
        assert names(stopped["tables"]["removed"]) == ["public.audit", "public.old_log"]
        assert stopped["tables"]["changed"] == found["tables"]["changed"]
        assert api.get("/databases/diff-mig").json()["data"]["status"] == "stopped"
        no_scratch_left(branching_server, docker_client)
        same = diff(api, "diff-main", "diff-main")
        assert same["identical"] is True and same["unified_diff"] == ""

        assert error_of(api.get("/databases/diff-main/schema-diff")) == (400, "VALIDATION_ERROR")
        assert error_of(
            api.get("/databases/diff-main/schema-diff", params={"against": "snap-000000000000"})
        ) == (404, "NOT_FOUND")
        assert error_of(
            api.get("/databases/diff-main/schema-diff", params={"against": "nope"})
        ) == (404, "NOT_FOUND")
    finally:
        api.delete("/databases/diff-main", params={"cascade": "true"})


def test_promote_makes_the_branch_data_the_parents(branching_api: httpx.Client) -> None:
    api = branching_api
    main = create(api, "/databases", {"name": "pro-main", "type": "postgresql"})
    try:
        uri = main["connection"]["uri"]
        make_app_schema(uri)
        branch = create(api, "/databases/pro-main/branches", {"name": "pro-mig"})
        for statement in MIGRATION:
            query(branch["connection"]["uri"], statement)
        query(branch["connection"]["uri"], "INSERT INTO users (email, age) VALUES ('new', 30)")

        response = promote(api, "pro-mig")
        assert response.status_code == 200, response.text
        promoted = response.json()["data"]
        assert (promoted["id"], promoted["name"], promoted["status"]) == (
            main["id"],
            "pro-main",
            "running",
        )
        assert promoted["connection"] == main["connection"], "same URI, password and port"
        assert count(uri, "users") == 101
        assert query(uri, "SELECT count(*) FROM adults")[0][0] == 1
        assert api.get("/databases/pro-mig").status_code == 404, "the branch is removed"
        assert diff(api, "pro-main", "pro-main")["identical"] is True

        snapshots = api.get("/databases/pro-main/snapshots").json()["data"]
        [pre] = [s for s in snapshots if s["name"].startswith("pre-promote-")]
        old = create(api, f"/snapshots/{pre['id']}/branches", {"name": "pro-old"})
        assert count(old["connection"]["uri"], "users") == 100
        assert count(old["connection"]["uri"], "old_log") == 0, "the old schema is kept"
        assert diff(api, "pro-main", pre["id"])["tables"]["removed"][0]["name"] == (
            "public.old_log"
        )

        # keep_branch: the branch stays, with its own copy of what it gave its parent.
        keeper = create(api, "/databases/pro-main/branches", {"name": "pro-keep"})
        query(keeper["connection"]["uri"], "INSERT INTO users (email) VALUES ('kept')")
        response = promote(api, "pro-keep", keep_branch=True)
        assert response.status_code == 200, response.text
        assert count(uri, "users") == 102
        kept = api.get("/databases/pro-keep").json()["data"]
        assert kept["status"] == "running" and kept["connection"] == keeper["connection"]
        query(keeper["connection"]["uri"], "DELETE FROM users")
        assert (count(uri, "users"), count(keeper["connection"]["uri"], "users")) == (102, 0)

        # Refusals, each in the envelope and with nothing changed.
        assert error_of(promote(api, "pro-main")) == (400, "VALIDATION_ERROR")
        assert error_of(promote(api, "pro-keep", keep_branch="yes")) == (400, "VALIDATION_ERROR")
        api.put("/databases/pro-main", json={"protected": True})
        assert error_of(promote(api, "pro-keep")) == (409, "RESOURCE_BUSY")
        api.put("/databases/pro-main", json={"protected": False})
        create(api, "/databases/pro-keep/snapshots", {"name": "mine"})
        assert error_of(promote(api, "pro-keep")) == (409, "RESOURCE_BUSY")
        assert count(uri, "users") == 102 and count(keeper["connection"]["uri"], "users") == 0
        assert uri_of(api, "pro-main") == uri
    finally:
        api.delete("/databases/pro-main", params={"cascade": "true"})


def test_promote_and_diff_through_graphql(
    branching_api: httpx.Client, branching_server: Server
) -> None:
    api = branching_api
    graphql = branching_server.base_url.replace("/v1", "/graphql")
    main = create(api, "/databases", {"name": "gql-pro", "type": "postgresql"})
    try:
        make_app_schema(main["connection"]["uri"])
        branch = create(api, "/databases/gql-pro/branches", {"name": "gql-pro-b"})
        query(branch["connection"]["uri"], "ALTER TABLE users ADD COLUMN age integer")
        answer = api.post(
            graphql,
            json={
                "query": '{ schemaDiff(databaseId: "gql-pro-b", against: "parent") { identical '
                "tables { changed { name columns { added { name type nullable default } } } } "
                "unifiedDiff } }"
            },
        ).json()
        assert "errors" not in answer, answer
        found = answer["data"]["schemaDiff"]
        assert found["identical"] is False
        assert found["tables"]["changed"] == [
            {
                "name": "public.users",
                "columns": {
                    "added": [{"name": "age", "type": "integer", "nullable": True, "default": None}]
                },
            }
        ]
        answer = api.post(
            graphql,
            json={
                "query": 'mutation { promoteBranch(id: "gql-pro-b", keepBranch: true) '
                "{ id name connection { uri } } }"
            },
        ).json()
        assert "errors" not in answer, answer
        assert answer["data"]["promoteBranch"]["id"] == main["id"]
        assert query(main["connection"]["uri"], "SELECT count(age) FROM users") == [(0,)]
        refused = api.post(
            graphql, json={"query": 'mutation { promoteBranch(id: "gql-pro") { id } }'}
        ).json()
        assert refused["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    finally:
        api.delete("/databases/gql-pro", params={"cascade": "true"})


def test_mariadb_schema_diff_and_promote(
    mariadb_api: httpx.Client, branching_server: Server, docker_client: docker.DockerClient
) -> None:
    api = mariadb_api
    main = mariadb.new_database(api, "maria-main")
    try:
        uri = main["connection"]["uri"]
        mariadb.query(
            uri,
            "CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, email varchar(200) NOT NULL,"
            " plan varchar(20) DEFAULT 'free')",
            "CREATE TABLE old_log (line text)",
            "INSERT INTO users (email) VALUES ('a'), ('b'), ('c')",
        )
        before = create(api, "/databases/maria-main/snapshots", {"name": "before"})
        branch = create(api, "/databases/maria-main/branches", {"name": "maria-mig"})
        mariadb.query(
            branch["connection"]["uri"],
            "ALTER TABLE users ADD COLUMN age int",
            "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'pro'",
            "CREATE INDEX users_email ON users (email)",
            "CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18",
            "DROP TABLE old_log",
            "INSERT INTO users (email, age) VALUES ('d', 40)",
        )
        found = diff(api, "maria-mig")
        assert names(found["tables"]["removed"]) == ["old_log"]
        [users] = found["tables"]["changed"]
        assert names(users["columns"]["added"]) == ["age"]
        [plan] = users["columns"]["changed"]
        assert (plan["before"]["default"], plan["after"]["default"]) == ("'free'", "'pro'")
        assert [(i["name"], i["table"]) for i in found["indexes"]["added"]] == [
            ("users_email", "users")
        ]
        assert names(found["views"]["added"]) == ["adults"]
        assert "-CREATE TABLE `old_log` (" in found["unified_diff"]
        assert "AUTO_INCREMENT=" not in found["unified_diff"]

        since = diff(api, "maria-main", before["id"])
        assert since["identical"] is True, since["unified_diff"]
        no_scratch_left(branching_server, docker_client)

        response = promote(api, "maria-mig")
        assert response.status_code == 200, response.text
        assert response.json()["data"]["connection"] == main["connection"]
        assert mariadb.count(uri, "users") == 4
        assert mariadb.count(uri, "adults") == 1
        [pre] = [
            s
            for s in api.get("/databases/maria-main/snapshots").json()["data"]
            if s["name"].startswith("pre-promote-")
        ]
        old = create(api, f"/snapshots/{pre['id']}/branches", {"name": "maria-old"})
        assert mariadb.count(old["connection"]["uri"], "users") == 3
        assert mariadb.count(old["connection"]["uri"], "old_log") == 0
    finally:
        api.delete("/databases/maria-main", params={"cascade": "true"})
