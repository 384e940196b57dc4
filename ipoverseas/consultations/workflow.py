"""The consultation service: ask, self-help, triage, assign, answer, follow up; and its clock.

Statuses: new -> assigned -> accepted -> (waiting <-> accepted) -> answered -> closed; the
state machine (`states`) says which move is possible for whom in which status, and where it
leads. Every transition here asks `states.check` first (the policy on the record, then the
status: refused with errors.Denied or errors.NotNow), and every read `policy.where`; the pages
show the moves of `states.actions`. Each transition is written in one `write_session()`,
recorded as a ConsultationEvent (the clock is computed from those) and audited.

The service clock (`clock`) runs from the question (created_at) to the first answer, minus the
time spent waiting on the enterprise, in China's working days (`calendar`). The expert's
own response time runs from their assignment to the first answer.

What the clock says that does not depend on "now" (the deadline, the 80% instant, the
working days to the first answer and whether it was on time, for the service and for the
expert) is stored on the row at every transition (`set_clock_facts`), so the queue
(`queue`), compliance (`compliance`) and the overdue sweep
(`sweep`) filter, sort, count and page in SQL, at any table size.
Each row records the basis its facts were computed on (`clock_basis`: the promise and the
holiday table's digest); after the promise setting or the holiday table changes, start-up
(`bootstrap.refresh_clocks`) recomputes the open consultations on another basis, and
`recompute_clocks()` (CLI: `recompute-clocks`) stores them again on demand.

Writers lock the consultation's row (`_load(..., lock=True)`), so concurrent writers of one
consultation take turns; a write that still loses a race is refused as errors.Stale.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ipoverseas.core import errors, localtime
from ipoverseas.audit import trail
from ipoverseas.access import policy
from ipoverseas.core import best_matches, config, db, search, vocab
from ipoverseas.experts import directory
from ipoverseas.accounts import notifications
from ipoverseas.consultations import calendar, clock, states
from ipoverseas.access.policy import ENTERPRISE, STAFF, Principal
from ipoverseas.core.models import (Article, ArticleCountry, ArticleIpType, Case, Consultation, ConsultationEvent, ConsultationMessage, Expert, SubCentre, User, utcnow)

OPEN = vocab.CONSULTATION_OPEN
WITH_EXPERT = vocab.CONSULTATION_WITH_EXPERT
FOLLOWUP_OUTCOMES = ("settled", "won", "lost", "withdrawn", "default_judgment")
MAX_QUESTION = 20_000


def promise_days() -> float:
    return float(config.get("consultation_promise_days"))


@contextmanager
def _write() -> Iterator[Session]:
    """`db.write_session()` for the service's writes: a write that lost a race to another
    writer of the same row (the version check, `StaleDataError`) is refused as errors.Stale
    ("changed meanwhile": nothing was written; reload and try again).

    Every writer loads the consultation with `_load(..., lock=True)` (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so a second writer waits
    for the first and then sees its change; this is the net under that.
    """
    try:
        with db.write_session() as s:
            yield s
    except StaleDataError as exc:
        raise errors.Stale("service.error.changed_meanwhile") from exc


# --- reading -----------------------------------------------------------------------------


def _load(session: Session, user: Principal, consultation_id: int, *, lock: bool = False) -> Consultation:
    """The consultation if the user may read it, else errors.Denied (same for "absent").

    `lock`: for a write, the row is locked until the transaction ends (FOR UPDATE), so two
    writers of one consultation take turns, the second reading what the first wrote.
    """
    stmt = select(Consultation).where(Consultation.id == consultation_id, policy.where(user, "read_consultation"))
    if lock:
        stmt = stmt.with_for_update(of=Consultation).execution_options(populate_existing=True)
    c = session.scalar(stmt)
    if c is None or not policy.can(user, "read_consultation", c):
        raise errors.Denied(action="read_consultation")
    return c


def _events(session: Session, consultation_id: int) -> list[tuple[datetime, str | None, str]]:
    return [tuple(r) for r in session.execute(
        select(ConsultationEvent.at, ConsultationEvent.from_status, ConsultationEvent.to_status)
        .where(ConsultationEvent.consultation_id == consultation_id)
        .order_by(ConsultationEvent.at, ConsultationEvent.id))]


def _first_answer(events: list[tuple]) -> datetime | None:
    return next((at for at, _f, to in events if to == "answered"), None)


def service_clock(c: Consultation | Any, events: list[tuple], now: datetime | None = None) -> clock.Clock:
    now = now or utcnow()
    return clock.clock(c.created_at, _first_answer(events) or c.answered_at,
                          clock.pauses_from_events(events), promise_days(), now)


def clock_basis() -> str:
    """The basis the clock facts are computed on now (`clock.basis`)."""
    return clock.basis(promise_days())


def set_clock_facts(c: Consultation, events: list[tuple], basis: str | None = None) -> None:
    """Store the clock's facts on the row (see `clock.Facts`) from its events, oldest first,
    with the basis they were computed on.

    The overdue mark (`overdue_notified_at`) is cleared when the deadline it was for is gone:
    no deadline any more, or a later one than the mark (the promise grew, a pause moved it), so
    the sweep notifies again if the consultation goes past the new deadline.
    """
    expert_start = (c.assigned_at or c.created_at) if c.expert_id is not None else None
    facts = clock.facts(c.created_at, _first_answer(events) or c.answered_at, expert_start, events,
                           promise_days())
    for name, value in facts.as_dict().items():
        setattr(c, name, value)
    c.clock_basis = basis or clock_basis()
    if c.overdue_notified_at is not None and (c.due_at is None or c.due_at > c.overdue_notified_at):
        c.overdue_notified_at = None


def _refresh_clock(session: Session, c: Consultation) -> None:
    session.flush()
    set_clock_facts(c, _events(session, c.id))


RECOMPUTE_CHUNK = 100   # rows per transaction: short row locks, and progress kept if it stops


def _due_for_recompute(basis: str, only_open: bool, only_stale: bool):
    """Which rows a recompute takes. A row never computed (clock_basis NULL: written before
    migration 0006 stored the facts) is always taken, closed or not, so that its figures exist."""
    chosen = and_(Consultation.status.in_(OPEN), Consultation.answered_at.is_(None)) if only_open else true()
    if only_stale:
        chosen = and_(chosen, Consultation.clock_basis != basis)
    return or_(Consultation.clock_basis.is_(None), chosen)


def recompute_clocks(only_open: bool = True, only_stale: bool = False, chunk: int = RECOMPUTE_CHUNK) -> int:
    """Store the clock facts again (after the promise setting or the holiday table changed).

    Open consultations only by default (answered and closed ones keep the figures they were
    measured with), and any row never computed; `only_stale`: only those whose facts are on another basis than the current
    one (what start-up runs, `bootstrap.refresh_clocks`). Returns how many rows were recomputed.

    Works in small batches, each its own transaction with its rows locked (a staff action on
    one of them waits for the batch, then sees it). Each row records its basis, so a run that
    stops halfway leaves every row consistent with its own basis, and the next run (or the next
    start-up) does the rest. One summary audit event is written at the end.
    """
    basis = clock_basis()
    done, last, retries = 0, 0, 0
    if only_stale:
        with db.read_session() as s:   # no write (nor a revision bump) at a start-up with nothing to do
            if s.scalar(select(Consultation.id).where(
                    _due_for_recompute(basis, only_open, only_stale)).limit(1)) is None:
                return 0
    complete = False
    try:
        while True:
            try:
                with _write() as s:
                    stmt = (select(Consultation).where(Consultation.id > last).order_by(Consultation.id)
                            .limit(chunk).with_for_update(of=Consultation).execution_options(populate_existing=True))
                    stmt = stmt.where(_due_for_recompute(basis, only_open, only_stale))
                    rows = list(s.scalars(stmt))
                    if not rows:
                        break
                    history = _events_of(s, [c.id for c in rows])
                    for c in rows:
                        set_clock_facts(c, history[c.id], basis)
            except errors.Stale:
                retries += 1
                if retries > 3:
                    raise
                continue      # the batch was rolled back: do it again
            last, done, retries = rows[-1].id, done + len(rows), 0
        complete = True
    finally:
        if done:          # the batches that were committed, also when a later one failed
            with db.write_session() as s:
                trail.record(s, None, "consultation.recompute_clocks", "consultation", None, detail={
                    "promise_days": promise_days(), "calendar": calendar.digest(), "basis": basis,
                    "rows": done, "scope": "open" if only_open else "all", "only_stale": only_stale,
                    "complete": complete})
    return done


def get(user: Principal, consultation_id: int, now: datetime | None = None) -> dict | None:
    """One consultation with its thread, events and clock; None when absent or not allowed."""
    with db.read_session() as s:
        try:
            c = _load(s, user, consultation_id)
        except errors.Denied:
            return None
        events = _events(s, c.id)
        out = _row(c)
        out["clock"] = service_clock(c, events, now)
        out["messages"] = [dict(r._mapping) for r in s.execute(
            select(ConsultationMessage.id, ConsultationMessage.kind, ConsultationMessage.body,
                   ConsultationMessage.created_at, User.display_name.label("author"), User.role.label("author_role"))
            .outerjoin(User, User.id == ConsultationMessage.author_id)
            .where(ConsultationMessage.consultation_id == c.id)
            .order_by(ConsultationMessage.created_at, ConsultationMessage.id))]
        out["events"] = [dict(r._mapping) for r in s.execute(
            select(ConsultationEvent.at, ConsultationEvent.from_status, ConsultationEvent.to_status,
                   ConsultationEvent.note, ConsultationEvent.expert_id, User.display_name.label("who"))
            .outerjoin(User, User.id == ConsultationEvent.user_id)
            .where(ConsultationEvent.consultation_id == c.id)
            .order_by(ConsultationEvent.at, ConsultationEvent.id))]
        expert = s.get(Expert, c.expert_id) if c.expert_id else None
        out["expert_name"] = expert.name if expert else None
        sub = s.get(SubCentre, c.sub_centre_id) if c.sub_centre_id else None
        out["sub_centre"] = sub.code if sub else None
        if c.expert_id and c.status == "assigned" and c.assigned_at:
            out["unaccepted_days"] = calendar.working_time(c.assigned_at, now or utcnow())
        return out


def _row(c: Consultation) -> dict:
    return {k: getattr(c, k) for k in (
        "id", "enterprise_user_id", "created_by_id", "sub_centre_id", "company", "contact", "country", "ip_type",
        "industry", "dispute_type", "stage", "opposing_party", "enterprise_deadline", "urgency", "question",
        "status", "expert_id", "answer", "rating", "rating_comment", "followup_outcome", "loss_avoided_cny",
        "draft_case_id", "disclaimer_accepted", "created_at", "assigned_at", "accepted_at", "answered_at",
        "closed_at", "is_demo", "version")}


LIST_COLUMNS = (Consultation.id, Consultation.company, Consultation.country, Consultation.ip_type,
                Consultation.dispute_type, Consultation.stage, Consultation.status, Consultation.urgency,
                Consultation.enterprise_deadline, Consultation.created_at, Consultation.assigned_at,
                Consultation.answered_at, Consultation.expert_id, Consultation.sub_centre_id,
                Consultation.question, Consultation.rating, Consultation.is_demo)


def list_for(user: Principal, *, statuses: Iterable[str] | None = None, limit: int = 50, offset: int = 0,
             now: datetime | None = None) -> tuple[list[dict], int]:
    """The user's own consultations (enterprise), or the assigned ones (expert), newest first, paged in SQL."""
    where = [policy.where(user, "read_consultation")]
    if statuses:
        where.append(Consultation.status.in_(list(statuses)))
    with db.read_session() as s:
        total = int(s.scalar(select(func.count()).select_from(Consultation).where(*where)) or 0)
        rows = s.execute(select(*LIST_COLUMNS, Expert.name.label("expert_name"))
                         .outerjoin(Expert, Expert.id == Consultation.expert_id)
                         .where(*where)
                         .order_by(Consultation.status.in_(OPEN).desc(), Consultation.created_at.desc(),
                                   Consultation.id.desc())
                         .limit(limit).offset(offset)).all()
        return with_clocks(s, rows, now), total


def _events_of(session: Session, ids: list[int]) -> dict[int, list[tuple]]:
    """The status events of some consultations (a page or a chunk), oldest first."""
    events: dict[int, list] = {i: [] for i in ids}
    if ids:
        for cid, at, frm, to in session.execute(
                select(ConsultationEvent.consultation_id, ConsultationEvent.at, ConsultationEvent.from_status,
                       ConsultationEvent.to_status)
                .where(ConsultationEvent.consultation_id.in_(ids))
                .order_by(ConsultationEvent.consultation_id, ConsultationEvent.at, ConsultationEvent.id)):
            events[cid].append((at, frm, to))
    return events


def with_clocks(session: Session, rows, now: datetime | None) -> list[dict]:
    """Rows of LIST_COLUMNS (a page) as dicts, each with its full service clock ("clock")."""
    events = _events_of(session, [r.id for r in rows])
    out = []
    for r in rows:
        d = dict(r._mapping)
        d["clock"] = service_clock(r, events[r.id], now)
        out.append(d)
    return out


def overdue_sql(now: datetime, due=None, answered=None):
    """SQL: unanswered and past the promise (strictly after the stored deadline, see `clock.Facts`)."""
    due = Consultation.due_at if due is None else due
    answered = Consultation.answered_at if answered is None else answered
    return and_(answered.is_(None), due < now)


# --- asking -----------------------------------------------------------------------------


@dataclass
class Question:
    company: str
    question: str
    contact: str = ""
    country: str | None = None
    ip_type: str | None = None
    industry: str | None = None
    dispute_type: str | None = None
    stage: str | None = None
    opposing_party: str | None = None
    deadline: date | None = None
    urgency: str = "normal"
    disclaimer_accepted: bool = False
    sub_centre_id: int | None = None
    enterprise_user_id: int | None = None


def validate(q: Question, today: date | None = None) -> list[tuple[str, str, dict]]:
    """All the problems of a question at once: (field, i18n key, values)."""
    today = today or localtime.today()
    problems: list[tuple[str, str, dict]] = []
    if not (q.company or "").strip():
        problems.append(("company", "service.error.required", {}))
    if not (q.question or "").strip():
        problems.append(("question", "service.error.required", {}))
    elif len(q.question) > MAX_QUESTION:
        problems.append(("question", "service.error.too_long", {"max": MAX_QUESTION}))
    if not q.country:
        problems.append(("country", "service.error.required", {}))
    checks = (("country", vocab.countries()), ("ip_type", vocab.IP_TYPES), ("industry", vocab.INDUSTRIES),
              ("dispute_type", vocab.DISPUTE_TYPES), ("stage", vocab.STAGES), ("urgency", vocab.URGENCIES))
    for name, vocabulary in checks:
        value = getattr(q, name)
        if value and vocabulary.lookup(value) is None:
            problems.append((name, "service.error.unknown_value", {"value": str(value)}))
    if q.deadline is not None and q.deadline < today:
        problems.append(("deadline", "service.error.deadline_past", {"value": q.deadline.isoformat()}))
    if not q.disclaimer_accepted:
        problems.append(("disclaimer", "service.error.disclaimer", {}))
    return problems


def ask(user: Principal, q: Question, today: date | None = None) -> int:
    """File a question (enterprise, or staff on behalf of an enterprise); returns its id."""
    policy.require(user, "ask_consultation")
    problems = validate(q, today)
    if problems:
        raise errors.Invalid(problems)
    with _write() as s:
        if policy.can(user, "follow_own_consultations"):  # an enterprise asks for itself
            enterprise_id = user.id
            sub_centre_id = q.sub_centre_id or user.sub_centre_id
        else:  # staff on behalf of an enterprise, filed in their own sub-centre
            enterprise_id = q.enterprise_user_id
            if enterprise_id is not None:
                target = s.get(User, enterprise_id)
                if target is None or target.role != ENTERPRISE:
                    raise errors.Invalid([("enterprise_user_id", "service.error.not_enterprise", {})])
            sub_centre_id = user.sub_centre_id
        if sub_centre_id is None:
            sub_centre_id = s.scalar(select(SubCentre.id).where(SubCentre.active.is_(True)).order_by(SubCentre.id))
        elif s.get(SubCentre, sub_centre_id) is None:
            raise errors.Invalid([("sub_centre_id", "service.error.unknown_value", {"value": str(sub_centre_id)})])
        now = utcnow()
        c = Consultation(
            enterprise_user_id=enterprise_id, created_by_id=user.id, sub_centre_id=sub_centre_id,
            company=q.company.strip(), contact=(q.contact or "").strip(),
            country=vocab.countries().lookup(q.country) if q.country else None,
            ip_type=vocab.IP_TYPES.lookup(q.ip_type) if q.ip_type else None,
            industry=vocab.INDUSTRIES.lookup(q.industry) if q.industry else None,
            dispute_type=vocab.DISPUTE_TYPES.lookup(q.dispute_type) if q.dispute_type else None,
            stage=vocab.STAGES.lookup(q.stage) if q.stage else None,
            opposing_party=(q.opposing_party or "").strip() or None, enterprise_deadline=q.deadline,
            urgency=vocab.URGENCIES.lookup(q.urgency) or "normal", question=q.question.strip(),
            status="new", disclaimer_accepted=True, created_at=now, updated_at=now)
        s.add(c)
        s.flush()
        s.add(ConsultationEvent(consultation_id=c.id, at=now, user_id=user.id, from_status=None, to_status="new"))
        _refresh_clock(s, c)
        trail.record(s, user, "consultation.ask", "consultation", c.id, after=_row(c))
        notifications.notify(s, staff_of(s, sub_centre_id), "new_consultation", c.id, c.company)
        return c.id


def staff_of(session: Session, sub_centre_id: int | None) -> list[int]:
    """The active staff accounts of a sub-centre (whom the service notifies)."""
    if sub_centre_id is None:
        return []
    return list(session.scalars(select(User.id).where(User.role == STAFF, User.active.is_(True),
                                                      User.sub_centre_id == sub_centre_id)))


def _expert_users(session: Session, expert_id: int | None) -> list[int]:
    if expert_id is None:
        return []
    return list(session.scalars(select(User.id).where(User.expert_id == expert_id, User.active.is_(True))))


# --- self-help ------------------------------------------------------------------------------


def _search_ids(kind: str, query: str) -> list[int] | None:
    """The 200 best full-text hits of the question's text, or None for an empty text."""
    if not query.strip():
        return None
    return search.search_ids(kind, query, 200)


def suggestions(user: Principal, *, country: str | None, dispute_type: str | None = None,
                ip_type: str | None = None, industry: str | None = None, text: str = "",
                limit: int = 5) -> dict[str, list[dict]]:
    """The most similar published cases and articles: each scores the weights of the question's facets
    it shares (and of the question's full-text hits), best first, then the newest. A facet the
    question leaves empty weighs nothing. Found without scoring every row (core.best_matches)."""
    case_hits = _search_ids("cases", text) if text else None
    article_hits = _search_ids("articles", text) if text else None

    def given(*pairs: tuple[Any, Any, int]) -> list[tuple[Any, int]]:
        return [(condition, weight) for value, condition, weight in pairs if value]

    case_conditions = given((country, Case.country == country, 4), (dispute_type, Case.dispute_type == dispute_type, 3),
                            (ip_type, Case.ip_type == ip_type, 2), (industry, Case.industry == industry, 2),
                            (True, Case.distinction.is_not(None), 1), (case_hits, Case.id.in_(case_hits or ()), 3))
    article_conditions = given(
        (country, Article.id.in_(select(ArticleCountry.article_id).where(ArticleCountry.country == country)), 4),
        (dispute_type, Article.dispute_type == dispute_type, 3),
        (ip_type, Article.id.in_(select(ArticleIpType.article_id).where(ArticleIpType.ip_type == ip_type)), 2),
        (True, Article.kind == "risk_alert", 1), (article_hits, Article.id.in_(article_hits or ()), 3))
    with db.read_session() as s:
        cases = best_matches.best_rows(
            s, (Case.id, Case.case_ref, Case.title, Case.country, Case.dispute_type, Case.ip_type, Case.outcome,
                Case.filed_on, Case.distinction), Case.id,
            (policy.where(user, "read_case"), Case.review_status == "published"), case_conditions,
            (Case.filed_on.desc().nulls_last(), Case.id.desc()), limit)
        articles = best_matches.best_rows(
            s, (Article.id, Article.kind, Article.title_zh, Article.title_en, Article.published_on,
                Article.source_url), Article.id,
            (policy.where(user, "read_article"), Article.status == "published"), article_conditions,
            (Article.published_on.desc().nulls_last(), Article.id.desc()), limit)
    return {"cases": [dict(r._mapping) for r in cases], "articles": [dict(r._mapping) for r in articles]}


def sql_flag(cond):
    """SQL: 1 when the condition holds, else 0 (to sum or weigh)."""
    return sql_case((cond, 1), else_=0)


# --- transitions ----------------------------------------------------------------------------


def _transition(session: Session, user: Principal, c: Consultation, to: str, *, note: str | None = None,
                expert_id: int | None = None, action: str, extra_before: dict | None = None,
                extra_after: dict | None = None) -> None:
    before = {"status": c.status, "expert_id": c.expert_id, **(extra_before or {})}
    session.add(ConsultationEvent(consultation_id=c.id, at=utcnow(), user_id=user.id, from_status=c.status,
                                  to_status=to, expert_id=expert_id if expert_id is not None else c.expert_id,
                                  note=note))
    c.status = to
    c.updated_at = utcnow()
    _refresh_clock(session, c)
    trail.record(session, user, action, "consultation", c.id, before=before,
                 after={"status": to, "expert_id": c.expert_id, **(extra_after or {})},
                 detail={"note": note} if note else None)


def assign(user: Principal, consultation_id: int, expert_id: int, note: str = "",
           today: date | None = None, now: datetime | None = None) -> None:
    """Staff (own sub-centre) or admin assign an expert from the shortlist.

    Allowed on a new consultation ("assign"), or as a reassignment of one that was not accepted
    within 3 working days ("reassign", see `states`). A conflicted, inactive or away expert, or
    one who declined it, is refused (errors.Invalid) whatever the caller sends.
    """
    now = now or utcnow()
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "assign" if c.status == "new" else "reassign", now).leads_to(c.status)
        if expert_id == c.expert_id:
            raise errors.Invalid([("expert", "service.error.same_expert", {})])
        eligible = directory.shortlist(s, c, today=today or calendar.to_local(now).date(), limit=1,
                                       exclude=_declined(s, c.id), only=expert_id)
        if not eligible:
            raise errors.Invalid([("expert", "service.error.expert_not_eligible", {})])
        previous = c.expert_id
        c.expert_id = expert_id
        c.assigned_at = now
        c.accepted_at = None
        _transition(s, user, c, to, note=note or None, expert_id=expert_id,
                    action="consultation.reassign" if previous else "consultation.assign",
                    extra_before={"expert_id": previous})
        notifications.notify(s, _expert_users(s, expert_id), "assigned", c.id, c.company)
        if previous:
            notifications.notify(s, _expert_users(s, previous), "closed", c.id, "reassigned")


