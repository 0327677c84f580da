"""Administration over GraphQL, as in REST and for admin keys only: projects and their quotas,
API keys (shown once when made, revoked at once) and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import strawberry
from strawberry import UNSET

from app.domain.audit import AuditFilter, AuditView
from app.domain.durations import parse_duration
from app.domain.keys import KeyView, NewKey
from app.domain.pagination import page_request
from app.domain.projects import ProjectView
from app.domain.resources import format_memory
from app.domain.tenancy import Scope
from app.errors import ForbiddenError, ValidationError
from schema.context import Info
from schema.errors import as_graphql_error, domain
from schema.types import PageInfo


def _require_admin(info: Info) -> None:
    principal = info.context.principal
    if principal is None or not principal.scope.allows(Scope.ADMIN):
        scope = principal.scope if principal else "none"
        raise as_graphql_error(
            ForbiddenError(f"This API key's scope is '{scope}'; administration needs 'admin'")
        )


@strawberry.type(description="Per-project limits; null: no limit")
class Quotas:
    databases: int | None
    memory: str | None = strawberry.field(description="Sum of the databases' memory limits")
    disk: str | None = strawberry.field(description="Pool space held only by the project")


@strawberry.type
class Project:
    id: strawberry.ID
    name: str
    quotas: Quotas
    created_at: datetime

    @classmethod
    def of(cls, view: ProjectView) -> Project:
        return cls(
            id=strawberry.ID(view.id),
            name=view.name,
            quotas=Quotas(
                databases=view.quotas.databases,
                memory=format_memory(view.quotas.memory_bytes),
                disk=format_memory(view.quotas.disk_bytes),
            ),
            created_at=view.created_at,
        )


@strawberry.type(description="An API key; the key itself is shown only when it is made")
class ApiKey:
    id: strawberry.ID
    name: str
    project_id: strawberry.ID
    scope: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, view: KeyView) -> ApiKey:
        return cls(**vars(view))


@strawberry.type
class CreatedApiKey:
    api_key: ApiKey
    key: str = strawberry.field(description="Shown this once; only its hash is kept")


@strawberry.type
class AuditEntry:
    id: strawberry.ID
    at: datetime
    key_id: strawberry.ID | None
    project_id: strawberry.ID | None
    action: str
    target: str | None
    status_code: int
    result: str
    request_id: str | None

    @classmethod
    def of(cls, view: AuditView) -> AuditEntry:
        return cls(**{**vars(view), "id": strawberry.ID(str(view.id))})


@strawberry.type
class ProjectPage:
    items: list[Project]
    page_info: PageInfo


@strawberry.type
class ApiKeyPage:
    items: list[ApiKey]
    page_info: PageInfo


@strawberry.type
class AuditPage:
    items: list[AuditEntry]
    page_info: PageInfo


@strawberry.input(description="A field left out keeps its value; null lifts the quota")
class QuotasInput:
    databases: int | None = UNSET
    memory: str | None = UNSET
    disk: str | None = UNSET

    def as_dict(self) -> dict[str, object]:
        return {key: value for key, value in vars(self).items() if value is not UNSET}


@strawberry.type
class AdminQueries:
    @strawberry.field(description="Projects, oldest first (admin keys)")
    async def projects(self, info: Info, page: int = 1, limit: int = 20) -> ProjectPage:
        _require_admin(info)
        service = info.context.services.projects
        result = await domain(lambda: service.list(page_request(page, limit)))
        return ProjectPage(
            items=[Project.of(v) for v in result.items], page_info=PageInfo.of(result)
        )

    @strawberry.field(description="API keys, oldest first, of one project or all (admin keys)")
    async def api_keys(
        self, info: Info, project_id: strawberry.ID | None = None, page: int = 1, limit: int = 20
    ) -> ApiKeyPage:
        _require_admin(info)
        service = info.context.services.keys
        result = await domain(lambda: service.list(project_id, page_request(page, limit)))
        return ApiKeyPage(items=[ApiKey.of(v) for v in result.items], page_info=PageInfo.of(result))

    @strawberry.field(description="The audit trail, newest first (admin keys)")
    async def audit_entries(
        self,
        info: Info,
        project_id: strawberry.ID | None = None,
        key_id: strawberry.ID | None = None,
        action: str | None = None,
        target: str | None = None,
        result: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> AuditPage:
        _require_admin(info)
        filters = AuditFilter(project_id, key_id, action, target, result, since, until)
        trail = info.context.services.audit
        found = await domain(lambda: trail.list(filters, page_request(page, limit)))
        return AuditPage(
            items=[AuditEntry.of(v) for v in found.items], page_info=PageInfo.of(found)
        )


@strawberry.type
class AdminMutations:
    @strawberry.mutation(description="A project, with quotas (admin keys)")
    async def create_project(
        self, info: Info, name: str, quotas: QuotasInput | None = None
    ) -> Project:
        _require_admin(info)
        service = info.context.services.projects
        limits = quotas.as_dict() if quotas else None
        return Project.of(await domain(lambda: service.create(name, limits)))

    @strawberry.mutation(description="Rename a project or change its quotas (admin keys)")
    async def update_project(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        quotas: QuotasInput | None = None,
    ) -> Project:
        _require_admin(info)
        service = info.context.services.projects
        limits = quotas.as_dict() if quotas else None
        return Project.of(await domain(lambda: service.update(id, name, limits)))

    @strawberry.mutation(description="Delete a project that has no databases (admin keys)")
    async def delete_project(self, info: Info, id: strawberry.ID) -> bool:
        _require_admin(info)
        await domain(lambda: info.context.services.projects.delete(id))
        return True

    @strawberry.mutation(description="A new API key, shown this once (admin keys)")
    async def create_api_key(
        self,
        info: Info,
        name: str,
        scope: str = "write",
        project_id: strawberry.ID | None = None,
        ttl: str | None = None,
        expires_at: datetime | None = None,
    ) -> CreatedApiKey:
        _require_admin(info)
        if ttl is not None and expires_at is not None:
            raise as_graphql_error(ValidationError("Give ttl or expiresAt, not both"))
        if ttl is not None:
            try:
                expires_at = datetime.now(UTC) + timedelta(seconds=parse_duration(ttl, "ttl"))
            except ValidationError as exc:
                raise as_graphql_error(exc) from exc
        new = NewKey(name=name, scope=scope, project_id=project_id, expires_at=expires_at)
        created = await domain(lambda: info.context.services.keys.create(new))
        return CreatedApiKey(api_key=ApiKey.of(created.view), key=created.key)

    @strawberry.mutation(description="Revoke an API key now, ending its open sessions (admin keys)")
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKey:
        _require_admin(info)
        view = await domain(lambda: info.context.services.keys.revoke(id))
        await info.context.sessions.close_for(view.id)
        return ApiKey.of(view)
