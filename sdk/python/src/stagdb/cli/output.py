"""How the command line shows results: tables for people, `--json` for scripts (exactly the
API's `data`), and a spinner with the elapsed time while a call waits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from stagdb.models import ApiObject

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """The API's JSON, as is (one document on stdout)."""
    if isinstance(data, ApiObject):
        data = data.to_dict()
    elif isinstance(data, list):
        data = [item.to_dict() if isinstance(item, ApiObject) else item for item in data]
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def print_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    out.print(table)


def print_fields(fields: Iterable[tuple[str, Any]]) -> None:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in fields:
        table.add_row(name, "" if value is None else str(value))
    out.print(table)


@contextmanager
def waiting(message: str) -> Iterator[None]:
    """A spinner with the elapsed time on stderr while the call runs (terminals only)."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        progress.add_task(message, total=None)
        yield