def accept(user: Principal, consultation_id: int) -> None:
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "accept").leads_to(c.status)
        c.accepted_at = utcnow()
        _transition(s, user, c, to, action="consultation.accept")


def _required_text(field: str, value: str | None) -> str:
    """A text the user must write (a reason, an answer, a message), stripped; refused when empty or too long."""
    value = (value or "").strip()
    if not value:
        raise errors.Invalid([(field, "service.error.required", {})])
    if len(value) > MAX_QUESTION:
        raise errors.Invalid([(field, "service.error.too_long", {"max": MAX_QUESTION})])
    return value


def decline(user: Principal, consultation_id: int, reason: str) -> None:
    reason = _required_text("reason", reason)
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "decline").leads_to(c.status)
        declined_by = c.expert_id
        c.expert_id = None
        c.assigned_at = None
        c.accepted_at = None
        _transition(s, user, c, to, note=reason, expert_id=declined_by, action="consultation.decline",
                    extra_before={"expert_id": declined_by})
        notifications.notify(s, staff_of(s, c.sub_centre_id), "declined", c.id, reason)


def _declined(session: Session, consultation_id: int) -> set[int]:
    """Experts who declined this consultation (kept off its shortlist)."""
    return set(session.scalars(select(ConsultationEvent.expert_id).where(
        ConsultationEvent.consultation_id == consultation_id, ConsultationEvent.from_status.in_(WITH_EXPERT),
        ConsultationEvent.to_status == "new", ConsultationEvent.expert_id.is_not(None))))


