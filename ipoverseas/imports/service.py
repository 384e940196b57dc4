"""The upload pipeline as the page and the command line call it.

prepare(): pre-flight check -> read and validate in a child process (intake.py) -> plan (preview)
apply():   re-plan in one write transaction (under a per-sub-centre lock) -> write
rollback(): undo a batch; history(): the batches and refused uploads a user may see (refusals.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import DateTime, Integer, String, Text, func, literal, null, select, text, union_all
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.core import db
from ipoverseas.access.policy import Principal
from ipoverseas.core.models import ImportBatch, ImportRefusal, SubCentre, User
from ipoverseas.sharing import fanout
from . import apply as applier, datasets as D, gcpause, intake, plan as planner, preflight, refusals, running
from .plan import Plan
from .problems import Busy, Denied, Refused
from ipoverseas.sharing import imports as sharing

log = logging.getLogger(__name__)

# From this many rows on, the stored rows are read while the child parses (a smaller plan is quick).
READ_AHEAD_ROWS = 2_000

ALL_OR_NOTHING, SKIP_INVALID = "all", "skip"


@dataclass
class Prepared(intake.Intake):
    """A file read (an `intake.Intake`) for a sub-centre, with its plan."""

    sub_centre_id: int = 0
    plan: Plan | None = None
    already_batch: int | None = None      # an applied batch of this very file
    refusal_id: int | None = None         # the import history's note of its rows with errors
    ahead: planner.ReadAhead | None = field(default=None, repr=False)   # for the next plan only
    # excel row -> other sub-centres' records of possibly the same dispute (sharing.duplicates); None: not checked
    possible_duplicates: dict[int, list] | None = None

    @property
    def blocking(self) -> int:
        """Rows that stop an all-or-nothing import: invalid rows and conflicting duplicates."""
        plan = self.plan
        conflicts = len({k for r, k, first in plan.duplicates if r == first}) if plan else 0
        return len(self.parsed.rejected) + conflicts


@dataclass
class Result:
    batch_id: int | None
    counts: dict[str, int]
    nothing_to_do: bool = False
    already_batch: int | None = None

    @property
    def message_args(self) -> dict[str, int]:
        c = self.counts
        return {"batch": self.batch_id or 0, "created": c["created"], "updated": c["updated"],
                "unchanged": c["unchanged"], "skipped": c["rejected"] + c["duplicates"] + c["other_centre"]}


def sub_centre_id_for(code: str) -> int:
    with db.read_session() as s:
        found = s.scalar(select(SubCentre.id).where(func.upper(SubCentre.code) == code.strip().upper()))
    if found is None:
        raise Refused("unknown_sub_centre", code=code)
    return found


def check_may_import(user: Principal | None, sub_centre_id: int) -> None:
    """`user` None is the operator at the server's command line, who may import anywhere."""
    if user is None:
        return
    if not policy.can(user, "import_records", {"sub_centre_id": sub_centre_id}):
        raise Denied("other_sub_centre")


def prepare(source: bytes | str | Path, filename: str, dataset: str, user: Principal | None,
            sub_centre_id: int, *, with_plan: bool = True) -> Prepared:
    """Check, read, validate and (with_plan) compare with the database. Writes nothing."""
    if not D.get(dataset).batched:
        raise ValueError(f"{dataset} are not imported as a batch: see imports.accounts")
    check_may_import(user, sub_centre_id)
    try:
        got, ahead = intake.read(source, filename, dataset,
                                 meanwhile=lambda package: _read_ahead(package, dataset, sub_centre_id))
    except Refused as exc:   # the file as a whole: noted for the import history
        refusals.record(source, filename, dataset, user, sub_centre_id, refusal=exc)
        raise
    prepared = Prepared(**vars(got), sub_centre_id=sub_centre_id, ahead=ahead)
    if prepared.parsed.rejected:   # rows with errors: the check refused them, noted with their problems
        prepared.refusal_id = refusals.record(source, filename, dataset, user, sub_centre_id,
                                              problems=prepared.parsed.problems, sha256=prepared.sha256)
    with db.read_session() as session:
        prepared.already_batch = _applied_batch(session, prepared.sha256, dataset, sub_centre_id)
        if with_plan:
            with gcpause.paused():
                prepared.plan = planner.make(session, prepared.parsed, sub_centre_id, prepared.ahead)
                prepared.ahead = None
            prepared.possible_duplicates = sharing.check_plan(session, prepared.parsed, prepared.plan)
    return prepared


def _read_ahead(package: preflight.Package, dataset: str, sub_centre_id: int) -> planner.ReadAhead | None:
    """The stored rows the plan will compare, when the file is big enough to want them all."""
    expected = max((sheet.max_row for sheet in package.sheets if sheet.visible), default=0)
    if expected < READ_AHEAD_ROWS:
        return None
    try:
        with db.read_session() as session:
            return planner.read_ahead(session, dataset, sub_centre_id, expected)
    except SQLAlchemyError:   # only a head start: the plan reads the rows itself
        log.warning("reading the stored rows ahead failed", exc_info=True)
        return None


