"""Projects: the tenants keys, databases and webhooks belong to, with their quotas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.ids import looks_like_id, new_id
from app.domain.naming import validate_name
from app.domain.pagination import Page, PageRequest
from app.domain.resources import format_memory, parse_memory
from app.errors import NotFoundError, ResourceBusyError, ValidationError
from app.models import DEFAULT_PROJECT_ID, ApiKey, Database, Project, Webhook

QUOTA_FIELDS = ("databases", "memory", "disk")
MAX_DATABASES_QUOTA = 100_000
MAX_SIZE_QUOTA = 1024**6  # an exbibyte: anything larger is a typo


@dataclass(frozen=True)
class Quotas:
    databases: int | None = None
    memory_bytes: int | None = None
    disk_bytes: int | None = None


@dataclass(frozen=True)
class ProjectView:
    id: str
    name: str
    quotas: Quotas
    created_at: datetime


def parse_quotas(value: object, current: Quotas | None = None) -> Quotas:
    """`{"databases": 10, "memory": "8g", "disk": "50g"}`; null lifts a quota, keys left
    out keep `current`'s value."""
    base = current or Quotas()
    if value is None:
        return base
    if not isinstance(value, dict):
        raise ValidationError("quotas must be an object with databases, memory and/or disk")
    unknown = sorted(set(value) - set(QUOTA_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown quotas field(s): {', '.join(unknown)}")
    return Quotas(
        databases=_count(value["databases"]) if "databases" in value else base.databases,
        memory_bytes=_size("memory", value["memory"]) if "memory" in value else base.memory_bytes,
        disk_bytes=_size("disk", value["disk"]) if "disk" in value else base.disk_bytes,
    )


def _count(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("quotas.databases must be a whole number (or null for no limit)")
    if not 0 <= value <= MAX_DATABASES_QUOTA:
        raise ValidationError(f"quotas.databases must be between 0 and {MAX_DATABASES_QUOTA}")
    return value


def _size(name: str, value: object) -> int | None:
    size = parse_memory(value, f"quotas.{name}", minimum=1)
    if size is not None and size > MAX_SIZE_QUOTA:
        raise ValidationError(f"quotas.{name} is larger than any host")
    return size


def render_quotas(quotas: Quotas) -> dict[str, object]:
    return {
        "databases": quotas.databases,
        "memory": format_memory(quotas.memory_bytes),
        "disk": format_memory(quotas.disk_bytes),
    }


class ProjectService:
    async def list(self, page: PageRequest) -> Page[ProjectView]:
        query = Project.all()
        total = await query.count()
        rows = await query.order_by("created_at", "id").offset(page.offset).limit(page.limit)
        return Page(items=[view(row) for row in rows], request=page, total=total)

    async def get(self, ref: str) -> ProjectView:
        return view(await self.find(ref))

    async def find(self, ref: str) -> Project:
        """A project by id (`prj-…`) or by name."""
        if looks_like_id("prj", ref):
            row = await Project.get_or_none(id=ref)
        else:
            row = await Project.get_or_none(name=ref)
        if row is None:
            raise NotFoundError(f"Project '{ref}' not found")
        return row

    async def create(self, name: object, quotas: object = None) -> ProjectView:
        name = validate_name(name, "project", "prj")
        limits = parse_quotas(quotas)
        if await Project.exists(name=name):
            raise ValidationError(f"A project named '{name}' already exists")
        row = Project(id=new_id("prj"), name=name, **_columns(limits))
        await row.save()
        return view(row)

    async def update(self, ref: str, name: object = None, quotas: object = None) -> ProjectView:
        row = await self.find(ref)
        if name is not None:
            new_name = validate_name(name, "project", "prj")
            if new_name != row.name and await Project.exists(name=new_name):
                raise ValidationError(f"A project named '{new_name}' already exists")
            row.name = new_name
        for column, value in _columns(parse_quotas(quotas, view(row).quotas)).items():
            setattr(row, column, value)
        await row.save()
        return view(row)

    async def delete(self, ref: str) -> None:
        row = await self.find(ref)
        if row.id == DEFAULT_PROJECT_ID:
            raise ValidationError(
                "The default project cannot be deleted: keys and databases without a project "
                "of their own belong to it"
            )
        databases = await Database.filter(project_id=row.id).count()
        if databases:
            raise ResourceBusyError(
                f"Project '{row.name}' still has {databases} database(s); delete them first"
            )
        await Webhook.filter(project_id=row.id).delete()
        await ApiKey.filter(project_id=row.id, revoked_at__isnull=True).update(
            revoked_at=datetime.now(UTC)
        )
        await row.delete()


def _columns(quotas: Quotas) -> dict[str, int | None]:
    return {
        "max_databases": quotas.databases,
        "max_memory_bytes": quotas.memory_bytes,
        "max_disk_bytes": quotas.disk_bytes,
    }


def view(row: Project) -> ProjectView:
    return ProjectView(
        id=row.id,
        name=row.name,
        quotas=Quotas(row.max_databases, row.max_memory_bytes, row.max_disk_bytes),
        created_at=row.created_at,
    )
