"""A file Docker cannot delete, to make a container's removal fail for real."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

from docker.models.containers import Container


@contextlib.contextmanager
def unremovable_file_in(container: Container) -> Iterator[Path]:
    """An immutable file in the container's writable layer: until its flag is cleared (by
    `removable`, or on leaving), Docker answers every removal of the container with its own
    failure (500, "operation not permitted")."""
    upper = container.attrs["GraphDriver"]["Data"]["UpperDir"]
    pinned = Path(upper) / "pinned"
    pinned.write_text("kept")
    subprocess.run(["chattr", "+i", str(pinned)], check=True)
    try:
        yield pinned
    finally:
        removable(pinned)


def removable(pinned: Path) -> None:
    subprocess.run(["chattr", "-i", str(pinned)], check=False)
