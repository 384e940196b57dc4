"""Case review by the national centre: the queue, approve / return with a reason / publish /
unpublish, and selecting a published case as typical or guiding. Each change keeps a before-image,
checks the version the reviewer saw, and is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.audit import trail
from ipoverseas.cases.library import LIST_COLUMNS, Page, case_dict
from ipoverseas.core import db, errors, vocab
from ipoverseas.core.models import AuditEvent, Case, RecordVersion, User, utcnow
from ipoverseas.sharing import fanout


TRANSITIONS = {
    "approve": ({"submitted", "returned"}, "approved"),
    "return": ({"submitted", "approved", "published"}, "returned"),
    "publish": ({"approved"}, "published"),
    "unpublish": ({"published"}, "approved"),
}
MAX_REASON = 2000


def review_queue(user: Principal, *, statuses: tuple[str, ...] = ("submitted",), page: int = 1,
                 page_size: int = 50) -> Page:
    """Cases in the given review statuses: the submitted ones oldest first, the others last changed first."""
    policy.require(user, "review_cases")
    page = max(1, int(page))
    with db.read_session() as s:
        where = [policy.where(user, "read_case"), Case.review_status.in_(statuses)]
        total = int(s.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
        order = ([Case.created_at.asc(), Case.id.asc()] if set(statuses) <= {"submitted"}
                 else [Case.updated_at.desc(), Case.id.desc()])
        rows = s.execute(select(*LIST_COLUMNS, Case.review_note, Case.version, Case.created_at)
                         .where(*where).order_by(*order)
                         .limit(page_size).offset((page - 1) * page_size)).all()
    return Page([dict(r._mapping) for r in rows], total, page, page_size)


def review_counts(user: Principal) -> dict[str, int]:
    policy.require(user, "review_cases")
    with db.read_session() as s:
        rows = s.execute(select(Case.review_status, func.count()).group_by(Case.review_status)).all()
    return {status: int(n) for status, n in rows}


def _load_for_change(s: Session, user: Principal, case_id: int, expected_version: int | None) -> Case:
    policy.require(user, "review_cases")
    case = s.get(Case, case_id)
    if case is None:
        raise errors.NotFound("cases.error.not_found")
    if expected_version is not None and case.version != expected_version:
        raise errors.Stale("cases.error.changed")
    return case


def _save(s: Session, user: Principal, case: Case, action: str, before: dict, changes: dict) -> dict:
    version = RecordVersion(entity="case", entity_id=case.id, action=action, before=trail.jsonable(before),
                            user_id=user.id)
    s.add(version)
    for key, value in changes.items():
        setattr(case, key, value)
    s.flush()
    version.after_version = case.version
    trail.record(s, user, f"case.{action}", "case", case.id,
                 before={k: before[k] for k in changes}, after={k: getattr(case, k) for k in changes})
    return case_dict(case)


def transition(user: Principal, case_id: int, action: str, *, reason: str | None = None,
               expected_version: int | None = None) -> dict:
    """approve / return (a reason is required) / publish / unpublish one case. Admin only."""
    if action not in TRANSITIONS:
        raise errors.Invalid("cases.error.bad_action", field="action")
    allowed_from, to = TRANSITIONS[action]
    reason = (reason or "").strip()
    if action == "return" and not reason:
        raise errors.Invalid("cases.error.reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise errors.Invalid("cases.error.reason_too_long", field="reason", max=MAX_REASON)
    with db.write_session() as s:
        case = _load_for_change(s, user, case_id, expected_version)
        if case.review_status not in allowed_from:
            raise errors.NotNow("cases.error.bad_transition", status=case.review_status, action=action)
        before = case_dict(case)
        changes: dict[str, Any] = {"review_status": to}
        if action == "return":
            changes["review_note"] = reason
        elif reason:
            changes["review_note"] = reason
        if action == "publish":
            changes["published_at"] = utcnow()
        if action in ("unpublish", "return") and case.distinction:
            changes["distinction"] = None
            changes["distinction_reason"] = None
        republished = action == "publish" and bool(s.scalar(select(func.count()).select_from(RecordVersion).where(
            RecordVersion.entity == "case", RecordVersion.entity_id == case.id, RecordVersion.action == "publish")))
        result = _save(s, user, case, action, before, changes)
    if action == "publish":   # after the commit: a new case for its followers, or a followed one back changed
        (fanout.announce_case_changed if republished else fanout.announce_cases)([case_id], actor_id=user.id)
    return result


def set_distinction(user: Principal, case_id: int, distinction: str | None, reason: str | None = None, *,
                    expected_version: int | None = None) -> dict:
    """Select a published case as typical or guiding (a reason is required), or clear it. Admin only."""
    reason = (reason or "").strip()
    if distinction is not None and distinction not in vocab.DISTINCTIONS:
        raise errors.Invalid("cases.error.bad_distinction", field="distinction")
    if distinction and not reason:
        raise errors.Invalid("cases.error.reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise errors.Invalid("cases.error.reason_too_long", field="reason", max=MAX_REASON)
    with db.write_session() as s:
        case = _load_for_change(s, user, case_id, expected_version)
        if distinction and case.review_status != "published":
            raise errors.NotNow("cases.error.not_published")
        before = case_dict(case)
        changes = {"distinction": distinction, "distinction_reason": reason or None}
        return _save(s, user, case, "distinction" if distinction else "distinction_clear", before, changes)


REVIEW_ACTIONS = (*TRANSITIONS, "distinction", "distinction_clear")


def history(user: Principal, case_id: int, limit: int = 20) -> list[dict]:
    """The review steps of a case, newest first (staff of the region and admin): who (display name),
    when (`at`, UTC), the step (`action`: approve, publish, distinction...), the review status after
    it, and why: the reviewer's note or the reason for a selection."""
    with db.read_session() as s:
        if s.execute(select(Case.id).where(Case.id == case_id, policy.where(user, "read_case"))).first() is None:
            return []
        if not policy.can(user, "edit_case"):
            return []
        rows = s.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.detail,
                                func.coalesce(User.display_name, AuditEvent.username).label("who"))
                         .outerjoin(User, User.id == AuditEvent.user_id)
                         .where(AuditEvent.entity == "case", AuditEvent.entity_id == case_id,
                                AuditEvent.action.in_([f"case.{a}" for a in REVIEW_ACTIONS]))
                         .order_by(AuditEvent.id.desc()).limit(limit)).all()
    out = []
    for r in rows:
        after = (r.detail or {}).get("after") or {}
        out.append({"id": r.id, "at": r.at, "who": r.who or "", "action": r.action.removeprefix("case."),
                    "status": after.get("review_status"),
                    "reason": after.get("distinction_reason") or after.get("review_note") or ""})
    return out
