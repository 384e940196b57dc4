"""Traces of an import that never finished: its batch is "running" until applied, "failed" if not.

- start(): before the apply, the batch is written as "running" (who, when, which file, and which
  process: host, pid and the pid's start time) in its own short transaction, so it survives the
  apply transaction's rollback and the death of the process.
- claim(): the apply transaction deletes that row as its first write, and `apply.write` adds the
  applied batch; both commit together. On PostgreSQL the deleted row stays locked until then,
  which is how another process tells a live import from a dead one (SKIP LOCKED).
- abandon(): an apply that refused or found the database busy wrote nothing: the row goes.
  fail(): an apply that broke (an error, Ctrl-C): the row becomes "failed", with an audit event.
- sweep(): at start-up, a "running" batch whose process is gone (this host: no such pid, or a new
  process under that pid; another host: older than STALE_AFTER and not locked by a live apply) is
  marked "failed", with an audit event naming who, when and which file.

A failed or running batch is never offered for rollback nor counted as applied (both ask for
status "applied").
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ipoverseas.audit import trail
from ipoverseas.access.policy import Principal
from ipoverseas.core import db
from ipoverseas.core.models import ImportBatch, User, utcnow

log = logging.getLogger(__name__)

RUNNING, FAILED = "running", "failed"
# Longer than any apply could wait unlocked: the re-plan before claim() and the sub-centre lock (30 s).
STALE_AFTER = timedelta(minutes=15)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None if Path("/proc/self/stat").exists() else _alive_elsewhere(pid)
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else fields[19]   # a zombie has finished


def _alive_elsewhere(pid: int) -> str | None:
    """No /proc: whether the pid exists at all ("?" for its unknown start time)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "?"


def this_process() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or '?'}"[:200]


def process_state(process: str | None) -> str:
    """"gone" or "alive" for a process ("host:pid:start") of this host; "unknown" for another host's."""
    try:
        host, pid, start = (process or "").rsplit(":", 2)
        pid_number = int(pid)
    except ValueError:
        return "unknown"
    if host != socket.gethostname():
        return "unknown"
    now = _start_time(pid_number)
    if now is None or (start != "?" and now != "?" and now != start):   # ended, or its pid now another's
        return "gone"
    return "alive"


def start(user: Principal | None, *, sub_centre_id: int, dataset: str, filename: str, sha256: str) -> int:
    """The batch as "running" (its counts 0: a failed import wrote nothing); returns its id.

    A plain transaction that leaves the database revision alone: the plan's read-ahead of the
    stored rows is valid while the revision has not moved (plan.ReadAhead), and this row is no
    data of it. The apply's commit moves the revision for every cached read."""
    with Session(db.get_engine(), expire_on_commit=False) as session, session.begin():
        batch = ImportBatch(user_id=user.id if user else None, sub_centre_id=sub_centre_id, dataset=dataset,
                            filename=filename[:300], sha256=sha256, created_count=0, updated_count=0,
                            unchanged_count=0, rejected_count=0, status=RUNNING, created_at=utcnow(),
                            process=this_process())
        session.add(batch)
        session.flush()
        return batch.id


def claim(session: Session, batch_id: int) -> None:
    """In the apply transaction: the running row goes when (and only when) the applied batch commits."""
    session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == RUNNING))


def abandon(batch_id: int) -> None:
    """Nothing was written (refused, nothing to do, busy): no trace needed."""
    try:
        with db.write_session() as session:
            session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == RUNNING))
    except SQLAlchemyError:   # the start-up sweep will find it
        log.warning("could not remove the running mark of batch %s", batch_id, exc_info=True)


def fail(batch_id: int, user: Principal | None, error: BaseException) -> None:
    """The apply broke: the batch stays, marked failed, with an audit event."""
    try:
        with db.write_session() as session:
            _mark_failed(session, batch_id, user, cause="error", error=type(error).__name__)
    except SQLAlchemyError:
        log.warning("could not mark batch %s failed", batch_id, exc_info=True)


def _mark_failed(session: Session, batch_id: int, actor: Principal | None, **detail) -> bool:
    done = session.execute(update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == RUNNING)
                           .values(status=FAILED))
    if not done.rowcount:
        return False
    batch = session.get(ImportBatch, batch_id)
    who = session.scalar(select(User.username).where(User.id == batch.user_id)) if batch.user_id else None
    trail.record(session, actor, "import.failed", "import_batch", batch_id, detail={
        "dataset": batch.dataset, "sub_centre_id": batch.sub_centre_id, "filename": batch.filename,
        "sha256": batch.sha256, "by": who, "started_at": batch.created_at, "process": batch.process, **detail})
    return True


def sweep() -> list[int]:
    """Mark failed every running batch whose process is gone; returns their ids. Never raises:
    start-up goes on (a database busy with an import is asked again at the next start)."""
    try:
        with db.write_session() as session:
            stmt = select(ImportBatch.id, ImportBatch.process, ImportBatch.created_at).where(
                ImportBatch.status == RUNNING).order_by(ImportBatch.id)
            if session.get_bind().dialect.name == "postgresql":   # a live apply holds its row: skip it
                stmt = stmt.with_for_update(skip_locked=True)
            stale_before = utcnow() - STALE_AFTER
            failed = []
            for batch_id, process, started in session.execute(stmt).all():
                state = process_state(process)
                if state == "gone":
                    cause = "process_gone"
                elif state == "unknown" and started < stale_before:   # another host's: by its age
                    cause = "stale"
                else:
                    continue
                if _mark_failed(session, batch_id, None, cause=cause):
                    failed.append(batch_id)
    except SQLAlchemyError:
        log.warning("could not look for interrupted imports", exc_info=True)
        return []
    if failed:
        log.warning("interrupted imports marked failed: batches %s", failed)
    return failed