def answer(user: Principal, consultation_id: int, text: str) -> None:
    """The assigned expert answers (Markdown). The first answer stops the service clock."""
    text = _required_text("answer", text)
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "answer").leads_to(c.status)
        if c.status == "assigned":
            c.accepted_at = utcnow()
            _transition(s, user, c, "accepted", action="consultation.accept", note="answered directly")
        first = c.answered_at is None
        before_answer = c.answer
        c.answer = text
        if first:
            c.answered_at = utcnow()
        s.add(ConsultationMessage(consultation_id=c.id, author_id=user.id, kind="answer", body=text,
                                  created_at=utcnow()))
        _transition(s, user, c, to, action="consultation.answer",
                    extra_before={"answer": before_answer}, extra_after={"answer": text})
        notifications.notify(s, [c.enterprise_user_id, c.created_by_id], "answered", c.id, c.company)


def set_waiting(user: Principal, consultation_id: int, message: str) -> None:
    """The expert asks the enterprise for more: the clock pauses until the enterprise replies."""
    message = _required_text("message", message)
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "request_info").leads_to(c.status)
        if c.status == "assigned":
            c.accepted_at = utcnow()
            _transition(s, user, c, "accepted", action="consultation.accept")
        s.add(ConsultationMessage(consultation_id=c.id, author_id=user.id, kind="request", body=message,
                                  created_at=utcnow()))
        _transition(s, user, c, to, note=message, action="consultation.waiting")
        notifications.notify(s, [c.enterprise_user_id, c.created_by_id], "waiting", c.id, message[:200])


