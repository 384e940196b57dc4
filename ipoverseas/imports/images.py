"""Before-images of the rows an import changes, built by the database itself.

A before-image is a JSON object: the row's restorable columns (restorable()) and
each multi-valued facet as a sorted list. Dates, datetimes and decimals are tagged
({"$d": ..}, {"$dt": ..}, {"$dec": ..}) so a rollback restores them exactly.

The images are written by one INSERT .. SELECT per chunk of ids, with SQLite's
json_object or PostgreSQL's json_build_object: 50,000 images cost the database a
fraction of a second, where building them in Python (a dict and a json.dumps per
row) cost over a second. The statement runs in the import's transaction, before the
version-checked UPDATE: if a row changed after the plan read it, its version moved,
the UPDATE matches fewer rows and the whole batch is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Connection, Text, bindparam, case, cast, func, insert, literal, literal_column, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from ipoverseas.core.models import RecordVersion
from . import datasets as D
from .plan import CHUNK

# Columns a before-image keeps besides the dataset's fields, so a rollback restores the row exactly.
BOOKKEEPING = ("version", "updated_at", "import_batch_id")
EXTRA = {"cases": ("review_status",)}

# A SQL function takes at most 100 arguments on PostgreSQL (127 on SQLite 3.40): 50 columns.
MAX_COLUMNS = 50


def restorable(dataset: D.Dataset) -> tuple[str, ...]:
    """The scalar columns a before-image holds (then each facet)."""
    return tuple(dataset.scalar_fields) + BOOKKEEPING + EXTRA.get(dataset.name, ())


def write(conn: Connection, dataset: D.Dataset, ids: list[int], *, batch_id: int, user_id: int | None,
          now: datetime) -> None:
    """Insert the before-image of every row in `ids` (action "update") into record_versions."""
    if not ids:
        return
    t = dataset.model.__table__
    v = RecordVersion.__table__.c
    postgresql = conn.dialect.name == "postgresql"

    def constant(name: str, value: Any) -> ColumnElement:
        # Cast on PostgreSQL, which would read an untyped NULL as text; not on SQLite, where
        # CAST(.. AS DATETIME) has numeric affinity and would turn '2026-11-26 ..' into 2026.
        bound = literal(value, v[name].type)
        return cast(bound, v[name].type) if postgresql else bound

    source = select(constant("batch_id", batch_id), constant("entity", dataset.entity), t.c.id,
                    constant("user_id", user_id), constant("created_at", now), literal_column("'update'"),
                    _image(conn.dialect.name, dataset), t.c.version + 1
                    ).where(t.c.id.in_(bindparam("ids", expanding=True)))
    stmt = insert(RecordVersion.__table__).from_select(
        ["batch_id", "entity", "entity_id", "user_id", "created_at", "action", "before", "after_version"], source)
    for i in range(0, len(ids), CHUNK):
        conn.execute(stmt, {"ids": ids[i:i + CHUNK]})


def _image(dialect: str, dataset: D.Dataset) -> ColumnElement:
    t = dataset.model.__table__
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    names = restorable(dataset)
    if len(names) + len(dataset.facets) > MAX_COLUMNS:
        raise ValueError(f"{dataset.name}: too many columns for one JSON object")
    pairs: list[Any] = []
    for name in names:
        pairs += [literal_column(f"'{name}'"), _value(dialect, t.c[name], build)]   # our names: constants in the SQL
    for name, facet in dataset.facets.items():
        ft = facet.table.__table__
        fk, val = ft.c[facet.fk], ft.c[facet.value]
        if dialect == "postgresql":
            # COLLATE "C": code-point order, as SQLite's and Python's sort.
            order = aggregate_order_by(val, val.collate("C"))
            values = select(func.coalesce(func.json_agg(order), literal_column("'[]'::json"))).where(fk == t.c.id)
        else:
            ordered = select(val.label("v")).where(fk == t.c.id).order_by(val).correlate(t).subquery()
            # json(): a subquery's result loses its JSON subtype and would be embedded as a string.
            values = func.json(select(func.json_group_array(ordered.c.v)).scalar_subquery())
        pairs += [literal_column(f"'{name}'"), values if dialect != "postgresql" else values.scalar_subquery()]
    return build(*pairs)


def _value(dialect: str, column: Any, build: Any) -> ColumnElement:
    """A column's value in the image, in the same form on both databases and as Python wrote it
    before: tagged ISO dates and datetimes ('T' between date and time), decimals with their
    scale, booleans as true/false."""
    tag = _tag(column.type)
    postgresql = dialect == "postgresql"
    if tag is None:
        if not postgresql and isinstance(column.type, Boolean):   # SQLite keeps 0/1
            return case((column.is_(None), null()), (column == literal_column("0"), func.json("false")),
                        else_=func.json("true"))
        return column
    if tag == "$dt":
        text = (func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS.US') if postgresql
                else func.replace(column, " ", "T"))
    elif tag == "$d":
        text = func.to_char(column, "YYYY-MM-DD") if postgresql else column
    else:   # SQLite keeps a REAL: printf gives every digit of its scale (CAST would give 15 digits)
        scale = getattr(column.type, "scale", None) or 2
        text = cast(column, Text) if postgresql else func.printf(f"%.{int(scale)}f", column)
    return case((column.is_(None), null()), else_=build(literal_column(f"'{tag}'"), text))


def _tag(type_: Any) -> str | None:
    try:
        python_type = type_.python_type
    except NotImplementedError:
        return None
    if python_type is datetime:
        return "$dt"
    if python_type is date:
        return "$d"
    if python_type is Decimal:
        return "$dec"
    return None


def value_of(value: Any) -> Any:
    """A before-image's value as the column takes it back."""
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$dec" in value:
            return Decimal(value["$dec"])
    return value
