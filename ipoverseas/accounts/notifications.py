"""In-app notifications (new assignment, new answer, overdue...) and optional email.

A notification is a row for one user, written in the same transaction as the change
it announces. Email goes out through SMTP only when `smtp_host` is set (off by
default), after the transaction commits, and a failure to send never undoes the change.

The SMTP settings are read with safe defaults until they are in the settings registry:
IPOVERSEAS_SMTP_HOST, _SMTP_PORT, _SMTP_USER, _SMTP_PASSWORD, _SMTP_FROM, _SMTP_STARTTLS
(or the same names in the [ipoverseas] table of .streamlit/secrets.toml).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Iterable

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from ipoverseas.audit import trail
from ipoverseas.core import config, db, i18n
from ipoverseas.access.policy import Principal
from ipoverseas.core.models import Notification, User, utcnow

log = logging.getLogger(__name__)

KINDS = ("new_consultation", "assigned", "declined", "answered", "followup", "waiting", "overdue", "closed",
         # reporting duties (network.reminders, network.submissions): entity "duty"
         "duty_due_soon", "duty_due", "duty_overdue", "duty_submitted", "duty_accepted", "duty_returned",
         # transfers from the centre (network.transfers): entity "transfer"
         "transfer", "transfer_refused", "transfer_overdue",
         # follows (ipoverseas/sharing/): entity "follow_event" (one per event and follower) or "digest"
         "follow_cases", "follow_case_changed", "follow_articles", "follow_alert_changed", "follow_digest",
         # information sharing (sharing.routing): entity "import_batch" / "article"
         "region_cases", "alert_routed")

def setting(name: str) -> Any:
    """An SMTP setting from the registry (ipoverseas.config)."""
    return config.get(name)


def email_enabled() -> bool:
    return bool(setting("smtp_host"))


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def notify(session: Session, user_ids: Iterable[int | None], kind: str, consultation_id: int | None,
           message: str = "", *, entity: str | None = None, entity_id: int | None = None) -> int:
    """Add one notification per user (None and duplicates skipped); returns how many. A notification
    about another record than a consultation names it by `entity` and `entity_id`."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = list(dict.fromkeys(uid for uid in user_ids if uid))
    for uid in ids:
        session.add(Notification(user_id=uid, kind=kind, consultation_id=consultation_id,
                                 message=(message or "")[:500], created_at=utcnow(), entity=entity,
                                 entity_id=entity_id))
    if ids and email_enabled():
        rows = session.execute(select(User.email).where(User.id.in_(ids), User.email.is_not(None),
                                                        User.active.is_(True))).scalars().all()
        subject = i18n.t(f"service.notify.{kind}", "zh", id=consultation_id or entity_id or "")
        _queue(session, [Email(addr, subject, f"{subject}\n\n{message}") for addr in rows if addr])
    return len(ids)


def _queue(session: Session, emails: list[Email]) -> None:
    pending = session.info.setdefault("ipoverseas_emails", [])
    if not pending:
        event.listen(session, "after_commit", _send_pending, once=True)
    pending.extend(emails)


def _send_pending(session: Session) -> None:
    emails = session.info.pop("ipoverseas_emails", [])
    try:
        send(emails)
    except Exception:  # email is best effort: the change is committed already
        log.exception("sending %d notification emails failed", len(emails))


def send(emails: list[Email]) -> int:
    if not emails or not email_enabled():
        return 0
    host, port = setting("smtp_host"), setting("smtp_port")
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        if setting("smtp_starttls"):
            smtp.starttls()
        if setting("smtp_user"):
            smtp.login(setting("smtp_user"), setting("smtp_password"))
        for item in emails:
            msg = EmailMessage()
            msg["From"] = setting("smtp_from")
            msg["To"] = item.to
            msg["Subject"] = item.subject
            msg.set_content(item.body)
            smtp.send_message(msg)
    return len(emails)


# --- reading ---------------------------------------------------------------------------


def unread_count(user: Principal) -> int:
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None))) or 0)


def recent(user: Principal, limit: int = 20) -> list[dict]:
    stmt = (select(Notification.id, Notification.kind, Notification.consultation_id, Notification.message,
                   Notification.created_at, Notification.read_at, Notification.entity, Notification.entity_id)
            .where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
            .limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def mark_read_for(user: Principal, consultation_id: int, entity: str = "consultation") -> int:
    """Mark the user's unread notifications about one record read (when they open it): a
    consultation, or another record named by its entity ("duty", "transfer"...)."""
    about = (Notification.consultation_id == consultation_id if entity == "consultation"
             else (Notification.entity == entity) & (Notification.entity_id == consultation_id))
    with db.read_session() as s:
        ids = list(s.scalars(select(Notification.id).where(
            Notification.user_id == user.id, Notification.read_at.is_(None), about)))
    return mark_read(user, ids) if ids else 0


def mark_read(user: Principal, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when ids is None)."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return 0
        stmt = stmt.where(Notification.id.in_(ids))
    with db.write_session() as s:
        count = s.execute(stmt.values(read_at=utcnow())).rowcount or 0
        trail.record(s, user, "notification.read", "notification", None,
                     detail={"ids": ids if ids is not None else "all", "count": count})
        return count
