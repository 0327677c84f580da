"""The Tortoise configuration `aerich` reads (`[tool.aerich]` in pyproject.toml), for the
metadata database the environment names, as the server would use it."""

from __future__ import annotations

from app.config import Settings
from app.models import tortoise_config

TORTOISE_ORM = tortoise_config(Settings.from_env().database_url)