def _applied_batch(session: Session, sha: str, dataset: str, sub_centre_id: int) -> int | None:
    return session.scalar(select(ImportBatch.id).where(
        ImportBatch.sha256 == sha, ImportBatch.dataset == dataset, ImportBatch.sub_centre_id == sub_centre_id,
        ImportBatch.status == "applied").order_by(ImportBatch.id.desc()).limit(1))


def apply(prepared: Prepared, user: Principal | None, *, mode: str = ALL_OR_NOTHING,
          check_signature: bool = True, progress: Callable[[float], None] | None = None) -> Result:
    """Write the import in one transaction. Nothing is written when the plan is refused. Then, after
    the commit, what the import shares (sharing.imports: possible duplicates, regions to notify)."""
    result = _apply(prepared, user, mode=mode, check_signature=check_signature, progress=progress)
    if result.batch_id is not None:
        _analyse_after_bulk(prepared, result)
        sharing.after_import(prepared, result.batch_id)
    return result


ANALYSE_ROWS = 10_000   # rows written by one import after which PostgreSQL's statistics are refreshed


def _analyse_after_bulk(prepared: Prepared, result: Result) -> None:
    """PostgreSQL: refresh the statistics of the table a large import filled, at once (autovacuum
    does it within minutes): with a table's size unknown to it, the planner read thousands of rows
    per lookup of the duplicate check that follows (1-2 s per 1,000 rows, 150 s of a 100,000-row
    import). The table's columns are named, so the expression indexes are skipped: the search's gram
    expression made a whole-table ANALYZE cost 10.5 s after 100,000 cases, the named columns 0.1 s.
    A named-column ANALYZE leaves autovacuum's count of changes alone, so it still analyses the
    whole table soon after. SQLite's statistics are refreshed by `migrate` (README)."""
    written = int(result.counts.get("created", 0)) + int(result.counts.get("updated", 0))
    if written < ANALYSE_ROWS or db.is_sqlite():
        return
    table = D.get(prepared.dataset).model.__table__
    columns = ", ".join(f'"{column.name}"' for column in table.columns)
    try:
        with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'ANALYZE "{table.name}" ({columns})')
    except SQLAlchemyError:   # only statistics: the import has committed
        log.warning("ANALYZE after import failed", exc_info=True)


def _apply(prepared: Prepared, user: Principal | None, *, mode: str,
           check_signature: bool, progress: Callable[[float], None] | None) -> Result:
    check_may_import(user, prepared.sub_centre_id)
    if mode == ALL_OR_NOTHING and prepared.parsed.rejected:
        raise Refused("has_errors", rows=len(prepared.parsed.rejected))
    try:   # a trace that survives the apply's rollback and the process's death (running.py)
        running_id = running.start(user, sub_centre_id=prepared.sub_centre_id, dataset=prepared.dataset,
                                   filename=prepared.filename, sha256=prepared.sha256)
    except (OperationalError, DBAPIError):
        log.warning("import could not start on a busy database", exc_info=True)
        raise Busy("busy") from None
    try:
        with gcpause.paused(), db.write_session() as session:
            _lock_sub_centre(session, prepared.sub_centre_id)
            running.claim(session, running_id)   # gone when the applied batch commits, back if not
            plan = planner.make(session, prepared.parsed, prepared.sub_centre_id, prepared.ahead)
            prepared.ahead = None
            if check_signature and prepared.plan is not None and plan.signature() != prepared.plan.signature():
                raise Busy("changed")
            prepared.plan = plan
            if mode == ALL_OR_NOTHING and prepared.blocking:
                raise Refused("has_errors", rows=prepared.blocking)
            if not plan.has_changes:
                return Result(None, plan.counts, nothing_to_do=True,
                              already_batch=_applied_batch(session, prepared.sha256, prepared.dataset,
                                                           prepared.sub_centre_id))
            batch = applier.write(session, plan, user=user, filename=prepared.filename,
                                  sha256=prepared.sha256, progress=progress)
            result = Result(batch.id, plan.counts)
    except (Refused, Busy, Denied):
        running.abandon(running_id)
        raise
    except (OperationalError, IntegrityError, DBAPIError) as exc:
        log.warning("import hit a busy or changed database: %s", exc.__class__.__name__, exc_info=True)
        running.abandon(running_id)
        raise Busy("busy") from None
    except BaseException as exc:   # a fault or an interrupt: the batch stays, marked failed
        running.fail(running_id, user, exc)
        raise
    fanout.announce_import(result.batch_id)   # the followers hear of it after the commit, never inside it
    return result


