"""What `stagdb serve` does before serving, so that after a reboot the server alone brings
the host back: the Docker engine started if it is not running, and a pool that setup made on
an image file mounted (or its zpool imported) again. Nothing is created or formatted here."""

from __future__ import annotations

import logging

from app.config import Settings
from app.setup.host import SetupError, ensure_docker_engine
from app.setup.pool import IMAGE_NAMES, prepare_pool

log = logging.getLogger(__name__)


def bring_host_back(settings: Settings) -> None:
    """Best effort: a failure is logged and the server starts anyway (health says what is
    down, and the controller keeps retrying)."""
    if settings.docker_host is None:  # a remote or custom engine is not ours to start
        try:
            ensure_docker_engine(settings.data_dir, report=log.warning)
        except SetupError as exc:
            log.error("the Docker engine is not running and could not be started: %s", exc)
    made_by_setup = [
        kind for kind, image in IMAGE_NAMES.items() if (settings.data_dir / image).exists()
    ]
    if not made_by_setup:
        return
    try:
        prepare_pool(
            made_by_setup[0], settings.pool_path, settings.data_dir, settings.pool_size_gib,
            log.warning,
        )  # fmt: skip
    except SetupError as exc:
        log.error("the storage pool could not be mounted again: %s", exc)
