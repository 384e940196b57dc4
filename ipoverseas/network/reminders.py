"""Reminders of the reports a sub-centre owes (`python -m ipoverseas notify-duties`, for cron).

For each report not yet handed in, the owing sub-centre's staff get an in-app notification (and
an e-mail where SMTP is configured) `duty_soon_days` working days before it is due, on the due
date, and once when it is overdue. Each reminder is sent once: a sweep claims it by setting the
item's `reminded_*_at` in an UPDATE that only succeeds while it is still empty, in the same
transaction as the notification, so two sweeps at once (two hosts' cron) send it once.

An overdue reminder is sent only within OVERDUE_WINDOW_DAYS of the due date, so the first sweep
on a new installation does not send a year of overdue notices at once.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from ipoverseas.accounts import notifications
from ipoverseas.consultations.workflow import staff_of
from ipoverseas.core import db, localtime
from ipoverseas.core.models import DutyItem, DutyType, utcnow
from . import duties
from .duties import period_label

OVERDUE_WINDOW_DAYS = 30
STAGES = {"soon": ("reminded_soon_at", "duty_due_soon"), "due": ("reminded_due_at", "duty_due"),
          "overdue": ("reminded_overdue_at", "duty_overdue")}


def _stage_of(due_on: date, today: date, soon: date) -> str | None:
    if due_on < today:
        return "overdue" if due_on >= today - timedelta(days=OVERDUE_WINDOW_DAYS) else None
    if due_on == today:
        return "due"
    return "soon" if due_on <= soon else None


def sweep(today: date | None = None) -> dict[str, int]:
    """Make this year's (and, in January, last year's) items, then send the reminders due today.
    Returns how many reminders of each stage this sweep sent."""
    today = today or localtime.today()
    for year in {today.year, (today - timedelta(days=40)).year}:
        duties.ensure_year(year)
    soon = duties.soon_until(today)
    sent = {stage: 0 for stage in STAGES}
    with db.read_session() as s:
        candidates = s.execute(
            select(DutyItem.id, DutyItem.due_on, DutyItem.reminded_soon_at, DutyItem.reminded_due_at,
                   DutyItem.reminded_overdue_at)
            .join(DutyType, DutyType.id == DutyItem.duty_type_id)
            .where(DutyItem.status == "open", DutyType.active.is_(True),
                   DutyItem.due_on >= today - timedelta(days=OVERDUE_WINDOW_DAYS), DutyItem.due_on <= soon)).all()
    for c in candidates:
        stage = _stage_of(c.due_on, today, soon)
        if stage is None or getattr(c, STAGES[stage][0]) is not None:
            continue
        sent[stage] += _send(c.id, stage)
    return sent


def _send(item_id: int, stage: str) -> int:
    column, kind = STAGES[stage]
    with db.write_session() as s:
        claimed = s.execute(update(DutyItem).where(DutyItem.id == item_id, DutyItem.status == "open",
                                                   getattr(DutyItem, column).is_(None))
                            .values({column: utcnow()})).rowcount
        if claimed != 1:
            return 0    # another sweep sent it, or the report came in meanwhile
        it = s.get(DutyItem, item_id)
        duty = s.get(DutyType, it.duty_type_id)
        message = f"{duty.name_zh} {period_label(it.period, 'zh')}，截止 {it.due_on.isoformat()}"
        notifications.notify(s, staff_of(s, it.sub_centre_id), kind, None, message, entity="duty", entity_id=it.id)
        return 1
