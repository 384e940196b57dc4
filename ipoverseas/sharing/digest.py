"""The weekly digest: for each user, what was published in their follows during one ISO week
(Beijing time): new published cases and new articles / risk alerts, as one in-app notification
(kind "follow_digest", naming its `Digest` row) and an e-mail where SMTP is configured.

`python -m ipoverseas digest [--week 2026-W49]` (cron, Mondays) runs `sweep`. It is idempotent:
a `digests` row per user and week, written with INSERT .. ON CONFLICT DO NOTHING .. RETURNING,
and only the rows this run wrote get a notification, so a second run, or two at once, send none.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, literal, select, union_all

from ipoverseas.accounts import notifications
from ipoverseas.core import db, errors, i18n, localtime
from ipoverseas.core.models import Article, Case, Digest, Notification, User, utcnow
from ipoverseas.sharing import follows
from ipoverseas.sharing.fanout import CASE_FACET_COLUMNS, case_counts, matches

log = logging.getLogger(__name__)
WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Week:
    code: str          # "2026-W49"
    start: date        # its Monday
    end: date          # the next Monday

    def utc_bounds(self) -> tuple[datetime, datetime]:
        return (localtime.from_local(datetime.combine(self.start, time())),
                localtime.from_local(datetime.combine(self.end, time())))


def week_of(day: date) -> Week:
    year, number, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return Week(f"{year}-W{number:02d}", start, start + timedelta(days=7))


def parse_week(value: str | None, today: date | None = None) -> Week:
    """`2026-W49` (or `2026W49`); none: the last complete week."""
    if not value:
        return week_of((today or localtime.today()) - timedelta(days=7))
    match = WEEK.match(value.strip())
    if not match:
        raise errors.Invalid("follows.error.bad_week", field="week", value=value[:20])
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise errors.Invalid("follows.error.bad_week", field="week", value=value[:20]) from None
    return week_of(monday)


def _counts(week: Week):
    """(user_id, cases, articles): what is new in each user's follows during the week (the cases
    counted like the fan-out's, from a cube of the week's cases)."""
    start, end = week.utc_bounds()
    new_cases = select(*CASE_FACET_COLUMNS).where(Case.review_status == "published", Case.published_at >= start,
                                   Case.published_at < end)
    new_articles = select(Article.id.label("record_id")).where(
        Article.status == "published", Article.published_on >= week.start, Article.published_on < week.end)
    c = case_counts(new_cases).subquery("cc")
    a = matches(new_articles, "article")
    both = union_all(select(c.c.user_id, c.c.n.label("nc"), literal(0).label("na")),
                     select(a.c.user_id, literal(0).label("nc"), literal(1).label("na"))).subquery("both")
    return (select(both.c.user_id, func.sum(both.c.nc).label("cases"), func.sum(both.c.na).label("articles"))
            .group_by(both.c.user_id))


def sweep(week: Week) -> int:
    """Write each user's digest of `week` once; returns how many this run wrote."""
    counts = _counts(week).subquery("counts")
    now = utcnow()
    with db.write_session() as s:
        follows.seed_all(s)   # existing enterprises get their profile follows without opening the page
        rows = (select(counts.c.user_id, literal(week.code), counts.c.cases, counts.c.articles, literal(now))
                .join(User, User.id == counts.c.user_id).where(User.active.is_(True)))
        written = s.execute(db.insert_ignoring_duplicates(s)(Digest).from_select(
            ["user_id", "week", "cases", "articles", "created_at"], rows)
            .returning(Digest.id, Digest.user_id, Digest.cases, Digest.articles)).all()
        if not written:
            return 0
        s.execute(insert(Notification), [
            {"user_id": uid, "kind": "follow_digest", "message": f"{week.code}|{nc}|{na}", "created_at": now,
             "entity": "digest", "entity_id": did} for did, uid, nc, na in written])
        emails = []
        if notifications.email_enabled():
            addresses = dict(s.execute(select(User.id, User.email).where(
                User.id.in_([w[1] for w in written]), User.email.is_not(None), User.email != "")).all())
            for _, uid, nc, na in written:
                if addresses.get(uid):
                    subject = i18n.t("follows.notify.follow_digest", "zh", week=week.code, cases=nc, articles=na)
                    emails.append(notifications.Email(addresses[uid], subject,
                                                      subject + "\n\n" + i18n.t("follows.email.footer", "zh")))
    if emails:
        try:
            notifications.send(emails)
        except Exception:   # e-mail is best effort: the digests are committed
            log.exception("sending %d digest e-mails failed", len(emails))
    return len(written)


def week_records(user, digest_id: int) -> dict | None:
    """One of the user's digests with its records (for the page its notification opens)."""
    with db.read_session() as s:
        row = s.get(Digest, digest_id)
        if row is None or row.user_id != user.id:
            return None
        week = parse_week(row.week)
    start, end = week.utc_bounds()
    with db.read_session() as s:
        c = matches(select(Case.id.label("record_id")).where(Case.review_status == "published",
                                                              Case.published_at >= start, Case.published_at < end),
                    "case")
        a = matches(select(Article.id.label("record_id")).where(
            Article.status == "published", Article.published_on >= week.start, Article.published_on < week.end),
            "article")
        cases = [dict(r._mapping) for r in s.execute(
            select(Case.id, Case.case_ref.label("ref"), Case.title, Case.country, Case.dispute_type)
            .where(Case.id.in_(select(c.c.record_id).where(c.c.user_id == user.id)))
            .order_by(Case.id.desc()).limit(500))]
        arts = [dict(r._mapping) for r in s.execute(
            select(Article.id, Article.ref, Article.title_zh.label("title"), Article.kind)
            .where(Article.id.in_(select(a.c.record_id).where(a.c.user_id == user.id)))
            .order_by(Article.id.desc()).limit(500))]
    return {"week": week.code, "cases": cases, "articles": arts}
