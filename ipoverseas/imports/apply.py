"""Write a plan in the caller's transaction, and undo a batch.

Core statements: on SQLite the new rows, and each set of changed columns, go into a
staging table and then into the real table by one INSERT .. SELECT or one
version-checked UPDATE .. FROM (staged.py: the full-text index flushes once per
statement); on PostgreSQL the new rows by one COPY, the updates by multi-row
statements (bulk.py). Then the before-image of every
changed row in `record_versions` (built by the database: images.py),
the facets of experts and articles, the batch row with its counts, and one audit
event. When an UPDATE touches fewer rows than planned, someone else changed one of
them: the whole batch is refused (Busy "changed") and the transaction rolls back.
Rollback deletes the rows a batch created, restores the rows it updated to their
before-image, and keeps (and lists) every row that someone edited after the batch.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Callable

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ipoverseas.access.policy import Principal
from ipoverseas.audit import trail
from ipoverseas.cases import bulk_totals
from ipoverseas.core.models import (Case, Consultation, ConsultationEvent, ImportBatch, RecordVersion, User, utcnow)
from . import datasets as D, images, staged
from .bulk import Bulk
from .images import restorable
from .plan import CHUNK, Plan
from .problems import Busy

Progress = Callable[[float], None] | None


def write(session: Session, plan: Plan, *, user: Principal | None, filename: str, sha256: str,
          progress: Progress = None) -> ImportBatch:
    dataset = D.get(plan.dataset)
    model = dataset.model
    now = utcnow()
    batch = ImportBatch(user_id=user.id if user else None, sub_centre_id=plan.sub_centre_id, dataset=plan.dataset,
                        filename=filename[:300], sha256=sha256, created_count=len(plan.creates),
                        updated_count=len(plan.updates), unchanged_count=len(plan.unchanged),
                        rejected_count=plan.skipped, status="applied", created_at=now)
    session.add(batch)
    session.flush()
    scalars = [f for f in plan.fields if f not in dataset.facets]
    facets = [f for f in plan.fields if f in dataset.facets]
    total = max(len(plan.creates) + len(plan.updates), 1)
    done = 0
    user_id = user.id if user else None

    conn = session.connection()
    t = model.__table__
    versions = Bulk(conn, insert(RecordVersion.__table__).values(
        batch_id=batch.id, entity=dataset.entity, user_id=user_id, created_at=now,
        **{c: bindparam(c, type_=RecordVersion.__table__.c[c].type) for c in _VERSION_ROW}), _VERSION_ROW)

    # New rows: one INSERT, the columns every new row shares bound once.
    new_ids: dict[str, int] = {}
    if plan.creates:
        # New ids are above every id issued before (SQLite's rowid, PostgreSQL's sequence):
        # the batch's rows are read back by primary key (import_batch_id has no index: 0012).
        before_max = conn.execute(select(func.max(model.id))).scalar() or 0
        shared: dict[str, Any] = {"sub_centre_id": plan.sub_centre_id, "created_at": now, "updated_at": now,
                                  "version": 1, "import_batch_id": batch.id, "is_demo": False}
        if plan.dataset == "cases":
            shared.update(review_status="submitted", created_by_id=user_id)
        if plan.dataset == "articles":
            shared.update(author_id=user_id)
        if plan.dataset == "activities":
            shared.update(created_by_id=user_id)
        shared.update({f: dataset.column(f).default for f in dataset.scalar_fields
                       if f not in scalars and dataset.column(f).default is not None})
        written = [(f, p) for f, p in zip(plan.fields, plan.positions) if f in scalars]
        names = [f"v_{f}" for f, _ in written]
        # SQLite: staged, then moved by one statement (staged.py); PostgreSQL: multi-row statements.
        stage = staged.Stage(conn, [(n, t.c[f].type) for n, (f, _) in zip(names, written)]) \
            if staged.applies(conn) else None
        inserts = stage or Bulk(conn, insert(t).values(
            **shared, **{f: bindparam(f"v_{f}", type_=t.c[f].type) for f, _ in written}), names)
        positions = [p for _, p in written]
        blank = [(j, dataset.column(f).default) for j, (f, _) in enumerate(written)
                 if dataset.column(f).default is not None]
        # PostgreSQL's COPY takes every row in one statement, as the COPY floor does (its triggers once)
        step = max(len(plan.creates), 1) if getattr(inserts, "copy", None) else CHUNK
        for i in range(0, len(plan.creates), step):
            chunk = plan.creates[i:i + step]
            inserts.run(_new_rows(chunk, positions, blank))
            done += len(chunk)
            _tick(progress, done, total)
        if stage:
            # New cases: their totals by grouped statements after the move, not by a row trigger each
            many_cases = plan.dataset == "cases" and len(plan.creates) >= bulk_totals.MIN_ROWS
            with bulk_totals.added_after(conn) if many_cases else nullcontext():
                staged.move_new(stage, t, shared, [f for f, _ in written])
            stage.drop()
        key_col = getattr(model, dataset.key)
        for id_, key in conn.execute(select(model.id, key_col).where(model.id > before_max,
                                                                     model.import_batch_id == batch.id)):
            new_ids[key] = id_
        missing = [key for _, key, _ in plan.creates if key not in new_ids]
        for i in range(0, len(missing), CHUNK):   # an id below the old maximum (a cached sequence): by key
            for id_, key in conn.execute(select(model.id, key_col).where(
                    model.sub_centre_id == plan.sub_centre_id, key_col.in_(missing[i:i + CHUNK]))):
                new_ids[key] = id_
        step = max(len(plan.creates), 1) if versions.copy else CHUNK
        for i in range(0, len(plan.creates), step):
            versions.run((new_ids[key], "create", None, 1) for _, key, _ in plan.creates[i:i + step])

    # Changed rows: their before-image first (read by the database in this transaction: when a
    # row changed since the plan read it, its version moved and the update below refuses the
    # batch), then the version-checked update.
    if plan.updates:
        images.write(conn, dataset, [ch.id for ch in plan.updates], batch_id=batch.id, user_id=user_id, now=now)
        groups: dict[tuple[tuple[str, ...], bool], list] = {}
        for ch in plan.updates:
            changed = tuple(f for f in scalars if f in ch.diff)
            # A changed case goes back to review: only the national centre approves and publishes
            # (a published, typical or guiding case leaves the public library until re-approved).
            resubmit = ch.review_status not in (None, "submitted")
            groups.setdefault((changed, resubmit), []).append(ch)
        for (changed, resubmit), members in groups.items():
            # Only the changed columns are set: fewer indexes and triggers to run.
            values = {f: bindparam(f"v_{f}", type_=t.c[f].type) for f in changed}
            values.update(version=t.c.version + 1, updated_at=now, import_batch_id=batch.id)
            if resubmit:
                values["review_status"] = "submitted"
            if staged.applies(conn):   # every member in one UPDATE .. FROM a staging table
                run = staged.updater(conn, t, changed, {k: v for k, v in values.items() if k not in changed})
                step = max(len(members), 1)
            else:
                stmt = update(t).where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version")).values(**values)
                run = Bulk(conn, stmt, ["b_id", "b_version"] + [f"v_{f}" for f in changed]).run
                step = CHUNK
            for i in range(0, len(members), step):
                chunk = members[i:i + step]
                written_n = run((ch.id, ch.version, *[ch.values[f] for f in changed]) for ch in chunk)
                if written_n != len(chunk):
                    # A row's version moved after the plan read it: someone else edited it. The
                    # caller's transaction rolls back, so nothing of this batch is written.
                    raise Busy("changed")
                done += len(chunk)
                _tick(progress, done, total)

    # Facets of experts and articles: replace them for every row written.
    for f in facets:
        facet = dataset.facets[f]
        fk = getattr(facet.table, facet.fk)
        changed_ids = [ch.id for ch in plan.updates if f in ch.diff]
        for i in range(0, len(changed_ids), CHUNK):
            session.connection().execute(delete(facet.table.__table__).where(fk.in_(changed_ids[i:i + CHUNK])))
        p = plan.positions[plan.fields.index(f)]
        rows = [{facet.fk: new_ids[key], facet.value: v} for _, key, values in plan.creates for v in (values[p] or ())]
        rows += [{facet.fk: ch.id, facet.value: v} for ch in plan.updates if f in ch.diff for v in ch.values[f]]
        for i in range(0, len(rows), CHUNK):
            session.connection().execute(insert(facet.table.__table__), rows[i:i + CHUNK])

    trail.record(session, user, "import.apply", "import_batch", batch.id, detail={
        "dataset": plan.dataset, "sub_centre_id": plan.sub_centre_id, "filename": filename, "sha256": sha256,
        "counts": plan.counts})
    _tick(progress, total, total)
    return batch


_VERSION_ROW = ("entity_id", "action", "before", "after_version")


def _new_rows(chunk: list, positions: list[int], blank: list[tuple[int, Any]]) -> list[tuple]:
    """The written values of new rows, a blank cell taking its column's default: column by column
    (a Python step per row costs about 0.5 s per 100,000 rows)."""
    columns = list(zip(*(values for _, _, values in chunk)))
    if not columns:
        return []
    out = [columns[p] for p in positions]
    for j, default in blank:
        if None in out[j]:
            out[j] = [default if v is None else v for v in out[j]]
    return list(zip(*out))


def _tick(progress: Progress, done: int, total: int) -> None:
    if progress:
        progress(min(done / total, 1.0))


def undo(session: Session, batch: ImportBatch, user: Principal | None) -> dict[str, Any]:
    """Undo one batch in the caller's transaction; returns what was removed, restored and kept."""
    dataset = D.get(batch.dataset)
    model = dataset.model
    versions = session.execute(select(RecordVersion.entity_id, RecordVersion.action, RecordVersion.before,
                                      RecordVersion.after_version)
                               .where(RecordVersion.batch_id == batch.id)).all()
    ids = [v[0] for v in versions]
    current: dict[int, tuple[int, str]] = {}
    key_col = getattr(model, dataset.key)
    for i in range(0, len(ids), CHUNK):
        for id_, version, key in session.execute(select(model.id, model.version, key_col)
                                                 .where(model.id.in_(ids[i:i + CHUNK]))):
            current[id_] = (version, key)
    kept: list[dict[str, Any]] = []
    remove: list[int] = []
    restore: list[tuple[int, dict[str, Any]]] = []
    for entity_id, action, before, after_version in versions:
        now = current.get(entity_id)
        if now is None:
            continue  # already gone: nothing to undo
        if now[0] != after_version:
            kept.append({"id": entity_id, "key": now[1], "reason": "edited_after"})
            continue
        if action == "create":
            remove.append(entity_id)
        else:
            restore.append((entity_id, before or {}))
    in_use = _in_use(session, dataset, remove)
    for id_ in in_use:
        kept.append({"id": id_, "key": current[id_][1], "reason": "in_use"})
    remove = [i for i in remove if i not in in_use]
    for i in range(0, len(remove), CHUNK):
        session.connection().execute(delete(model.__table__).where(model.__table__.c.id.in_(remove[i:i + CHUNK])))
    restored_cols = list(restorable(dataset))
    if restore:
        t = model.__table__
        stmt = update(t).where(t.c.id == bindparam("b_id")).values(**{c: bindparam(f"v_{c}") for c in restored_cols})
        params = [{"b_id": id_, **{f"v_{c}": images.value_of(before.get(c)) for c in restored_cols}} for id_, before in restore]
        for i in range(0, len(params), CHUNK):
            session.connection().execute(stmt, params[i:i + CHUNK])
        for name, facet in dataset.facets.items():
            fk = getattr(facet.table, facet.fk)
            ids_r = [id_ for id_, _ in restore]
            for i in range(0, len(ids_r), CHUNK):
                session.connection().execute(delete(facet.table.__table__).where(fk.in_(ids_r[i:i + CHUNK])))
            rows = [{facet.fk: id_, facet.value: v} for id_, before in restore for v in before.get(name, [])]
            for i in range(0, len(rows), CHUNK):
                session.connection().execute(insert(facet.table.__table__), rows[i:i + CHUNK])
    batch.status = "rolled_back"
    batch.rolled_back_at = utcnow()
    batch.rolled_back_by_id = user.id if user else None
    result = {"removed": len(remove), "restored": len(restore), "kept": kept}
    trail.record(session, user, "import.rollback", "import_batch", batch.id, detail={
        "dataset": batch.dataset, "sub_centre_id": batch.sub_centre_id, "removed": len(remove),
        "restored": len(restore), "kept": kept[:200]})
    return result


def _in_use(session: Session, dataset: D.Dataset, ids: list[int]) -> set[int]:
    """Experts that other records point at cannot be removed by a rollback."""
    if dataset.name != "experts" or not ids:
        return set()
    found: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        for col in (User.expert_id, Case.expert_id, Consultation.expert_id, ConsultationEvent.expert_id):
            found |= set(session.scalars(select(col).where(col.in_(chunk)).distinct()))
    return found
