"""Project quotas, checked before a database, branch or snapshot is made: how many databases,
how much memory their limits add up to, and how much pool space their data takes (as last
measured in the background: `space.SpaceMeter`)."""

from __future__ import annotations

from app.domain.resources import format_memory
from app.domain.space import project_bytes
from app.errors import InsufficientResources, ValidationError
from app.models import Database, Project


class ProjectQuotas:
    async def admit_database(self, project_id: str, memory_bytes: int | None) -> None:
        project = await Project.get_or_none(id=project_id)
        if project is None:
            return
        databases = Database.filter(project_id=project_id)
        if project.max_databases is not None:
            count = await databases.count()
            if count + 1 > project.max_databases:
                raise InsufficientResources(
                    f"Project '{project.name}' is at its databases quota: "
                    f"{count} of {project.max_databases} in use"
                )
        if project.max_memory_bytes is not None:
            await self._admit_memory(project, memory_bytes)
        await self._admit_space(project)

    async def admit_memory_change(self, row: Database, memory_bytes: int | None) -> None:
        project = await Project.get_or_none(id=row.project_id)
        if project is None or project.max_memory_bytes is None:
            return
        await self._admit_memory(project, memory_bytes, leaving=row.memory_bytes or 0)

    async def _admit_memory(
        self, project: Project, memory_bytes: int | None, leaving: int = 0
    ) -> None:
        quota = project.max_memory_bytes or 0
        if memory_bytes is None:
            raise ValidationError(
                f"Project '{project.name}' has a memory quota of {format_memory(quota)}: "
                "give the database a memory limit (resources.memory; a branch takes its "
                "parent's, so set one on the parent first)"
            )
        in_use = await _memory_limits(project.id) - leaving
        if in_use + memory_bytes > quota:
            raise InsufficientResources(
                f"Project '{project.name}' is over its memory quota: "
                f"{format_memory(in_use)} in use + {format_memory(memory_bytes)} asked "
                f"> {format_memory(quota)}"
            )

    async def admit_space(self, project_id: str) -> None:
        project = await Project.get_or_none(id=project_id)
        if project is not None:
            await self._admit_space(project)

    @staticmethod
    async def _admit_space(project: Project) -> None:
        if project.max_disk_bytes is None:
            return
        used = await project_bytes(project.id)
        if used >= project.max_disk_bytes:
            raise InsufficientResources(
                f"Project '{project.name}' is at its disk quota: "
                f"{_size(used)} used of {_size(project.max_disk_bytes)}"
            )

    async def usage(self, project_id: str) -> dict[str, object]:
        """What the project holds now, in the units its quotas are given in."""
        return {
            "databases": await Database.filter(project_id=project_id).count(),
            "memory": format_memory(await _memory_limits(project_id) or None) or "0",
            "disk_bytes": await project_bytes(project_id),
        }


async def _memory_limits(project_id: str) -> int:
    rows: list[int | None] = await Database.filter(project_id=project_id).values_list(
        "memory_bytes", flat=True
    )  # type: ignore[assignment]
    return sum(limit or 0 for limit in rows)


def _size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"