def run(source: bytes | str | Path, filename: str, dataset: str, user: Principal | None, sub_centre_id: int, *,
        dry_run: bool = False, skip_invalid: bool = False,
        progress: Callable[[float], None] | None = None) -> tuple[Prepared, Result | None]:
    """The command line's one step: prepare, then apply unless dry_run (the plan is made once)."""
    prepared = prepare(source, filename, dataset, user, sub_centre_id, with_plan=dry_run)
    if dry_run:
        return prepared, None
    result = apply(prepared, user, mode=SKIP_INVALID if skip_invalid else ALL_OR_NOTHING,
                   check_signature=False, progress=progress)
    return prepared, result


def _lock_sub_centre(session: Session, sub_centre_id: int) -> None:
    """One import at a time per sub-centre (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL lock_timeout = '30s'"))
        session.execute(select(SubCentre.id).where(SubCentre.id == sub_centre_id).with_for_update())


def rollback(batch_id: int, user: Principal | None) -> dict[str, Any]:
    try:
        with db.write_session() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SET LOCAL lock_timeout = '30s'"))
            batch = session.scalar(select(ImportBatch).where(ImportBatch.id == batch_id).with_for_update())
            if batch is None:
                raise Refused("no_batch", batch=batch_id)
            if user is not None and not policy.can(user, "rollback_batch", batch):
                raise Denied("rollback_other")
            if batch.status != "applied":   # rolled back already, or an import that never applied
                raise Refused("already_rolled_back" if batch.status == "rolled_back" else "not_applied", batch=batch_id)
            if batch.sub_centre_id is not None:
                _lock_sub_centre(session, batch.sub_centre_id)
            return applier.undo(session, batch, user)
    except (Refused, Busy, Denied):
        raise
    except (OperationalError, IntegrityError, DBAPIError):
        log.warning("rollback hit a busy database", exc_info=True)
        raise Busy("busy") from None


def history(user: Principal, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """The batches and the refused uploads `user` may see, newest first: staff their
    sub-centre's, admin all. Each row's `kind` is "batch" or "refusal" (status "refused")."""
    if not policy.can(user, "import_records"):
        return []
    none_int = lambda: null().cast(Integer)  # noqa: E731
    batches = (select(literal("batch").label("kind"), ImportBatch.id, ImportBatch.dataset, ImportBatch.filename,
                      ImportBatch.sha256, none_int().label("size_bytes"),
                      ImportBatch.created_count, ImportBatch.updated_count, ImportBatch.unchanged_count,
                      ImportBatch.rejected_count, ImportBatch.status, ImportBatch.created_at,
                      ImportBatch.rolled_back_at, SubCentre.code.label("sub_centre"),
                      SubCentre.name_zh.label("sub_centre_zh"), SubCentre.name_en.label("sub_centre_en"), User.username,
                      null().cast(String).label("cause"), none_int().label("problem_count"),
                      null().cast(Text).label("problems"))
               .outerjoin(SubCentre, SubCentre.id == ImportBatch.sub_centre_id)
               .outerjoin(User, User.id == ImportBatch.user_id)
               .where(policy.where(user, "import_records")))
    refused = (select(literal("refusal").label("kind"), ImportRefusal.id, ImportRefusal.dataset, ImportRefusal.filename,
                      ImportRefusal.sha256, ImportRefusal.size_bytes.cast(Integer).label("size_bytes"),
                      none_int(), none_int(), none_int(), none_int(), literal("refused"), ImportRefusal.created_at,
                      null().cast(DateTime), SubCentre.code, SubCentre.name_zh, SubCentre.name_en, User.username,
                      ImportRefusal.cause, ImportRefusal.problem_count, ImportRefusal.problems)
               .outerjoin(SubCentre, SubCentre.id == ImportRefusal.sub_centre_id)
               .outerjoin(User, User.id == ImportRefusal.user_id)
               .where(policy.where(user, "import_records", ImportRefusal)))
    both = union_all(batches, refused).subquery()
    stmt = select(both).order_by(both.c.created_at.desc(), both.c.kind, both.c.id.desc()).limit(limit).offset(offset)
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def history_count(user: Principal) -> int:
    if not policy.can(user, "import_records"):
        return 0
    with db.read_session() as s:
        return sum(int(s.scalar(select(func.count()).select_from(table)
                                .where(policy.where(user, "import_records", table))) or 0)
                   for table in (ImportBatch, ImportRefusal))


def sub_centres(user: Principal) -> list[dict[str, Any]]:
    """The sub-centres `user` may import into."""
    stmt = select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en).where(SubCentre.active.is_(True))
    if not policy.sees_all(user, "import_records"):  # staff: their own sub-centre
        stmt = stmt.where(SubCentre.id == user.sub_centre_id)
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt.order_by(SubCentre.code))]
