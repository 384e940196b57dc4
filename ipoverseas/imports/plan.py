"""Compare the parsed rows with the database: what an import would create, change or leave.

Rows are matched on the natural key within the target sub-centre. Rows that
name another sub-centre are listed and never written; a key twice in the file is
listed as a duplicate (and rejected when the copies differ).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a).quantize(Decimal("0.01")) == Decimal(b).quantize(Decimal("0.01"))
        except Exception:
            return False
    return a == b


def sub_centre_code(session: Session, sub_centre_id: int) -> str:
    from ..models import SubCentre

    return session.scalar(select(SubCentre.code).where(SubCentre.id == sub_centre_id)) or ""


def make(session: Session, parsed: Parsed, sub_centre_id: int) -> Plan:
    dataset = D.get(parsed.dataset)
    model = dataset.model
    fields = tuple(f for f in parsed.present if f != D.SUB_CENTRE)
    positions = tuple(parsed.index(f) for f in fields)
    plan = Plan(dataset.name, sub_centre_id, fields, positions, rejected=list(parsed.rejected))
    key_i = parsed.index(dataset.key)
    sc_i = parsed.index(D.SUB_CENTRE) if D.SUB_CENTRE in parsed.present else None
    own_code = sub_centre_code(session, sub_centre_id).casefold()
    columns = [dataset.column(f) for f in fields]

    candidates: dict[str, tuple[int, tuple]] = {}
    first_row: dict[str, int] = {}
    conflicting: set[str] = set()
    for excel_row, values in parsed.rows:
        key = values[key_i]
        if sc_i is not None and values[sc_i] is not None and values[sc_i].casefold() != own_code:
            plan.other_centre.append((excel_row, key, values[sc_i]))
            continue
        if key in first_row:
            plan.duplicates.append((excel_row, key, first_row[key]))
            if _strip_sc(values, sc_i) != _strip_sc(candidates[key][1], sc_i):
                conflicting.add(key)
            continue
        first_row[key] = excel_row
        candidates[key] = (excel_row, values)
    for key in conflicting:
        excel_row, _ = candidates.pop(key)
        plan.duplicates.append((excel_row, key, excel_row))

    # Compare chunk by chunk, so memory holds one chunk of database rows at a time.
    keys = list(candidates)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i:i + CHUNK]
        existing = _existing(session, dataset, sub_centre_id, chunk, fields)
        for key in chunk:
            excel_row, values = candidates[key]
            old = existing.get(key)
            if old is None:
                plan.creates.append((excel_row, key, values))
                continue
            record = {col.field: stored_value(col, values[p]) for col, p in zip(columns, positions)}
            # A blank yes/no cell keeps the stored answer: a blank 当事人保密 must never unmask a party.
            for col, p in zip(columns, positions):
                if col.kind == D.BOOL and values[p] is None:
                    record[col.field] = old[col.field]
            diff = {f: (old[f], record[f]) for f in fields
                    if old[f] != record[f] and not _same(old[f], record[f])}
            if diff:
                plan.updates.append(Change(excel_row, key, old["id"], old["version"],
                                           {f: record[f] for f in diff}, diff))
            else:
                plan.unchanged.append((excel_row, key, old["id"]))
    plan.duplicates.sort()
    return plan


def _strip_sc(values: tuple, sc_i: int | None) -> tuple:
    return values if sc_i is None else values[:sc_i] + values[sc_i + 1:]


def record_of(plan: Plan, values: tuple) -> dict[str, Any]:
    """The stored values of a parsed row (blank cells take the column's default)."""
    dataset = D.get(plan.dataset)
    return {f: stored_value(dataset.column(f), values[p]) for f, p in zip(plan.fields, plan.positions)}


def _existing(session: Session, dataset: D.Dataset, sub_centre_id: int, keys: list[str],
              fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    model = dataset.model
    key_col = getattr(model, dataset.key)
    scalars = [f for f in fields if f not in dataset.facets]
    cols = [model.id, model.version, key_col] + [getattr(model, f) for f in scalars]
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i:i + CHUNK]
        stmt = select(*cols).where(model.sub_centre_id == sub_centre_id, key_col.in_(chunk))
        for row in session.connection().execute(stmt):  # Core rows: no ORM row processing
            rec = {"id": row[0], "version": row[1]}
            rec.update(zip(scalars, row[3:]))
            out[row[2]] = rec
    facet_fields = [f for f in fields if f in dataset.facets]
    if facet_fields and out:
        by_id = {rec["id"]: rec for rec in out.values()}
        for f in facet_fields:
            for rec in out.values():
                rec[f] = set()
            facet = dataset.facets[f]
            fk, val = getattr(facet.table, facet.fk), getattr(facet.table, facet.value)
            ids = list(by_id)
            for i in range(0, len(ids), CHUNK):
                for owner, value in session.execute(select(fk, val).where(fk.in_(ids[i:i + CHUNK]))):
                    by_id[owner][f].add(value)
            for rec in out.values():
                rec[f] = tuple(sorted(rec[f]))
    return out
