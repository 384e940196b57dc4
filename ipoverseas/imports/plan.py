"""Compare the parsed rows with the database: what an import would create, change or leave.

Rows are matched on the natural key within the target sub-centre. Rows that
name another sub-centre are listed and never written; a key twice in the file is
listed as a duplicate (and rejected when the copies differ).

The comparison is done in bulk: the stored rows for the file's keys come back as
plain tuples from one keyed query per chunk (or one pass over the sub-centre's rows
when the file covers most of them), and a row whose stored tuple equals the file's
tuple is unchanged without looking at its fields one by one. The plan compares only
the columns the file writes (and keeps id, version and a case's review status): the
before-images are built by the database when the import is applied (images.py). A big
file's stored rows may have been read while the reader parsed it (read_ahead).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress
from operator import itemgetter, ne
from typing import Any, Callable

from sqlalchemy import bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from ipoverseas.core import db
from . import datasets as D
from .read import Parsed

CHUNK = 5_000

@dataclass
class Change:
    row: int
    key: str
    id: int
    version: int
    values: dict[str, Any]
    diff: dict[str, tuple[Any, Any]]
    review_status: str | None = None   # a case's stored review status (a changed case goes back to review)


@dataclass
class Plan:
    dataset: str
    sub_centre_id: int
    fields: tuple[str, ...]                                  # fields the import writes
    positions: tuple[int, ...] = ()                          # where each field sits in a parsed row
    creates: list[tuple[int, str, tuple]] = field(default_factory=list)     # (row, key, parsed values)
    updates: list[Change] = field(default_factory=list)
    unchanged: list[tuple[int, str, int]] = field(default_factory=list)      # (row, key, id)
    rejected: list[tuple[int, str | None]] = field(default_factory=list)
    duplicates: list[tuple[int, str, int]] = field(default_factory=list)     # (row, key, first row)
    other_centre: list[tuple[int, str, str]] = field(default_factory=list)   # (row, key, code)

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.creates), "updated": len(self.updates), "unchanged": len(self.unchanged),
                "rejected": len(self.rejected), "duplicates": len(self.duplicates),
                "other_centre": len(self.other_centre)}

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.updates)

    @property
    def skipped(self) -> int:
        return len(self.rejected) + len(self.duplicates) + len(self.other_centre)

    def signature(self) -> str:
        """What the plan would do, as a hash: apply refuses when the database moved on since the preview."""
        h = hashlib.sha256()
        for _, key, _ in self.creates:
            h.update(b"c" + key.encode() + b"\0")
        for ch in self.updates:
            h.update(f"u{ch.id}:{ch.version}:{sorted(ch.diff)}".encode() + b"\0")
        for _, key, id_ in self.unchanged:
            h.update(f"n{id_}".encode())
        return h.hexdigest()


def stored_value(column: D.Column, value: Any) -> Any:
    """The value a blank cell stores: the column's default."""
    if column.kind == D.MULTI:
        return tuple(value or ())
    return column.default if value is None else value


def _same(a: Any, b: Any) -> bool:
    if a.__class__ is str and b.__class__ is str:
        return a == b
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a).quantize(Decimal("0.01")) == Decimal(b).quantize(Decimal("0.01"))
        except Exception:
            return False
    return a == b


def sub_centre_code(session: Session, sub_centre_id: int) -> str:
    from ipoverseas.core.models import SubCentre

    return session.scalar(select(SubCentre.code).where(SubCentre.id == sub_centre_id)) or ""


def getter(indexes: list[int] | tuple[int, ...]) -> Callable[[Any], tuple]:
    """itemgetter that always returns a tuple (itemgetter of one index returns the item)."""
    if len(indexes) == 1:
        i = indexes[0]
        return lambda row: (row[i],)
    return itemgetter(*indexes)


@dataclass
class ReadAhead:
    """A sub-centre's stored rows, read while the reader child parses the file (read_ahead).

    The next plan uses them instead of reading the rows again when the database
    revision has not moved since: every write bumps it (db.write_session).
    """
    dataset: str
    sub_centre_id: int
    revision: int
    names: tuple[str, ...]      # id, version, a case's review status, every field, then every facet
    rows: dict[str, tuple]      # key -> stored row


