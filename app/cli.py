"""The `stagdb` command: serve, setup, doctor and API key management."""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from tortoise import Tortoise

from app.config import ConfigError, Settings
from app.domain.durations import parse_duration
from app.domain.keys import ApiKeyService, KeyView, NewKey
from app.domain.pagination import MAX_LIMIT, PageRequest
from app.domain.projects import ProjectService
from app.domain.tenancy import Scope
from app.errors import StagError
from app.models import tortoise_config
from app.models.migrations import apply_migrations

T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    handler = args.handler
    return int(handler(settings, args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stagdb", description="StagDB database branching server")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="apply migrations and serve the API")
    serve.add_argument("--host", help="address to listen on (default STAGDB_API_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default STAGDB_API_PORT or 8080)")
    serve.set_defaults(handler=_serve)

    setup = commands.add_parser("setup", help="prepare this host (idempotent)")
    setup.add_argument(
        "--service",
        action="store_true",
        help="also install and start a systemd unit that runs the server at boot",
    )
    setup.set_defaults(handler=_setup)

    doctor = commands.add_parser("doctor", help="check engine, pool, images and metadata")
    doctor.set_defaults(handler=_doctor)

    keys = commands.add_parser("keys", help="manage API keys (on this host's metadata)")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", choices=[s.value for s in Scope], default="admin")
    create.add_argument("--project", help="project id or name (default: the default project)")
    create.add_argument("--ttl", help="expire after this long (90s, 15m, 2h, 7d)")
    create.add_argument(
        "--if-none", action="store_true", help="only create a key when no key exists yet"
    )
    create.set_defaults(handler=_create_key)
    listing = key_commands.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--project", help="only this project's keys (id or name)")
    listing.set_defaults(handler=_list_keys)
    revoke = key_commands.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_revoke_key)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from app.logs import configure_json_logging
    from app.main import create_app
    from app.serving import serve

    configure_json_logging()
    # The app must know where it listens (webhooks refuse URLs pointing back at it).
    settings = replace(
        settings, api_host=args.host or settings.api_host, api_port=args.port or settings.api_port
    )
    # `kill -USR1 <pid>` writes every thread's stack to stderr: for a server that seems stuck.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    serve(create_app(settings), settings)
    return 0


def _setup(settings: Settings, args: argparse.Namespace) -> int:
    from app.setup.host import SetupError
    from app.setup.prepare import run_setup
    from app.setup.service import install_service

    try:
        run_setup(settings, report=lambda line: print(f"setup: {line}", flush=True))
        if args.service:
            print(f"setup: service {install_service(os.environ)} enabled and started")
    except SetupError as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 1
    print("setup: done")
    return 0


def _doctor(settings: Settings, args: argparse.Namespace) -> int:
    from app.setup.doctor import run_doctor

    findings = run_doctor(settings)
    for finding in findings:
        mark = "ok     " if finding.ok else "PROBLEM"
        print(f"{mark} {finding.check}: {finding.detail}")
        if finding.fix:
            print(f"        fix: {finding.fix}")
    return 0 if all(f.ok for f in findings) else 1


def _with_metadata(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` against this host's metadata database, migrated first."""

    async def run() -> T:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        await apply_migrations(settings.database_url)
        await Tortoise.init(config=tortoise_config(settings.database_url))
        try:
            return await work()
        finally:
            await Tortoise.close_connections()

    return asyncio.run(run())


async def _project_id(ref: str | None) -> str | None:
    return None if ref is None else (await ProjectService().find(ref)).id


def _create_key(settings: Settings, args: argparse.Namespace) -> int:
    keys = ApiKeyService()

    async def create() -> str | None:
        if args.if_none and await keys.count():
            return None
        ttl_s = None if args.ttl is None else parse_duration(args.ttl, "--ttl")
        new = NewKey(
            name=args.name,
            scope=args.scope,
            project_id=await _project_id(args.project),
            expires_at=None if ttl_s is None else datetime.now(UTC) + timedelta(seconds=ttl_s),
        )
        return (await keys.create(new)).key

    try:
        key = _with_metadata(settings, create)
    except StagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    if key is None:
        print("an API key already exists; none created", file=sys.stderr)
        return 0
    print(key)
    return 0


def _list_keys(settings: Settings, args: argparse.Namespace) -> int:
    async def listing() -> list[KeyView]:
        project_id = await _project_id(args.project)
        views: list[KeyView] = []
        page = 1
        while True:
            found = await ApiKeyService().list(project_id, PageRequest(page, MAX_LIMIT))
            views += found.items
            if page >= found.total_pages:
                return views
            page += 1

    try:
        views = _with_metadata(settings, listing)
    except StagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"{'ID':<18} {'NAME':<24} {'SCOPE':<6} {'PROJECT':<18} {'PREFIX':<12} STATE")
    for view in views:
        print(
            f"{view.id:<18} {view.name[:24]:<24} {view.scope:<6} {view.project_id:<18} "
            f"{view.prefix:<12} {_state(view)}"
        )
    return 0


def _state(view: KeyView) -> str:
    if view.revoked_at is not None:
        return f"revoked {view.revoked_at:%Y-%m-%d %H:%M}"
    if view.expires_at is not None and view.expires_at <= datetime.now(UTC):
        return f"expired {view.expires_at:%Y-%m-%d %H:%M}"
    used = f"used {view.last_used_at:%Y-%m-%d %H:%M}" if view.last_used_at else "never used"
    return f"active, {used}"


def _revoke_key(settings: Settings, args: argparse.Namespace) -> int:
    try:
        view = _with_metadata(settings, lambda: ApiKeyService().revoke(args.key_id))
    except StagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"revoked {view.id} ({view.name}); open sessions end within seconds")
    return 0
