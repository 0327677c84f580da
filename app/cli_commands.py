"""The server's commands (serve, setup, doctor, keys) for the one `stagdb` command line.

The SDK (`stagdb-python`) owns the user command line and loads these through the
`stagdb.server_commands` entry-point group; each passes its arguments, untouched, to the
server's own argparse command line in app.cli. The `stagdb` script this package installs runs
the SDK's command line when the SDK is installed, and app.cli by itself when it is not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerCommand:
    name: str
    help: str

    def __call__(self, argv: Sequence[str]) -> int:
        from app.cli import main as server_main  # imported on use: it loads the ORM

        return server_main([self.name, *argv])


serve = ServerCommand("serve", "Apply pending migrations, reconcile and serve the API.")
setup = ServerCommand("setup", "Prepare this host: Docker engine, storage pool, images.")
doctor = ServerCommand("doctor", "Check engine, images, pool and metadata; say how to fix.")
keys = ServerCommand("keys", "Manage API keys (keys list|create|revoke).")


def main() -> int:
    try:
        from stagdb.cli import main as sdk_main
    except ImportError:
        from app.cli import main as server_main

        return server_main()
    return sdk_main()
