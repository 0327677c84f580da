"""The API reference at /docs in a real headless Chromium: Swagger UI from the server's own
files renders every operation of openapi.yaml, and nothing is loaded from anywhere else."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import BrowserContext

from tests.conftest import ARTIFACTS, Server
from tests.integration.test_graphiql_browser import browser  # noqa: F401 - the shared fixture
from tests.openapi_contract import SPEC, operations

pytestmark = pytest.mark.docker


def test_docs_page_renders_every_operation_offline(
    browser: BrowserContext,  # noqa: F811 - the fixture imported above
    server: Server,
) -> None:
    origin = server.base_url.removesuffix("/v1")
    outside: list[str] = []
    failed: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: None if r.url.startswith(origin) else outside.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(f"{origin}/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        documented = list(operations())
        callbacks = [name for name, item in SPEC.get("webhooks", {}).items() for _ in item]
        blocks = page.locator(".opblock")
        assert blocks.count() == len(documented) + len(callbacks)  # webhooks render too
        paths = {
            p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()
        }
        assert paths == {p for p, _, _ in documented} | set(callbacks)
        summaries = set(page.locator(".opblock-summary-description").all_inner_texts())
        assert {"Create a database", "List databases", "Create a webhook"} <= summaries
        assert page.get_by_text("Idempotency keys").count() >= 1

        page.locator(".opblock-summary", has_text="Create a database").first.click()
        page.get_by_text("Idempotency-Key").first.wait_for(timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"docs-{server.host_name}.png"), full_page=False)
        assert outside == [], "the reference must load nothing from outside the server"
        assert failed == []
    finally:
        page.close()


def test_docs_and_its_assets_need_no_key(server: Server) -> None:
    origin = server.base_url.removesuffix("/v1")
    assert httpx.get(f"{origin}/docs").status_code == 200
    bundle = httpx.get(f"{origin}/docs/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 1_000_000
    assert httpx.get(f"{origin}/docs/static/vendor/swagger-ui/LICENSE").status_code == 200
