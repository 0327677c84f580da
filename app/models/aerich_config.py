"""The Tortoise configuration `aerich` reads (`[tool.aerich]` in pyproject.toml), for the
metadata database the environment names, as the server would use it."""

from __future__ import annotations

import os

from app.config import metadata_url
from app.models import tortoise_config

TORTOISE_ORM = tortoise_config(metadata_url(os.environ))
