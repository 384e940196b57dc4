"""Handing in a duty's report and the centre's review (page 报送 / Reports).

Staff of the owing sub-centre hand in a document (docx, xlsx, pdf: `network.documents` checks
it first), text written in the app (safe Markdown), or both, with the figures the duty defines.
The admin accepts it or returns it with a reason; a returned report is handed in again (a new
submission row). Each step is audited on the item (`duty`); a decision notifies the sub-centre's
staff (the centre sees what awaits review in the grid and the list).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.accounts import notifications
from ipoverseas.audit import trail
from ipoverseas.consultations.workflow import staff_of
from ipoverseas.core import db, errors, localtime
from ipoverseas.core.models import DutyItem, DutySubmission, DutyType, StoredFile, SubCentre, User, utcnow
from . import documents
from .duties import period_label

MAX_TEXT, MAX_REASON, MAX_FIGURE = 50_000, 2_000, 10**9
MAY_SUBMIT = ("open", "returned")


def _load(session: Session, user, item_id: int, action: str) -> DutyItem:
    """The item, locked for the change; NotFound unless the user may read it, Denied unless `action`."""
    it = session.execute(select(DutyItem).where(DutyItem.id == item_id).with_for_update()).scalar_one_or_none()
    if it is None or not policy.can(user, "read_duties", it):
        raise errors.NotFound("duties.no_such_item")
    policy.require(user, action, it)
    return it


def _figures(duty: DutyType, raw: dict[str, Any] | None) -> dict[str, float]:
    """The duty's figures from the form: whole, non-negative numbers; unknown names ignored."""
    out, problems = {}, []
    for f in duty.figures or []:
        value = (raw or {}).get(f["code"])
        if value is None or value == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0 or number > MAX_FIGURE or not number.is_integer():
            problems.append((f"figures.{f['code']}", "duties.bad_figure_value", {"figure": f["zh"], "value": str(value)[:40]}))
            continue
        out[f["code"]] = int(number)
    if problems:
        raise errors.Invalid(problems)
    return out


