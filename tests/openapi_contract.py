"""Checks HTTP exchanges against the repository's openapi.yaml (loaded once, at import).

`assert_response_matches` finds the documented operation and the response object for the
status code, then validates the JSON body with the OpenAPI 3.1 schema dialect; `#/components/...`
references are resolved through a `referencing` registry holding the whole document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import yaml
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
SPEC_URI = "urn:stagdb:openapi"  # the registry's name for the whole document
JSON = "application/json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

with SPEC_PATH.open(encoding="utf-8") as spec_file:
    SPEC: dict[str, Any] = yaml.safe_load(spec_file)

REGISTRY: Registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))
# The path the `servers` URL puts in front of every documented path, e.g. "/v1".
BASE_PATH = urlsplit(SPEC["servers"][0]["url"]).path.rstrip("/")


def pointer(*segments: str) -> str:
    """A JSON pointer to `segments` in the spec (each segment escaped per RFC 6901)."""
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segments)


def resolve(node_pointer: str) -> tuple[str, Any]:
    """The object at `node_pointer`, following local `$ref`s; returns (final pointer, object)."""
    seen: set[str] = set()
    while True:
        node: Any = SPEC
        for raw in node_pointer.lstrip("/").split("/") if node_pointer else []:
            key = raw.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(key)] if isinstance(node, list) else node[key]
            except (KeyError, IndexError, ValueError):
                raise AssertionError(f"openapi.yaml has nothing at #{node_pointer}") from None
        if not (isinstance(node, Mapping) and "$ref" in node):
            return node_pointer, node
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise AssertionError(f"unsupported or circular $ref {ref!r} at #{node_pointer}")
        seen.add(ref)
        node_pointer = ref[1:]


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every documented (path template, METHOD, operation object)."""
    for path, item in SPEC["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method.upper(), item[method]


def operation(method: str, path_template: str) -> dict[str, Any]:
    item = SPEC["paths"].get(path_template)
    if item is None:
        raise AssertionError(
            f"{path_template!r} is not a path in openapi.yaml; documented: {sorted(SPEC['paths'])}"
        )
    found = item.get(method.lower())
    if found is None:
        documented = sorted(m.upper() for m in HTTP_METHODS if m in item)
        raise AssertionError(
            f"{method.upper()} {path_template} is not documented (only {documented})"
        )
    return found


def documented_statuses(method: str, path_template: str) -> set[str]:
    return set(operation(method, path_template)["responses"])


def response_pointer(method: str, path_template: str, status_code: int) -> str:
    """Where the response object for `status_code` lives (after following `$ref`s)."""
    responses = operation(method, path_template)["responses"]
    for key in (str(status_code), f"{str(status_code)[0]}XX", "default"):
        if key in responses:
            here = pointer("paths", path_template, method.lower(), "responses", key)
            return resolve(here)[0]
    raise AssertionError(
        f"{method.upper()} {path_template} answered {status_code}, which openapi.yaml does not "
        f"document for it (documented: {', '.join(sorted(responses))})"
    )


@cache
def validator_at(schema_pointer: str) -> Validator:
    """An OAS 3.1 validator for the schema at `schema_pointer` in the spec."""
    resolve(schema_pointer)  # fail clearly on a pointer to nowhere
    ref = f"{SPEC_URI}#{quote(schema_pointer, safe='/~')}"
    return OAS31Validator({"$ref": ref}, registry=REGISTRY, format_checker=oas31_format_checker)


def assert_valid(instance: object, schema_pointer: str, what: str) -> None:
    error = best_match(validator_at(schema_pointer).iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise AssertionError(
            f"{what} does not match #{schema_pointer}: at {where}: {error.message}\n"
            f"schema path: {'/'.join(str(p) for p in error.absolute_schema_path)}\n"
            f"instance: {instance!r}"
        )


def assert_response_matches(method: str, path_template: str, response: httpx.Response) -> None:
    """Fail unless `response` is a documented answer of the operation and matches its schema.

    `path_template` is relative to the server URL, e.g. "/databases/{id}".
    """
    what = f"{method.upper()} {path_template} -> {response.status_code}"
    at = response_pointer(method, path_template, response.status_code)
    documented = resolve(at)[1]

    for name, header in documented.get("headers", {}).items():
        header_pointer, header = resolve(f"{at}{pointer('headers', name)}")
        if name.lower() == "content-type":
            continue  # described by `content`, ignored here per the OpenAPI spec
        value = response.headers.get(name)
        if value is None:
            assert not header.get("required"), f"{what}: required header {name} is missing"
            continue
        if "schema" in header:
            assert_valid(value, f"{header_pointer}/schema", f"{what}: header {name}")

    content = documented.get("content")
    assert content, f"{what}: openapi.yaml documents no body, but the test expects JSON"
    assert JSON in content, f"{what}: openapi.yaml documents {sorted(content)}, not {JSON}"
    content_type = response.headers.get("content-type", "")
    assert content_type.split(";")[0].strip().lower() == JSON, (
        f"{what}: Content-Type is {content_type!r}, expected {JSON}"
    )
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{what}: body is not JSON: {response.text[:500]!r}") from None
    assert_valid(body, f"{at}{pointer('content', JSON, 'schema')}", what)


def assert_request_body_matches(method: str, path_template: str, body: object) -> None:
    """Fail unless `body` is a valid JSON request body for the operation."""
    here = pointer("paths", path_template, method.lower(), "requestBody")
    operation(method, path_template)  # clear failure for an undocumented operation
    at, request_body = resolve(here)
    assert JSON in request_body.get("content", {}), f"{method} {path_template}: no JSON body"
    assert_valid(body, f"{at}{pointer('content', JSON, 'schema')}", f"{method} {path_template}")
