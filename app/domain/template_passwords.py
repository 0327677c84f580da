"""The password a template's admin account holds, for engines whose admin can log in over
the network (`Engine.admin_logs_in_over_network`).

A database's first start logs in with it and, in the same query that sets the database's own
password, takes it away: from then on it opens nothing. It spares that start a `docker exec`
(a tenth of a second on a host with hundreds of containers). Each is random, kept by this
install in its data dir (mode 0600, like the secret key), and only its SCRAM verifier enters
the template. A template whose password is unknown (made before, or the file lost) is started
the `docker exec` way, which takes the admin's password away just the same.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from app.models.sealed import write_private


class TemplatePasswords:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory  # None: templates are made without one

    def new(self, template: str) -> str | None:
        if self.directory is None:
            return None
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        write_private(self._file(template), password)
        return password

    def of(self, template: str) -> str | None:
        if self.directory is None:
            return None
        try:
            return self._file(template).read_text().strip() or None
        except FileNotFoundError:
            return None

    def forget(self, template: str) -> None:
        if self.directory is not None:
            self._file(template).unlink(missing_ok=True)

    def _file(self, template: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{template}.password"
