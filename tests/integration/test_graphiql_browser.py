"""GraphiQL in a real headless Chromium: offline assets, header entry, a query and its result."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from tests.conftest import ARTIFACTS, Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    """Debian's Chromium, headless, with an empty profile and no background traffic."""
    profile = tempfile.mkdtemp(prefix="stagdb-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=profile,
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync",
            ],
        )  # fmt: skip
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_graphiql_runs_a_query_with_the_api_key(
    browser: BrowserContext, server: Server, api: httpx.Client
) -> None:
    assert (
        api.post("/databases", json={"name": "seen-in-graphiql", "type": "postgresql"}).status_code
        == 201
    )
    origin = server.base_url.removesuffix("/v1")
    outside_requests: list[str] = []
    page = browser.new_page()
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(origin) else outside_requests.append(request.url)
        ),
    )
    try:
        page.goto(f"{origin}/graphql")
        page.wait_for_selector(".graphiql-execute-button", timeout=30_000)

        headers_editor = page.locator(".graphiql-editor-tool .graphiql-editor").last
        headers_editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(f'{{"Authorization": "Bearer {server.key}"}}')

        page.locator(".graphiql-execute-button").click()
        result = page.locator(".result-window")
        result.get_by_text("seen-in-graphiql").wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"graphiql-{server.host_name}.png"), full_page=True)
        assert "UNAUTHORIZED" not in result.inner_text()
        assert outside_requests == [], "GraphiQL must load nothing from outside the server"
    finally:
        page.close()
        api.delete("/databases/seen-in-graphiql")


def test_graphiql_page_is_public_but_queries_are_not(server: Server) -> None:
    origin = server.base_url.removesuffix("/v1")
    page = httpx.get(f"{origin}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql.min.js" in page.text
    asset = httpx.get(f"{origin}/graphql/static/vendor/graphiql.min.js")
    assert asset.status_code == 200 and len(asset.content) > 1_000_000
    query = httpx.get(f"{origin}/graphql", params={"query": "{ health { status } }"})
    assert query.status_code == 401