def read_ahead(session: Session, dataset_name: str, sub_centre_id: int, expected_rows: int) -> ReadAhead | None:
    """The sub-centre's rows, when a file of `expected_rows` rows would be planned by a pass
    over all of them (_stored_rows); None otherwise (the plan then reads keyed chunks)."""
    dataset = D.get(dataset_name)
    model = dataset.model
    revision = db.revision_in(session)   # first: a write after it shows as a newer revision
    stored = session.scalar(select(func.count()).select_from(model).where(model.sub_centre_id == sub_centre_id))
    if not stored or stored > 2 * expected_rows:
        return None
    facets = tuple(dataset.facets)
    scalars = ("id", "version") + _status(dataset) + dataset.scalar_fields
    rows = dict(_stored_rows(session, dataset, sub_centre_id, None, scalars, facets))
    return ReadAhead(dataset.name, sub_centre_id, revision, scalars + facets, rows)


def _status(dataset: D.Dataset) -> tuple[str, ...]:
    return ("review_status",) if "review_status" in dataset.model.__table__.c else ()


def make(session: Session, parsed: Parsed, sub_centre_id: int, ahead: ReadAhead | None = None) -> Plan:
    """The plan of `parsed` against the database (with `ahead`'s rows when they are still current)."""
    dataset = D.get(parsed.dataset)
    fields = tuple(f for f in parsed.present if f != D.SUB_CENTRE)
    positions = tuple(parsed.index(f) for f in fields)
    plan = Plan(dataset.name, sub_centre_id, fields, positions, rejected=list(parsed.rejected))
    key_i = parsed.index(dataset.key)
    sc_i = parsed.index(D.SUB_CENTRE) if D.SUB_CENTRE in parsed.present else None
    own_code = sub_centre_code(session, sub_centre_id).casefold()

    candidates: dict[str, tuple[int, tuple]] = {}
    conflicting: set[str] = set()
    for excel_row, values in parsed.rows:
        key = values[key_i]
        if sc_i is not None and values[sc_i] is not None and values[sc_i].casefold() != own_code:
            plan.other_centre.append((excel_row, key, values[sc_i]))
            continue
        first = candidates.get(key)
        if first is None:
            candidates[key] = (excel_row, values)
            continue
        plan.duplicates.append((excel_row, key, first[0]))
        if _strip_sc(values, sc_i) != _strip_sc(first[1], sc_i):
            conflicting.add(key)
    for key in conflicting:
        excel_row, _ = candidates.pop(key)
        plan.duplicates.append((excel_row, key, excel_row))

    # The stored row: id, version, a case's review status, the file's columns, then its facets (sorted tuples).
    status = _status(dataset)
    facets = tuple(f for f in fields if f in dataset.facets)
    names = ("id", "version") + status + tuple(f for f in fields if f not in dataset.facets) + facets
    where = {n: i for i, n in enumerate(names)}
    id_i, version_i, status_i = 0, 1, (2 if status else None)
    old_of = getter([where[f] for f in fields])
    new_of = getter(positions)
    # Blank cells: a yes/no keeps the stored answer (a blank 当事人保密 must never unmask a
    # party); any other column stores its default (a facet: none).
    blanks = []
    for j, f in enumerate(fields):
        col = dataset.column(f)
        if col.kind == D.BOOL:
            blanks.append((j, True, None))
        elif col.kind == D.MULTI:
            blanks.append((j, False, ()))
        elif col.default is not None:
            blanks.append((j, False, col.default))

    every = range(len(fields))
    seen: set[str] = set()
    if (ahead is not None and (ahead.dataset, ahead.sub_centre_id) == (dataset.name, sub_centre_id)
            and ahead.revision == db.revision_in(session)):
        project = getter([ahead.names.index(n) for n in names])
        found = ((key, project(row)) for key in candidates if (row := ahead.rows.get(key)) is not None)
    else:
        found = _stored_rows(session, dataset, sub_centre_id, candidates, names[:len(names) - len(facets)], facets)
    for key, stored in found:
        seen.add(key)
        excel_row, values = candidates[key]
        old = old_of(stored)
        new = new_of(values)
        if blanks:
            fixed = None
            for j, keep, default in blanks:
                if new[j] is None:
                    if fixed is None:
                        fixed = list(new)
                    fixed[j] = old[j] if keep else default
            if fixed is not None:
                new = tuple(fixed)
        if new == old:
            plan.unchanged.append((excel_row, key, stored[id_i]))
            continue
        diff = {fields[j]: (old[j], new[j]) for j in compress(every, map(ne, old, new)) if not _same(old[j], new[j])}
        if diff:
            plan.updates.append(Change(excel_row, key, stored[id_i], stored[version_i],
                                       {f: d[1] for f, d in diff.items()}, diff,
                                       stored[status_i] if status_i is not None else None))
        else:
            plan.unchanged.append((excel_row, key, stored[id_i]))
    plan.creates = [(excel_row, key, values) for key, (excel_row, values) in candidates.items() if key not in seen]
    plan.updates.sort(key=lambda ch: ch.row)
    plan.unchanged.sort()
    plan.duplicates.sort()
    return plan