def resume(user: Principal, consultation_id: int) -> None:
    """The expert (or staff) restarts the clock without a reply from the enterprise."""
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "resume").leads_to(c.status)
        _transition(s, user, c, to, action="consultation.resume")


_FOLLOW_UP_TRANSITIONS = {"waiting": ("consultation.resume", "enterprise replied"),
                          "answered": ("consultation.followup", "follow-up question")}


def post_message(user: Principal, consultation_id: int, body: str, kind: str | None = None) -> None:
    """A post in the thread, of a kind (`states.MESSAGE_MOVES`): the asker's follow-up (a reply
    ends a wait; a follow-up question on an answered consultation puts it back to the expert),
    the assigned expert's note, or a sub-centre note. Without a kind, the user's own
    (`states.message_kind`)."""
    if kind is not None and kind not in states.MESSAGE_MOVES:
        raise ValueError(f"unknown message kind {kind!r}")
    body = _required_text("message", body)
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        kind = kind or states.message_kind(user, c)
        move = states.check(user, c, states.MESSAGE_MOVES[kind])
        s.add(ConsultationMessage(consultation_id=c.id, author_id=user.id, kind=kind, body=body,
                                  created_at=utcnow()))
        trail.record(s, user, "consultation.message", "consultation", c.id, after={"kind": kind})
        if kind == "followup":
            target = move.leads_to(c.status)
            if target != c.status:
                action, note = _FOLLOW_UP_TRANSITIONS[c.status]
                _transition(s, user, c, target, action=action, note=note)
            notifications.notify(s, _expert_users(s, c.expert_id) or staff_of(s, c.sub_centre_id),
                                 "followup", c.id, body[:200])
        elif kind == "note":
            notifications.notify(s, [c.enterprise_user_id], "followup", c.id, body[:200])


