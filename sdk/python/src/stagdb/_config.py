"""Where the API is and which key to use: from arguments, else STAGDB_URL / STAGDB_API_KEY."""

from __future__ import annotations

import os

DEFAULT_URL = "http://127.0.0.1:8080"
API_PREFIX = "/v1"
URL_ENV = "STAGDB_URL"
KEY_ENV = "STAGDB_API_KEY"


def api_base_url(base_url: str | None) -> str:
    """The server's address, given with or without the documented `/v1`, as the API's base."""
    url = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).strip().rstrip("/")
    if "://" not in url:
        raise ValueError(f"base_url must be an http:// or https:// URL, got {url!r}")
    return url if url.endswith(API_PREFIX) else url + API_PREFIX


def api_key(key: str | None) -> str | None:
    return key or os.environ.get(KEY_ENV) or None
