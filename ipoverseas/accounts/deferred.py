"""The writes of logins, logouts and password changes, when the database is busy.

On SQLite one writer at a time holds the whole database, and a large import holds it for its whole
apply (15-45 s for 100,000 rows). A login, a logout or a password change must not wait for it. So
each of them first decides what happens from a read (reads are never blocked: WAL) and the Argon2
check (outside any transaction), then hands its write here as an `Event`:

- `write` tries it at once, waiting at most `LOCK_WAIT_MS` for the lock; on PostgreSQL, where an
  import locks only its own rows, that is nearly always enough.
- When the database is busy, the event waits in this process's queue, and a background thread
  writes the queued events one by one, in order, as soon as the database is free (each in its own
  transaction, exactly as it would have been written at once, with the time it happened).
- Until then the event already counts in this process: `pending()` hands the queue to the readers
  (sessions, authentication), which replay it over what they read (`Event.on_user`,
  `Event.on_session`): a session opened at a login exists, a logged-out one has ended, a new
  password is the password, a wrong one counts towards the lockout.

What this costs: a queued event lives in this process only until it is written. Another server
process learns of it when it is written (a login made during an import is known to the others once
the import ends), and a process killed before then loses it (`flush_at_exit` tries once more).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ipoverseas.audit import trail
from ipoverseas.core import db

log = logging.getLogger(__name__)

LOCK_WAIT_MS = 300        # how long an account's write waits for the lock before it is queued
RETRY_SECONDS = 0.5       # the pause between two tries of the queue on a busy database
EXIT_FLUSH_SECONDS = 5.0  # how long a process that ends still tries to write its queue

T = TypeVar("T")


@dataclass
class Event:
    """One account write. Subclasses say what it writes and how it changes what is read meanwhile."""

    at: datetime
    engine: Engine | None = field(default=None, init=False, repr=False, compare=False)
    late: bool = field(default=False, init=False, repr=False, compare=False)

    def write(self, session: Session) -> Any:
        """Write it in the caller's transaction (the revision is bumped by the caller). Called once
        at once, or later from the queue (`late` is then true); must depend on nothing but the event."""
        raise NotImplementedError

    def audit(self, session: Session, *args: Any, **kwargs: Any) -> None:
        """`trail.record`, dated when the event happened if it is written late."""
        event = trail.record(session, *args, **kwargs)
        if self.late:
            event.at = self.at

    def on_user(self, user: Any) -> None:
        """Apply its effect to a snapshot of an account (an object with User's attributes)."""

    def on_session(self, token_hash: str, row: Any | None) -> Any | None:
        """Its effect on a snapshot of the session `token_hash` names (None: no such session)."""
        return row


@dataclass
class Audited(Event):
    """Nothing but an audit event (a refused login, say)."""

    actor: Any
    action: str
    entity: str | None
    entity_id: int | None
    detail: dict | None = None

    def write(self, session: Session) -> None:
        self.audit(session, self.actor, self.action, self.entity, self.entity_id, detail=self.detail)


_queue: deque[Event] = deque()
_lock = threading.Lock()
_thread: threading.Thread | None = None


def write(event: Event) -> tuple[bool, Any]:
    """Write `event` now, or queue it when the database is busy: (True, what `write` returned) or
    (False, None). An event is queued too while others wait, so they are written in order (a logout
    never overtakes its login). Any other error of the write is raised, as is a refusal."""
    engine = db.get_engine()
    with _lock:
        waiting = bool(_queue)
    if not waiting:
        try:
            with db.write_session(engine, lock_wait_ms=LOCK_WAIT_MS) as session:
                return True, event.write(session)
        except Exception as exc:
            if not db.is_busy(exc):
                raise
            log.info("database busy: %s queued", type(event).__name__)
    event.engine, event.late = engine, True
    with _lock:
        _queue.append(event)
        _start()
    return False, None


def pending(read: Callable[[], T]) -> tuple[T, list[Event]]:
    """Run `read` and return what it read with the events still queued for this database, in order.

    Consistent: an event is either in the list, or written before `read` began (the queue's thread
    commits and takes an event off under the same lock)."""
    if not _queue:
        return read(), []
    with _lock:
        url = db.get_engine().url
        return read(), [event for event in _queue if event.engine is not None and event.engine.url == url]


def replay_user(user: Any, events: list[Event]) -> Any:
    for event in events:
        event.on_user(user)
    return user


def replay_session(token_hash: str, row: Any | None, events: list[Event]) -> Any | None:
    for event in events:
        row = event.on_session(token_hash, row)
    return row


def _start() -> None:
    global _thread
    if _thread is None or not _thread.is_alive():
        _thread = threading.Thread(target=_run, name="ipoverseas-deferred-writes", daemon=True)
        _thread.start()


def _run() -> None:
    while True:
        with _lock:
            if not _queue:
                return
            event = _queue[0]
        if not _write_late(event):
            time.sleep(RETRY_SECONDS)


def _write_late(event: Event) -> bool:
    """Write the queue's first event (waiting the usual busy timeout); True when it is off the queue."""
    session = Session(db.writer(event.engine), expire_on_commit=False)
    try:
        session.begin()
        event.write(session)
        db.bump_revision(session)
        session.flush()
        with _lock:
            session.commit()
            _queue.popleft()
        return True
    except Exception as exc:
        session.rollback()
        if db.is_busy(exc):
            return False
        log.exception("%s could not be written; dropped", type(event).__name__)
        with _lock:
            _queue.popleft()
        return True
    finally:
        session.close()


def waiting() -> int:
    """How many events wait in this process."""
    return len(_queue)


def drain(timeout: float = 30.0) -> bool:
    """Wait until the queue is written (or `timeout` seconds); True when it is empty."""
    deadline = time.monotonic() + timeout
    while _queue and time.monotonic() < deadline:
        with _lock:
            _start()
        time.sleep(0.05)
    return not _queue


def clear() -> None:
    """Forget every queued event (for tests that end with a database gone)."""
    with _lock:
        _queue.clear()


@atexit.register
def flush_at_exit() -> None:
    if _queue:
        try:
            done = drain(EXIT_FLUSH_SECONDS)
        except RuntimeError:   # no new thread at interpreter shutdown
            done = False
        if not done:
            log.error("%d account writes were not written before the process ended", len(_queue))
