"""Transfers from the national centre (转交): the admin hands a consultation, or a dispute lead (an
enterprise, a country, what happened, the deadline it faces), to a sub-centre with a note; the
sub-centre's staff accept it or refuse it with a reason; the admin may then send a refused one
elsewhere (a new transfer, `previous_id` / `next_id`) or withdraw a pending one.

Accepting a lead makes it a new consultation of that sub-centre, in its triage queue, on the
consultation clock from the moment of acceptance; accepting a consultation moves it (with its
clock, expert and thread) to that sub-centre.

The acceptance clock counts working days (`consultations.calendar`, the same clock as the
consultations': `clock.deadline`) from the transfer: `transfer_accept_days` (a setting) to accept
or refuse. `Transfer.due_at` is stored with its basis (the days and the calendar's digest), so
lists filter, sort and count overdue ones in SQL; `recompute_due()` stores it again when the
calendar changes (`network.workcalendar`) or the setting did. Both sides see the working days
used (`decision_days` once decided).

Every step is audited (entity "transfer"), reads and writes go through the policy
(`read_transfer`, `transfer_dispute`, `take_transfer`: staff only ever reach their own
sub-centre's transfers, whatever id they send), and writers lock the row, so two staff
accepting at once take turns and the second is refused.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

from sqlalchemy import and_, func, or_, select, true, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from ipoverseas.access import policy
from ipoverseas.access.policy import ADMIN, Principal
from ipoverseas.accounts import notifications
from ipoverseas.audit import trail
from ipoverseas.consultations import calendar, clock, workflow
from ipoverseas.core import config, db, errors, localtime, vocab
from ipoverseas.core.models import Consultation, ConsultationEvent, SubCentre, Transfer, User, utcnow

STATES = ("pending", "accepted", "refused", "withdrawn")
FILTERS = ("pending", "overdue", "accepted", "refused", "withdrawn")   # "overdue": pending past its due time
MAX_TEXT = 20_000
MAX_LINE = 300
RECOMPUTE_CHUNK = 200
MAX_ID = 2**31 - 1


def accept_days() -> float:
    return float(config.get("transfer_accept_days"))


def clock_basis() -> str:
    """What the stored due times are computed on now: the days to accept and the calendar."""
    return clock.basis(accept_days())


@dataclass
class Lead:
    """A dispute the centre heard of, not yet a consultation."""

    company: str
    country: str | None
    description: str
    deadline: date | None = None
    contact: str = ""


@contextmanager
def _write() -> Iterator[Session]:
    try:
        with db.write_session() as s:
            yield s
    except StaleDataError as exc:
        raise errors.Stale("transfers.error.changed_meanwhile") from exc


def _text(field: str, value: str | None, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise errors.Invalid([(field, "service.error.required", {})])
    if len(value) > limit:
        raise errors.Invalid([(field, "service.error.too_long", {"max": limit})])
    return value


def validate_lead(lead: Lead, today: date | None = None) -> list[tuple[str, str, dict]]:
    """Every problem of a lead at once: (field, i18n key, values)."""
    today = today or localtime.today()
    problems: list[tuple[str, str, dict]] = []
    for name, limit in (("company", MAX_LINE), ("description", MAX_TEXT)):
        value = (getattr(lead, name) or "").strip()
        if not value:
            problems.append((name, "service.error.required", {}))
        elif len(value) > limit:
            problems.append((name, "service.error.too_long", {"max": limit}))
    if len((lead.contact or "").strip()) > MAX_LINE:
        problems.append(("contact", "service.error.too_long", {"max": MAX_LINE}))
    if not lead.country:
        problems.append(("country", "service.error.required", {}))
    elif vocab.countries().lookup(lead.country) is None:
        problems.append(("country", "service.error.unknown_value", {"value": str(lead.country)}))
    if lead.deadline is not None and lead.deadline < today:
        problems.append(("deadline", "service.error.deadline_past", {"value": lead.deadline.isoformat()}))
    return problems


# --- the clock -------------------------------------------------------------------------------


def _set_due(t: Transfer, basis: str | None = None) -> None:
    """Store the acceptance deadline; a stale overdue mark (for an earlier deadline) is cleared,
    so the sweep notifies again if the transfer goes past the new one."""
    t.due_at = clock.deadline(t.created_at, accept_days())
    t.clock_basis = basis or clock_basis()
    if t.overdue_notified_at is not None and (t.due_at is None or t.due_at > t.overdue_notified_at):
        t.overdue_notified_at = None


def _decide(t: Transfer, now: datetime) -> None:
    t.decision_days = calendar.working_time(t.created_at, now)
    t.decided_on_time = t.decision_days <= accept_days() + 1e-9
    t.updated_at = now


def overdue_sql(now: datetime, table=Transfer):
    """SQL: still pending and strictly past the stored deadline."""
    return and_(table.status == "pending", table.due_at < now)


def recompute_due(only_stale: bool = True, chunk: int = RECOMPUTE_CHUNK) -> int:
    """Store the due times of the pending transfers again (after the calendar or the setting
    changed; `only_stale`: those computed on another basis). In small locked batches; one audit
    event at the end. Returns how many were recomputed; only those whose deadline the change
    moves get another `due_at`."""
    basis = clock_basis()
    chosen = Transfer.status == "pending"
    if only_stale:
        chosen = and_(chosen, or_(Transfer.clock_basis.is_(None), Transfer.clock_basis != basis))
    with db.read_session() as s:   # nothing to do: no write, no revision bump
        if s.scalar(select(Transfer.id).where(chosen).limit(1)) is None:
            return 0
    done, last, moved = 0, 0, []
    while True:
        with _write() as s:
            rows = list(s.scalars(select(Transfer).where(chosen, Transfer.id > last).order_by(Transfer.id)
                                  .limit(chunk).with_for_update().execution_options(populate_existing=True)))
            if not rows:
                break
            for t in rows:
                before = t.due_at
                _set_due(t, basis)
                if t.due_at != before:
                    moved.append(t.id)
        last, done = rows[-1].id, done + len(rows)
    if done:     # nothing stale (every start-up, usually): nothing to write
        with db.write_session() as s:
            trail.record(s, None, "transfer.recompute_due", "transfer", None,
                         detail={"basis": basis, "rows": done, "moved": moved[:200]})
    return done


# --- reading ---------------------------------------------------------------------------------


def _load(s: Session, user: Principal, transfer_id: int, *, lock: bool = False) -> Transfer:
    """The transfer if the user may see it, else errors.Denied (the same for "absent")."""
    if not 1 <= transfer_id <= MAX_ID:     # an id typed into the URL: PostgreSQL's integer refuses more
        raise errors.Denied(action="read_transfer")
    stmt = select(Transfer).where(Transfer.id == transfer_id, policy.where(user, "read_transfer"))
    if lock:
        stmt = stmt.with_for_update(of=Transfer).execution_options(populate_existing=True)
    t = s.scalar(stmt)
    if t is None or not policy.can(user, "read_transfer", t):
        raise errors.Denied(action="read_transfer")
    return t


def moves(user: Principal, t) -> tuple[str, ...]:
    """What the user may do with this transfer now: accept, refuse, withdraw, retransfer."""
    get = (lambda k: t[k]) if isinstance(t, dict) else (lambda k: getattr(t, k))
    out = []
    if get("status") == "pending" and policy.can(user, "take_transfer", t):
        out += ["accept", "refuse"]
    if get("status") == "pending" and policy.can(user, "transfer_dispute", t):
        out.append("withdraw")
    if get("status") == "refused" and get("next_id") is None and policy.can(user, "transfer_dispute", t):
        out.append("retransfer")
    return tuple(out)


_TARGET, _FROM = aliased(SubCentre), aliased(SubCentre)
_BY, _ACC, _REF = aliased(User), aliased(User), aliased(User)
LIST_COLUMNS = (Transfer.id, Transfer.kind, Transfer.consultation_id, Transfer.company, Transfer.country,
                Transfer.enterprise_deadline, Transfer.sub_centre_id, Transfer.status, Transfer.created_at,
                Transfer.due_at, Transfer.accepted_at, Transfer.refused_at, Transfer.withdrawn_at,
                Transfer.decision_days, Transfer.decided_on_time, Transfer.result_consultation_id,
                Transfer.next_id, Transfer.previous_id, Transfer.note, Transfer.is_demo,
                _TARGET.code.label("sub_centre"), _TARGET.name_zh.label("sub_centre_zh"),
                _TARGET.name_en.label("sub_centre_en"))


def _with_clock(row: dict, now: datetime) -> dict:
    """The acceptance clock as both sides see it: working days used (so far, or to the decision),
    the limit, and whether it is (or was) late."""
    row["limit_days"] = accept_days()
    if row["status"] == "pending":
        row["used_days"] = calendar.working_time(row["created_at"], now)
        row["overdue"] = row["due_at"] is not None and row["due_at"] < now
    else:
        row["used_days"] = row["decision_days"]
        row["overdue"] = False
    return row


def _filter(state: str | None, now: datetime):
    if state in (None, "all"):
        return true()
    if state == "overdue":
        return overdue_sql(now)
    if state in STATES:
        return Transfer.status == state
    raise ValueError(f"unknown transfer filter {state!r}")


def list_transfers(user: Principal, *, state: str | None = None, limit: int = 50, offset: int = 0,
                   now: datetime | None = None) -> tuple[list[dict], int]:
    """One page of the transfers the user may see, and how many match: pending (and overdue)
    ones by their due time, the others newest first. Filtered, counted and paged in SQL."""
    policy.require(user, "read_transfer")
    now = now or utcnow()
    where = [policy.where(user, "read_transfer"), _filter(state, now)]
    if state in ("pending", "overdue"):
        order = (Transfer.due_at.asc(), Transfer.id)
    else:
        order = (Transfer.created_at.desc(), Transfer.id.desc())
    with db.read_session() as s:
        total = int(s.scalar(select(func.count()).select_from(Transfer).where(*where)) or 0)
        rows = s.execute(select(*LIST_COLUMNS).join(_TARGET, _TARGET.id == Transfer.sub_centre_id)
                         .where(*where).order_by(*order).limit(limit).offset(max(offset, 0))).all()
    return [_with_clock(dict(r._mapping), now) for r in rows], total


def counts(user: Principal, now: datetime | None = None) -> dict[str, int]:
    """How many transfers the user may see, in all and per filter (one SQL query)."""
    policy.require(user, "read_transfer")
    now = now or utcnow()
    columns = [func.count().label("all")] + [
        func.coalesce(func.sum(workflow.sql_flag(_filter(name, now))), 0).label(name) for name in FILTERS]
    with db.read_session() as s:
        row = s.execute(select(*columns).select_from(Transfer).where(policy.where(user, "read_transfer"))).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}


def get(user: Principal, transfer_id: int, now: datetime | None = None) -> dict | None:
    """One transfer with its names, clock and the user's moves; None when absent or not allowed."""
    now = now or utcnow()
    with db.read_session() as s:
        try:
            t = _load(s, user, transfer_id)
        except errors.Denied:
            return None
        row = s.execute(select(*LIST_COLUMNS, Transfer.description, Transfer.contact, Transfer.refusal_reason,
                               Transfer.from_sub_centre_id, _FROM.code.label("from_sub_centre"),
                               _FROM.name_zh.label("from_sub_centre_zh"), _FROM.name_en.label("from_sub_centre_en"),
                               _BY.display_name.label("created_by"), _ACC.display_name.label("accepted_by"),
                               _REF.display_name.label("refused_by"))
                        .join(_TARGET, _TARGET.id == Transfer.sub_centre_id)
                        .outerjoin(_FROM, _FROM.id == Transfer.from_sub_centre_id)
                        .outerjoin(_BY, _BY.id == Transfer.created_by_id)
                        .outerjoin(_ACC, _ACC.id == Transfer.accepted_by_id)
                        .outerjoin(_REF, _REF.id == Transfer.refused_by_id)
                        .where(Transfer.id == t.id)).one()
        out = _with_clock(dict(row._mapping), now)
        out["moves"] = moves(user, t)
        return out


