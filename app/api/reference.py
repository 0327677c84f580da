"""The API's own description, served without a key: openapi.yaml as written, the same as
JSON, and a reference page at /docs rendered from it by the vendored Swagger UI."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

HERE = Path(__file__).resolve().parent
SPEC_PATH = HERE / "openapi.yaml"  # a link to the repository's openapi.yaml; a copy in a wheel
STATIC_DIR = HERE / "static"
SPEC_YAML = SPEC_PATH.read_bytes()
SPEC_JSON = json.dumps(yaml.safe_load(SPEC_YAML), separators=(",", ":"), default=str).encode()
DOCS_PAGE = (STATIC_DIR / "docs.html").read_text()


async def openapi_yaml(request: Request) -> Response:
    return Response(SPEC_YAML, media_type="application/yaml")


async def openapi_json(request: Request) -> Response:
    return Response(SPEC_JSON, media_type="application/json")


async def docs(request: Request) -> Response:
    return HTMLResponse(DOCS_PAGE)