def _strip_sc(values: tuple, sc_i: int | None) -> tuple:
    return values if sc_i is None else values[:sc_i] + values[sc_i + 1:]


def record_of(plan: Plan, values: tuple) -> dict[str, Any]:
    """The stored values of a parsed row (blank cells take the column's default)."""
    dataset = D.get(plan.dataset)
    return {f: stored_value(dataset.column(f), values[p]) for f, p in zip(plan.fields, plan.positions)}


def _stored_rows(session: Session, dataset: D.Dataset, sub_centre_id: int, keys: dict[str, Any] | None,
                 scalar_names: tuple[str, ...], facets: tuple[str, ...]):
    """(key, stored row tuple) for every stored row of `keys` (None: every row) in the sub-centre, chunk by chunk.

    When the file names most of the sub-centre's rows, one pass over the sub-centre's rows
    is cheaper than keyed IN lists; otherwise keyed chunks, so the cost follows the file.
    """
    model = dataset.model
    key_col = getattr(model, dataset.key)
    cols = [key_col] + [getattr(model, n) for n in scalar_names]
    conn = session.connection()
    stored = conn.execute(select(func.count()).select_from(model).where(model.sub_centre_id == sub_centre_id)).scalar()
    if (keys is not None and not keys) or not stored:
        return
    # Plain DB-API rows, in this transaction's connection, each converted by its column
    # type's own result processor (dates and decimals on SQLite): no per-row Row objects.
    dialect = conn.dialect
    # The sub-centre's id, an int of ours, is written into the SQL; the keys come from the
    # uploaded file and are always bound.
    base = select(*cols).where(model.sub_centre_id == literal_column(str(int(sub_centre_id))))
    dbapi = conn.connection.dbapi_connection
    if keys is None or stored <= 2 * len(keys):
        batches = [(str(base.compile(dialect=dialect)), ())]
    else:
        sql = str(base.where(key_col.in_(bindparam("keys", expanding=True))).compile(dialect=dialect))
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        key_list = list(keys)
        batches = ((sql.replace("__[POSTCOMPILE_keys]", ", ".join([mark] * len(chunk))), tuple(chunk))
                   for chunk in (key_list[i:i + CHUNK] for i in range(0, len(key_list), CHUNK)))
    for sql_i, params in batches:
        # On PostgreSQL a server-side cursor: the sub-centre's rows stream, chunk by chunk.
        cursor = dbapi.cursor(name="ipoverseas_plan") if dialect.name == "postgresql" else dbapi.cursor()
        try:
            cursor.execute(sql_i, params)
            convert = [(i - 1, proc) for i, (c, d) in enumerate(zip(cols, cursor.description)) if i
                       and (proc := c.type.dialect_impl(dialect).result_processor(dialect, d[1])) is not None]
            while True:
                rows = cursor.fetchmany(CHUNK)
                if not rows:
                    break
                found = []
                for row in rows:
                    if keys is None or row[0] in keys:
                        values = row[1:]
                        if convert:
                            values = list(values)
                            for i, proc in convert:
                                values[i] = proc(values[i])
                            values = tuple(values)
                        found.append((row[0], values))
                if facets and found:
                    found = _with_facets(session, dataset, found, facets)
                yield from found
        finally:
            cursor.close()


def _with_facets(session: Session, dataset: D.Dataset, found: list[tuple[str, tuple]],
                 facets: tuple[str, ...]) -> list[tuple[str, tuple]]:
    """Append the facets (a sorted tuple each) to the stored rows."""
    ids = [row[0] for _, row in found]
    values: dict[str, dict[int, list]] = {}
    for name in facets:
        facet = dataset.facets[name]
        fk, val = getattr(facet.table, facet.fk), getattr(facet.table, facet.value)
        by_owner: dict[int, list] = {}
        for owner, value in session.connection().execute(select(fk, val).where(fk.in_(ids))):
            by_owner.setdefault(owner, []).append(value)
        values[name] = by_owner
    return [(key, row + tuple(tuple(sorted(values[n].get(row[0], ()))) for n in facets))
            for key, row in found]