def submit(user, item_id: int, *, text: str = "", figures: dict[str, Any] | None = None,
           file_name: str | None = None, file_content: bytes | None = None) -> int:
    """Hand in the item's report; returns the submission id. Nothing is written on a refusal."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise errors.Invalid("duties.text_too_long", field="text", max=MAX_TEXT)
    document = documents.check(file_content or b"", file_name or "") if (file_name or file_content) else None
    if not text and document is None:
        raise errors.Invalid("duties.nothing_to_submit", field="text")
    now = utcnow()
    with db.write_session() as s:
        it = _load(s, user, item_id, "submit_duty")
        if it.status not in MAY_SUBMIT:
            raise errors.NotNow(f"duties.not_now.{it.status}")
        duty = s.get(DutyType, it.duty_type_id)
        values = _figures(duty, figures)
        file_id = None
        if document is not None:
            stored = StoredFile(name=document.name, kind=document.kind, size=document.size, sha256=document.sha256,
                                content=document.content, created_by=user.id, created_at=now)
            s.add(stored)
            s.flush()
            file_id = stored.id
        sub = DutySubmission(item_id=it.id, submitted_by=user.id, submitted_at=now, text=text, figures=values,
                             file_id=file_id, reason="")
        s.add(sub)
        before = {"status": it.status}
        if it.first_submitted_at is None:
            it.first_submitted_at = now
            it.on_time = localtime.to_local(now).date() <= it.due_on
        it.last_submitted_at, it.status = now, "submitted"
        s.flush()
        trail.record(s, user, "duty.submit", "duty", it.id, before=before, after={"status": "submitted"},
                     detail={"submission": sub.id, "file": document.name if document else None,
                             "sha256": document.sha256 if document else None, "figures": values,
                             "on_time": it.on_time})
        notifications.notify(s, _reviewers(s), "duty_submitted", None,
                             f"{_sub_centre_name(s, it.sub_centre_id)} {duty.name_zh} {period_label(it.period, 'zh')}",
                             entity="duty", entity_id=it.id)
        return sub.id


def _reviewers(session: Session) -> list[int]:
    """Who is told of a report handed in: the active users whose role may review it (the policy)."""
    return list(session.scalars(select(User.id).where(User.role.in_(policy.roles_for("review_duty")),
                                                      User.active.is_(True))))


def _sub_centre_name(session: Session, sub_centre_id: int) -> str:
    return session.scalar(select(SubCentre.name_zh).where(SubCentre.id == sub_centre_id)) or ""


def review(user, item_id: int, decision: str, reason: str = "") -> None:
    """Accept the item's report (decision 'accepted') or return it ('returned', a reason required)."""
    if decision not in ("accepted", "returned"):
        raise errors.Invalid("duties.bad_decision", field="decision")
    reason = (reason or "").strip()
    if decision == "returned" and not reason:
        raise errors.Invalid("duties.reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise errors.Invalid("duties.reason_too_long", field="reason", max=MAX_REASON)
    now = utcnow()
    with db.write_session() as s:
        it = _load(s, user, item_id, "review_duty")
        if it.status != "submitted":
            raise errors.NotNow(f"duties.not_now.{it.status}")
        sub = s.scalars(select(DutySubmission).where(DutySubmission.item_id == it.id)
                        .order_by(DutySubmission.id.desc()).limit(1)).one()
        sub.decision, sub.reason, sub.reviewed_by, sub.reviewed_at = decision, reason, user.id, now
        it.status, it.reviewed_at = decision, now
        trail.record(s, user, f"duty.{'accept' if decision == 'accepted' else 'return'}", "duty", it.id,
                     before={"status": "submitted"}, after={"status": decision},
                     detail={"submission": sub.id, "reason": reason} if reason else {"submission": sub.id})
        duty = s.get(DutyType, it.duty_type_id)
        notifications.notify(s, staff_of(s, it.sub_centre_id), f"duty_{decision}", None,
                             f"{duty.name_zh} {period_label(it.period, 'zh')}" + (f"：{reason}" if reason else ""),
                             entity="duty", entity_id=it.id)


def submissions(user, item_id: int) -> list[dict]:
    """The item's submissions, newest first, with who handed in and who reviewed."""
    with db.read_session() as s:
        it = s.get(DutyItem, item_id)
        if it is None or not policy.can(user, "read_duties", it):
            raise errors.NotFound("duties.no_such_item")
        rows = s.execute(select(DutySubmission, StoredFile.name, StoredFile.kind, StoredFile.size, StoredFile.sha256)
                         .outerjoin(StoredFile, StoredFile.id == DutySubmission.file_id)
                         .where(DutySubmission.item_id == item_id).order_by(DutySubmission.id.desc())).all()
        ids = {r[0].submitted_by for r in rows} | {r[0].reviewed_by for r in rows}
        names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_([i for i in ids if i]))).all())
    return [{"id": sub.id, "submitted_at": sub.submitted_at, "submitted_by": names.get(sub.submitted_by, ""),
             "text": sub.text, "figures": sub.figures or {}, "file_name": name, "file_kind": kind, "file_size": size,
             "sha256": sha, "decision": sub.decision, "reason": sub.reason, "reviewed_at": sub.reviewed_at,
             "reviewed_by": names.get(sub.reviewed_by, "")} for sub, name, kind, size, sha in rows]


def document(user, submission_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of a submission's document, for its download."""
    with db.read_session() as s:
        sub = s.get(DutySubmission, submission_id)
        it = s.get(DutyItem, sub.item_id) if sub else None
        if it is None or sub.file_id is None or not policy.can(user, "read_duties", it):
            raise errors.NotFound("duties.no_such_document")
        f = s.get(StoredFile, sub.file_id)
        return f.name, documents.MEDIA_TYPES[f.kind], f.content
