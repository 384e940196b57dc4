"""The weekly digest: what is new in each user's follows, once per user and week, even when two
sweeps run at once; e-mail only where configured; the cron command."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import select, update

from ipoverseas.accounts import notifications
from ipoverseas.cli import main
from ipoverseas.core import db, errors
from ipoverseas.core.models import Case, Digest, Notification, User
from ipoverseas.sharing import digest, follows

WEEK = digest.parse_week("2026-W40")   # Monday 28 September 2026


def _publish_in_week(n: int, country: str) -> list[int]:
    with db.write_session() as s:
        ids = list(s.scalars(select(Case.id).where(Case.review_status == "submitted").order_by(Case.id).limit(n)))
        s.execute(update(Case).where(Case.id.in_(ids)).values(
            review_status="published", country=country, published_at=datetime(2026, 9, 30, 3, 0)))
    return ids


def _digest_notes(username: str) -> list[Notification]:
    with db.read_session() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
        return list(s.scalars(select(Notification).where(Notification.user_id == uid,
                                                         Notification.kind == "follow_digest")))


def test_weeks_parse_and_bad_ones_are_refused():
    assert (WEEK.code, WEEK.start.isoformat(), WEEK.end.isoformat()) == ("2026-W40", "2026-09-28", "2026-10-05")
    assert digest.parse_week(None, today=datetime(2026, 12, 9).date()).code == "2026-W49"
    for bad in ("2026-W60", "next week", "2026-13"):
        with pytest.raises(errors.Invalid):
            digest.parse_week(bad)


def test_a_digest_lists_the_weeks_news_once(demo_database, principal, monkeypatch):
    sent: list = []
    monkeypatch.setattr(notifications, "send", lambda emails: sent.extend(emails) or len(emails))
    staff = principal("staff")
    follows.follow(staff, "country", "SA")
    ids = _publish_in_week(4, "SA")
    assert digest.sweep(WEEK) >= 1
    notes = _digest_notes("staff")
    assert len(notes) == 1 and notes[0].message == "2026-W40|4|0" and notes[0].entity == "digest"
    assert sent == []                                   # no SMTP: no e-mail
    page = digest.week_records(staff, notes[0].entity_id)
    assert sorted(c["id"] for c in page["cases"]) == sorted(ids)
    assert digest.week_records(principal("admin"), notes[0].entity_id) is None
    assert digest.sweep(WEEK) == 0                      # idempotent
    assert len(_digest_notes("staff")) == 1
    digest.sweep(digest.parse_week("2026-W41"))          # nothing new for staff that week: no digest
    assert len(_digest_notes("staff")) == 1


def test_two_concurrent_sweeps_write_one_digest_each(demo_database, principal, monkeypatch):
    sent: list = []
    monkeypatch.setenv("IPOVERSEAS_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(notifications, "send", lambda emails: sent.extend(emails) or len(emails))
    with db.write_session() as s:
        s.execute(update(User).where(User.username == "staff").values(email="staff@example.org"))
    follows.follow(principal("staff"), "country", "SA")
    follows.follow(principal("admin"), "country", "SA")
    _publish_in_week(3, "SA")
    barrier = threading.Barrier(2)
    results: list = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(digest.sweep(WEEK))
        except Exception as exc:   # noqa: BLE001 - checked below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    with db.read_session() as s:
        rows = s.execute(select(Digest.user_id, Digest.week)).all()
    assert len(rows) == len(set(rows)) and sum(results) == len(rows) >= 2
    assert len(_digest_notes("staff")) == 1 and len(_digest_notes("admin")) == 1
    assert [e.to for e in sent] == ["staff@example.org"]    # the admin has no address


def test_the_cron_command(demo_database, principal, capsys):
    follows.follow(principal("staff"), "country", "SA")
    _publish_in_week(2, "SA")
    assert main(["digest", "--week", "2026-W40"]) == 0
    assert "2026-W40" in capsys.readouterr().out
    assert main(["digest", "--week", "2026-W40", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert len(_digest_notes("staff")) == 1
    assert main(["digest", "--week", "someday"]) == 1
