"""The `stagdb` command line (click + rich) on top of the SDK."""

from __future__ import annotations


def main() -> int:
    from stagdb.cli.app import main as run

    return run()
