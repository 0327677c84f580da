"""`stagdb webhook …`: list, create, delete, test."""

from __future__ import annotations

from collections.abc import Sequence

import click

from stagdb.cli import views
from stagdb.cli.output import out, print_fields, waiting
from stagdb.cli.state import State, json_option, pass_state, show
from stagdb.models import Delivery, Webhook


@click.group()
def webhook() -> None:
    """Signed HTTP callbacks for lifecycle events."""


@webhook.command("list")
@json_option
@pass_state
def list_webhooks(state: State) -> None:
    """List webhooks."""
    show(state, list(state.client().webhooks.list()), views.webhooks)


@webhook.command("create")
@click.argument("url")
@click.option(
    "--event", "events", multiple=True, required=True, help="An event name, or '*' (repeatable)."
)
@click.option("--secret", help="Your own signing secret (default: one is generated).")
@json_option
@pass_state
def create_webhook(state: State, url: str, events: Sequence[str], secret: str | None) -> None:
    """Subscribe URL to events; the signing secret is shown this once."""
    made = state.client().webhooks.create(url, list(events), secret)
    show(state, made, _created)


def _created(made: Webhook) -> None:
    views.webhooks([made])
    out.print(f"secret (shown this once): {made.secret}")


@webhook.command("delete")
@click.argument("webhook_id")
@json_option
@pass_state
def delete_webhook(state: State, webhook_id: str) -> None:
    """Delete a webhook and its delivery history."""
    state.client().webhooks.delete(webhook_id)
    show(state, None, lambda _: out.print(f"Deleted {webhook_id}"))


@webhook.command("test")
@click.argument("webhook_id")
@json_option
@pass_state
def test_webhook(state: State, webhook_id: str) -> None:
    """Send a test delivery and show its first attempt."""
    with waiting(f"Sending a test delivery to {webhook_id}"):
        delivery = state.client().webhooks.test(webhook_id)
    show(state, delivery, _delivery)


def _delivery(delivery: Delivery) -> None:
    print_fields(
        [
            ("delivery", delivery.id),
            ("status", delivery.status),
            ("attempts", delivery.attempts),
            ("response", delivery.response_code),
            ("error", delivery.last_error),
        ]
    )