def open_consultations(user: Principal, limit: int = 200) -> list[dict]:
    """Open consultations the admin may transfer (none with a transfer pending), newest first."""
    policy.require(user, "transfer_dispute")
    pending = select(Transfer.consultation_id).where(Transfer.status == "pending",
                                                     Transfer.consultation_id.is_not(None))
    with db.read_session() as s:
        rows = s.execute(select(Consultation.id, Consultation.company, Consultation.country, Consultation.status,
                                SubCentre.code.label("sub_centre"), SubCentre.name_zh.label("sub_centre_zh"),
                                SubCentre.name_en.label("sub_centre_en"))
                         .outerjoin(SubCentre, SubCentre.id == Consultation.sub_centre_id)
                         .where(policy.where(user, "read_consultation"), Consultation.status.in_(workflow.OPEN),
                                Consultation.id.not_in(pending))
                         .order_by(Consultation.created_at.desc(), Consultation.id.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]


def sub_centres() -> list[dict]:
    """The active sub-centres a dispute can be sent to."""
    return workflow.sub_centres()


# --- the moves -------------------------------------------------------------------------------


def _admins(s: Session) -> list[int]:
    return list(s.scalars(select(User.id).where(User.role == ADMIN, User.active.is_(True))))


def _target(s: Session, sub_centre_id: int | None) -> SubCentre:
    target = s.get(SubCentre, sub_centre_id) if sub_centre_id else None
    if target is None or not target.active:
        raise errors.Invalid([("sub_centre_id", "transfers.error.no_sub_centre", {})])
    return target


def _open_consultation(s: Session, consultation_id: int | None) -> Consultation:
    c = s.scalar(select(Consultation).where(Consultation.id == consultation_id)
                 .with_for_update(of=Consultation).execution_options(populate_existing=True)) \
        if consultation_id else None
    if c is None:
        raise errors.Invalid([("consultation_id", "transfers.error.no_consultation", {})])
    if c.status not in workflow.OPEN:
        raise errors.NotNow("transfers.error.consultation_closed")
    return c


def _audit_row(t: Transfer) -> dict:
    return {k: getattr(t, k) for k in ("kind", "consultation_id", "company", "country", "enterprise_deadline",
                                       "sub_centre_id", "status", "due_at", "previous_id")}


def _add(s: Session, user: Principal, *, target: SubCentre, note: str, now: datetime, consultation: Consultation | None,
         lead: Lead | None, previous: Transfer | None = None, is_demo: bool = False) -> Transfer:
    if consultation is not None:
        if consultation.sub_centre_id == target.id:
            raise errors.Invalid([("sub_centre_id", "transfers.error.same_sub_centre", {})])
        if s.scalar(select(Transfer.id).where(Transfer.consultation_id == consultation.id,
                                              Transfer.status == "pending").limit(1)) is not None:
            raise errors.NotNow("transfers.error.already_pending")
        t = Transfer(kind="consultation", consultation_id=consultation.id, company=consultation.company,
                     country=consultation.country, enterprise_deadline=consultation.enterprise_deadline,
                     contact=consultation.contact or "", description=consultation.question[:MAX_TEXT],
                     from_sub_centre_id=consultation.sub_centre_id)
    else:
        assert lead is not None
        t = Transfer(kind="lead", company=lead.company.strip(), country=vocab.countries().lookup(lead.country),
                     description=lead.description.strip(), enterprise_deadline=lead.deadline,
                     contact=(lead.contact or "").strip())
    t.sub_centre_id, t.note, t.status = target.id, note, "pending"
    t.created_by_id, t.created_at, t.updated_at = user.id, now, now
    t.previous_id, t.is_demo = previous.id if previous is not None else None, is_demo
    _set_due(t)
    s.add(t)
    s.flush()
    trail.record(s, user, "transfer.create", "transfer", t.id, after=_audit_row(t), detail={"note": note} if note else None)
    notifications.notify(s, workflow.staff_of(s, target.id), "transfer", None, t.company,
                         entity="transfer", entity_id=t.id)
    return t


def create(user: Principal, *, sub_centre_id: int | None, note: str = "", consultation_id: int | None = None,
           lead: Lead | None = None, now: datetime | None = None) -> int:
    """Admin transfers a consultation (`consultation_id`) or a dispute lead (`lead`) to a
    sub-centre, with a note; its staff are notified. Returns the transfer's id."""
    policy.require(user, "transfer_dispute")
    if (consultation_id is None) == (lead is None):
        raise ValueError("transfer either a consultation or a lead")
    problems = validate_lead(lead) if lead is not None else []
    if sub_centre_id is None:       # said with the lead's problems, all at once
        problems.append(("sub_centre_id", "transfers.error.no_sub_centre", {}))
    if problems:
        raise errors.Invalid(problems)
    note = _text("note", note, required=False)
    now = now or utcnow()
    with _write() as s:
        target = _target(s, sub_centre_id)
        consultation = _open_consultation(s, consultation_id) if lead is None else None
        return _add(s, user, target=target, note=note, now=now, consultation=consultation, lead=lead).id


def accept(user: Principal, transfer_id: int, now: datetime | None = None) -> int:
    """Staff of the target sub-centre accept: a lead becomes a new consultation of theirs (in the
    triage queue, its clock starting now); a consultation moves to them. Returns its id."""
    now = now or utcnow()
    with _write() as s:
        t = _load(s, user, transfer_id, lock=True)
        policy.require(user, "take_transfer", t)
        if t.status != "pending":
            raise errors.NotNow("transfers.error.not_pending")
        if t.kind == "lead":
            c = Consultation(enterprise_user_id=None, created_by_id=user.id, sub_centre_id=t.sub_centre_id,
                             company=t.company, contact=t.contact, country=t.country,
                             enterprise_deadline=t.enterprise_deadline, urgency="normal", question=t.description,
                             status="new", disclaimer_accepted=False, created_at=now, updated_at=now,
                             is_demo=t.is_demo)
            s.add(c)
            s.flush()
            s.add(ConsultationEvent(consultation_id=c.id, at=now, user_id=user.id, from_status=None, to_status="new",
                                    note=f"transfer #{t.id}"))
            workflow.set_clock_facts(c, [(now, None, "new")])
            trail.record(s, user, "consultation.from_transfer", "consultation", c.id,
                         after={"transfer_id": t.id, "company": c.company, "country": c.country,
                                "sub_centre_id": c.sub_centre_id, "status": c.status})
        else:
            c = _open_consultation(s, t.consultation_id)
            before = c.sub_centre_id
            c.sub_centre_id, c.updated_at = t.sub_centre_id, now
            trail.record(s, user, "consultation.transferred", "consultation", c.id,
                         before={"sub_centre_id": before}, after={"sub_centre_id": c.sub_centre_id},
                         detail={"transfer_id": t.id})
        t.status, t.accepted_at, t.accepted_by_id, t.result_consultation_id = "accepted", now, user.id, c.id
        _decide(t, now)
        trail.record(s, user, "transfer.accept", "transfer", t.id, before={"status": "pending"},
                     after={"status": "accepted", "consultation_id": c.id,
                            "decision_days": round(t.decision_days, 2)})
        return c.id


def refuse(user: Principal, transfer_id: int, reason: str, now: datetime | None = None) -> None:
    """Staff of the target sub-centre refuse, saying why; the admins are notified."""
    reason = _text("reason", reason)
    now = now or utcnow()
    with _write() as s:
        t = _load(s, user, transfer_id, lock=True)
        policy.require(user, "take_transfer", t)
        if t.status != "pending":
            raise errors.NotNow("transfers.error.not_pending")
        t.status, t.refused_at, t.refused_by_id, t.refusal_reason = "refused", now, user.id, reason
        _decide(t, now)
        trail.record(s, user, "transfer.refuse", "transfer", t.id, before={"status": "pending"},
                     after={"status": "refused", "refusal_reason": reason,
                            "decision_days": round(t.decision_days, 2)})
        notifications.notify(s, _admins(s), "transfer_refused", None, reason[:200],
                             entity="transfer", entity_id=t.id)


def retransfer(user: Principal, transfer_id: int, sub_centre_id: int | None, note: str = "",
               now: datetime | None = None) -> int:
    """Admin sends a refused transfer to another sub-centre: a new transfer, linked both ways."""
    policy.require(user, "transfer_dispute")
    note = _text("note", note, required=False)
    now = now or utcnow()
    with _write() as s:
        old = _load(s, user, transfer_id, lock=True)
        policy.require(user, "transfer_dispute", old)
        if old.status != "refused" or old.next_id is not None:
            raise errors.NotNow("transfers.error.not_refused")
        target = _target(s, sub_centre_id)
        if target.id == old.sub_centre_id:
            raise errors.Invalid([("sub_centre_id", "transfers.error.same_sub_centre", {})])
        consultation = lead = None
        if old.kind == "consultation":
            consultation = _open_consultation(s, old.consultation_id)
        else:
            lead = Lead(old.company, old.country, old.description, old.enterprise_deadline, old.contact)
        new = _add(s, user, target=target, note=note, now=now, consultation=consultation, lead=lead, previous=old,
                   is_demo=old.is_demo)
        old.next_id, old.updated_at = new.id, now
        trail.record(s, user, "transfer.retransfer", "transfer", old.id, after={"next_id": new.id,
                                                                               "sub_centre_id": target.id})
        return new.id


def withdraw(user: Principal, transfer_id: int, now: datetime | None = None) -> None:
    """Admin takes back a transfer not yet accepted or refused."""
    now = now or utcnow()
    with _write() as s:
        t = _load(s, user, transfer_id, lock=True)
        policy.require(user, "transfer_dispute", t)
        if t.status != "pending":
            raise errors.NotNow("transfers.error.not_pending")
        t.status, t.withdrawn_at, t.updated_at = "withdrawn", now, now
        trail.record(s, user, "transfer.withdraw", "transfer", t.id, before={"status": "pending"},
                     after={"status": "withdrawn"})


# --- the overdue sweep -----------------------------------------------------------------------


def notify_overdue(now: datetime | None = None, chunk: int = 500) -> int:
    """Notify the target sub-centre's staff and the admins when a pending transfer goes past its
    due time; returns how many transfers were notified (for cron: `notify-transfers`).

    Idempotent: each transfer is claimed by setting `overdue_notified_at` in the same transaction
    as its notifications (`UPDATE ... WHERE overdue_notified_at IS NULL`; rows another writer
    holds are skipped, left for the next run), so running it again, or twice at once, notifies
    nobody twice. Stale due times (a calendar or setting change) are brought up to date first.
    """
    recompute_due()
    now = now or utcnow()
    table = Transfer.__table__
    due = and_(overdue_sql(now, table.c), table.c.overdue_notified_at.is_(None))
    done = 0
    while True:
        with db.read_session() as s:
            if s.scalar(select(table.c.id).where(due).limit(1)) is None:
                return done
        with db.write_session() as s:
            ids = list(s.scalars(select(table.c.id).where(due).order_by(table.c.id).limit(chunk)
                                 .with_for_update(skip_locked=True)))
            if not ids:
                return done
            claimed = s.execute(update(table).where(table.c.id.in_(ids), due).values(overdue_notified_at=now)
                                .returning(table.c.id, table.c.sub_centre_id, table.c.company)).all()
            admins = _admins(s)
            staff = {sc: workflow.staff_of(s, sc) for sc in {r.sub_centre_id for r in claimed}}
            for r in sorted(claimed):
                notifications.notify(s, staff[r.sub_centre_id] + admins, "transfer_overdue", None, r.company,
                                     entity="transfer", entity_id=r.id)
            if claimed:
                trail.record(s, None, "transfer.overdue_notified", "transfer", None,
                             detail={"ids": sorted(r.id for r in claimed)})
            done += len(claimed)
