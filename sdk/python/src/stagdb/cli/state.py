"""What every command gets: the login in force, the output mode, and a client for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import Any, TypeVar

import click

from stagdb._client import Client
from stagdb.cli.settings import effective_login

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    url: str | None = None
    api_key: str | None = None
    json: bool = False
    _client: Client | None = field(default=None, repr=False)

    def client(self) -> Client:
        if self._client is None:
            login = effective_login(self.url, self.api_key)
            self._client = Client(base_url=login.url, api_key=login.api_key)
            click.get_current_context().call_on_close(self._client.close)
        return self._client


def json_option(command: F) -> F:
    """`--json` on a command (as well as before it): print the API's `data` as JSON."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.find_object(State).json = True  # type: ignore[union-attr]
        return value

    return click.option(
        "--json",
        "json_output",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Print the API's data as JSON.",
    )(command)


def pass_state(command: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        state = click.get_current_context().find_object(State)
        assert state is not None
        return command(state, *args, **kwargs)

    return update_wrapper(run, command)


def show(state: State, result: Any, view: Callable[[Any], None]) -> None:
    """`result` as JSON (the API's data) with --json, else as `view` draws it."""
    from stagdb.cli.output import print_json

    if state.json:
        print_json(result)
    else:
        view(result)