def rate(user: Principal, consultation_id: int, rating: int | None, comment: str = "") -> None:
    if rating is None:
        raise errors.Invalid([("rating", "service.error.rating_missing", {})])
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise errors.Invalid([("rating", "service.error.rating", {"value": str(rating)})])
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        states.check(user, c, "rate")
        before = {"rating": c.rating, "rating_comment": c.rating_comment}
        c.rating, c.rating_comment = rating, (comment or "").strip() or None
        trail.record(s, user, "consultation.rate", "consultation", c.id, before=before,
                     after={"rating": c.rating, "rating_comment": c.rating_comment})


def close(user: Principal, consultation_id: int) -> None:
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        to = states.check(user, c, "close").leads_to(c.status)
        c.closed_at = utcnow()
        _transition(s, user, c, to, action="consultation.close")
        notifications.notify(s, _expert_users(s, c.expert_id), "closed", c.id, c.company)


def record_followup(user: Principal, consultation_id: int, outcome: str, loss_avoided_cny: Any = None,
                    create_draft_case: bool = False) -> int | None:
    """Staff record what happened after the dispute; optionally a draft case for review.

    Returns the draft case's id when one was created.
    """
    problems: list = []
    code = vocab.OUTCOMES.lookup(outcome) if outcome else None
    if code not in FOLLOWUP_OUTCOMES:
        problems.append(("outcome", "service.error.unknown_value", {"value": str(outcome)}))
    amount = None
    if loss_avoided_cny not in (None, ""):
        try:
            amount = Decimal(str(loss_avoided_cny).replace(",", "").strip())
        except InvalidOperation:
            amount = None
        if amount is None or amount < 0 or amount >= Decimal("1e16"):
            problems.append(("loss_avoided_cny", "service.error.amount", {"value": str(loss_avoided_cny)}))
    if problems:
        raise errors.Invalid(problems)
    with _write() as s:
        c = _load(s, user, consultation_id, lock=True)
        states.check(user, c, "record_outcome")
        before = {"followup_outcome": c.followup_outcome, "loss_avoided_cny": c.loss_avoided_cny,
                  "draft_case_id": c.draft_case_id}
        c.followup_outcome, c.loss_avoided_cny = code, amount
        case_id = None
        if create_draft_case and c.draft_case_id is None:
            if not c.country or not c.sub_centre_id:
                raise errors.Invalid([("country", "service.error.draft_needs_country", {})])
            case = _draft_case(c, user)
            s.add(case)
            s.flush()
            c.draft_case_id = case_id = case.id
            trail.record(s, user, "case.create", "case", case.id,
                         after={"case_ref": case.case_ref, "review_status": case.review_status,
                                "source": case.source})
        c.updated_at = utcnow()
        trail.record(s, user, "consultation.followup", "consultation", c.id, before=before,
                     after={"followup_outcome": code, "loss_avoided_cny": amount, "draft_case_id": c.draft_case_id})
        return case_id


