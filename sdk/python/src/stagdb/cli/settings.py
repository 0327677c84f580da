"""The command line's saved login: ~/.config/stagdb/config.toml (mode 0600), written by
`stagdb login`; STAGDB_URL and STAGDB_API_KEY override what it holds."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from stagdb._config import KEY_ENV, URL_ENV


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "stagdb" / "config.toml"


@dataclass(frozen=True)
class Login:
    url: str | None
    api_key: str | None


def saved_login(path: Path | None = None) -> Login:
    path = path or config_path()
    try:
        saved = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return Login(None, None)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    url, key = saved.get("url"), saved.get("api_key")
    return Login(url if isinstance(url, str) else None, key if isinstance(key, str) else None)


def effective_login(url: str | None = None, api_key: str | None = None) -> Login:
    """Options first, then the environment, then the saved login."""
    saved = saved_login()
    return Login(
        url or os.environ.get(URL_ENV) or saved.url,
        api_key or os.environ.get(KEY_ENV) or saved.api_key,
    )


def save_login(login: Login, path: Path | None = None) -> Path:
    """Write the login readable by its owner only (the file holds an API key)."""
    path = path or config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # TOML basic strings take JSON's escapes for every character an URL or a key can hold.
    text = f"url = {json.dumps(login.url)}\napi_key = {json.dumps(login.api_key)}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(path, 0o600)  # an older file may have had wider rights
    return path
