"""GraphQL types of a schema diff, built from the domain's read model field for field."""

from __future__ import annotations

import strawberry

from app.domain import schema_compare as compared
from app.domain import schema_diff as diffed


@strawberry.type(description="What was compared: a database or a snapshot")
class SchemaSide:
    type: str = strawberry.field(description="database or snapshot")
    id: strawberry.ID
    name: str

    @classmethod
    def of(cls, side: diffed.SchemaSide) -> SchemaSide:
        return cls(type=side.type, id=strawberry.ID(side.id), name=side.name)


@strawberry.type
class SchemaColumn:
    name: str
    type: str
    nullable: bool
    default: str | None = strawberry.field(description="The default expression; null: none")

    @classmethod
    def of(cls, column: compared.Column) -> SchemaColumn:
        return cls(
            name=column.name, type=column.type, nullable=column.nullable, default=column.default
        )


@strawberry.type
class SchemaTable:
    name: str
    columns: list[SchemaColumn]

    @classmethod
    def of(cls, table: compared.Table) -> SchemaTable:
        return cls(name=table.name, columns=[SchemaColumn.of(c) for c in table.columns])


@strawberry.type
class ColumnChange:
    name: str
    before: SchemaColumn
    after: SchemaColumn


@strawberry.type
class ColumnChanges:
    added: list[SchemaColumn]
    removed: list[SchemaColumn]
    changed: list[ColumnChange]

    @classmethod
    def of(cls, changes: compared.ColumnChanges) -> ColumnChanges:
        return cls(
            added=[SchemaColumn.of(c) for c in changes.added],
            removed=[SchemaColumn.of(c) for c in changes.removed],
            changed=[
                ColumnChange(
                    name=c.name, before=SchemaColumn.of(c.before), after=SchemaColumn.of(c.after)
                )
                for c in changes.changed
            ],
        )


@strawberry.type
class TableChange:
    name: str
    columns: ColumnChanges


@strawberry.type
class TableChanges:
    added: list[SchemaTable]
    removed: list[SchemaTable]
    changed: list[TableChange]

    @classmethod
    def of(cls, changes: compared.TableChanges) -> TableChanges:
        return cls(
            added=[SchemaTable.of(t) for t in changes.added],
            removed=[SchemaTable.of(t) for t in changes.removed],
            changed=[
                TableChange(name=t.name, columns=ColumnChanges.of(t.columns))
                for t in changes.changed
            ],
        )


@strawberry.type(description="An index, constraint, view or function")
class SchemaObject:
    name: str
    table: str | None = strawberry.field(description="Its table (indexes and constraints)")
    definition: str

    @classmethod
    def of(cls, item: compared.SchemaObject) -> SchemaObject:
        return cls(name=item.name, table=item.table, definition=item.definition)


@strawberry.type
class ObjectChange:
    name: str
    table: str | None
    before: str = strawberry.field(description="The definition in `against`")
    after: str = strawberry.field(description="The definition in the database")


@strawberry.type
class ObjectChanges:
    added: list[SchemaObject]
    removed: list[SchemaObject]
    changed: list[ObjectChange]

    @classmethod
    def of(cls, changes: compared.ObjectChanges) -> ObjectChanges:
        return cls(
            added=[SchemaObject.of(o) for o in changes.added],
            removed=[SchemaObject.of(o) for o in changes.removed],
            changed=[
                ObjectChange(name=o.name, table=o.table, before=o.before, after=o.after)
                for o in changes.changed
            ],
        )


@strawberry.type(
    description="What the database has that `against` has not (added), the reverse "
    "(removed), and what both have in different forms (changed)"
)
class SchemaDiff:
    database: SchemaSide
    against: SchemaSide
    identical: bool
    tables: TableChanges
    indexes: ObjectChanges
    constraints: ObjectChanges
    views: ObjectChanges
    functions: ObjectChanges
    unified_diff: str = strawberry.field(
        description="A unified diff of the two schema dumps; empty when they are the same"
    )

    @classmethod
    def of(cls, view: diffed.SchemaDiffView) -> SchemaDiff:
        changes = view.changes
        return cls(
            database=SchemaSide.of(view.database),
            against=SchemaSide.of(view.against),
            identical=changes.identical,
            tables=TableChanges.of(changes.tables),
            indexes=ObjectChanges.of(changes.indexes),
            constraints=ObjectChanges.of(changes.constraints),
            views=ObjectChanges.of(changes.views),
            functions=ObjectChanges.of(changes.functions),
            unified_diff=view.unified_diff,
        )