_ROLE_BY_STAGE = {"sued": "defendant", "letter": "defendant", "complaint": "defendant", "detained": "defendant",
                  "account_frozen": "defendant", "trade_fair": "defendant", "enforcing": "plaintiff"}
_DISPUTE_BY_STAGE = {"complaint": "ecommerce", "account_frozen": "ecommerce", "detained": "customs",
                     "trade_fair": "trade_fair", "sued": "litigation"}


def _draft_case(c: Consultation, user: Principal) -> Case:
    dispute = c.dispute_type or _DISPUTE_BY_STAGE.get(c.stage or "", "litigation")
    today = localtime.today()
    return Case(
        case_ref=f"CONS-{c.id}", sub_centre_id=c.sub_centre_id,
        title=f"{c.company} · {vocab.countries().label(c.country, 'zh')} · {vocab.DISPUTE_TYPES.label(dispute, 'zh')}",
        country=c.country, dispute_type=dispute, ip_type=c.ip_type, industry=c.industry,
        chinese_party=c.company, chinese_party_role=_ROLE_BY_STAGE.get(c.stage or ""), party_confidential=True,
        opposing_party=c.opposing_party, status="closed" if c.followup_outcome else "ongoing",
        closed_on=today if c.followup_outcome else None, outcome=c.followup_outcome,
        summary=c.question, guidance=c.answer or "", source=f"consultation #{c.id}", expert_id=c.expert_id,
        review_status="submitted", created_by_id=user.id, created_at=utcnow(), updated_at=utcnow())


def enterprise_users() -> list[dict]:
    """Enterprise accounts staff can file a question for."""
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(
            select(User.id, User.username, User.display_name, User.organisation)
            .where(User.role == ENTERPRISE, User.active.is_(True)).order_by(User.username).limit(500))]


def sub_centres() -> list[dict]:
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(
            select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en)
            .where(SubCentre.active.is_(True)).order_by(SubCentre.id))]


def shortlist_for(user: Principal, consultation_id: int, today: date | None = None, limit: int = 10):
    """The ranked shortlist for a consultation (staff of its sub-centre, or admin)."""
    with db.read_session() as s:
        c = _load(s, user, consultation_id)
        policy.require(user, "triage_consultation", c)
        exclude = _declined(s, c.id)
        if c.expert_id:
            exclude.add(c.expert_id)
        return directory.shortlist(s, c, today=today, limit=limit, exclude=exclude)
