"""A source to import from, as a caller gives it: a server URI plus what of it to copy.

Its credentials stay inside `Source`: what is shown or recorded is `Source.shown`, the URI
without them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from app.engines.source_tools import ImportFilter, SourceTool
from app.errors import ValidationError

SOURCE_FIELDS = {"uri", "schemas", "exclude_schemas", "tables", "exclude_tables", "schema_only"}
LIST_FIELDS = ("schemas", "exclude_schemas", "tables", "exclude_tables")
# Names and patterns as pg_dump and mariadb-dump take them; nothing a shell would expand.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_$.*?-]{1,128}$")
MAX_NAMES = 100
URI_MAX = 2048


@dataclass(frozen=True, repr=False)
class Source:
    uri: str  # as given, credentials included: kept only sealed, for a refresh schedule
    scheme: str
    host: str
    port: int
    username: str
    password: str
    database: str
    what: ImportFilter

    def __repr__(self) -> str:
        return f"Source({self.shown})"  # never the password, should it reach a log

    @property
    def shown(self) -> str:
        """The URI without its password, for operations and messages."""
        return f"{self.scheme}://{self.username}@{self.where}/{self.database}"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            "SRC_HOST": self.host,
            "SRC_PORT": str(self.port),
            "SRC_USER": self.username,
            "SRC_PASSWORD": self.password,
            "SRC_DB": self.database,
        }


def parse_source(raw: object, engine_name: str, tool: SourceTool | None) -> Source:
    """A caller's `source`, checked against the engine it is to be imported into."""
    if not isinstance(raw, dict):
        raise ValidationError('source must be an object such as {"uri": "postgresql://..."}')
    unknown = sorted(set(raw) - SOURCE_FIELDS)
    if unknown:
        raise ValidationError(
            f"Unknown source field(s): {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(SOURCE_FIELDS))}"
        )
    if tool is None:
        raise ValidationError(f"Importing from a source is not available for {engine_name}")
    uri = raw.get("uri")
    if not isinstance(uri, str) or not uri or len(uri) > URI_MAX:
        raise ValidationError(
            "source.uri must be a server URI such as postgresql://user:pass@host:5432/db"
        )
    try:
        parts = urlsplit(uri)
        port = parts.port or tool.default_port
    except ValueError:
        raise ValidationError("source.uri is not a valid URI") from None
    if parts.scheme not in tool.schemes:
        raise ValidationError(
            f"source.uri names a {parts.scheme or 'unknown'} server, but the database is "
            f"{engine_name}: use {' or '.join(s + '://' for s in tool.schemes)}"
        )
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not parts.username or not database:
        raise ValidationError("source.uri must name a user, a host and a database")
    what = _filter(raw, tool, engine_name)
    return Source(
        uri=uri,
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        database=database,
        what=what,
    )


def _filter(raw: dict[str, object], tool: SourceTool, engine_name: str) -> ImportFilter:
    lists = {name: _names(raw.get(name), name) for name in LIST_FIELDS}
    if not tool.supports_schemas and (lists["schemas"] or lists["exclude_schemas"]):
        raise ValidationError(
            f"schemas and exclude_schemas do not apply to {engine_name}: its source is the "
            "one database named in the URI; use tables and exclude_tables"
        )
    schema_only = raw.get("schema_only", False)
    if not isinstance(schema_only, bool):
        raise ValidationError("source.schema_only must be true or false")
    return ImportFilter(schema_only=schema_only, **lists)


def _names(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_NAMES:
        raise ValidationError(f"source.{field} must be a list of at most {MAX_NAMES} names")
    for name in value:
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ValidationError(
                f"source.{field} holds '{name}': names may use letters, digits, _ $ . - "
                "and the wildcards * ?"
            )
    return tuple(value)
