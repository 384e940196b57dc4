"""Follows and their grouped notifications (issue 17): following, the fan-out after a review or an
import (one notification per follower), who may read what, e-mail only where configured."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select, update

from ipoverseas.accounts import creation, notifications
from ipoverseas.cases import review
from ipoverseas.core import db, errors
from ipoverseas.core.models import Case, Consultation, Follow, Notification, SubCentre, User
from ipoverseas.imports import service
from ipoverseas.knowledge import articles
from ipoverseas.sharing import fanout, follows
from tests.imports.helpers import case_row, write_cases_xlsx


def _staff(username: str, code: str) -> None:
    with db.write_session() as s:
        if s.scalar(select(SubCentre.id).where(SubCentre.code == code)) is None:
            s.add(SubCentre(code=code, name_zh=f"{code}分中心", province=None))
            s.flush()
        creation.add_account(s, username=username, password="a-long-password-1", role="staff", sub_centre_code=code,
                             email=f"{username}@example.org")


def _notes(username: str) -> list[Notification]:
    with db.read_session() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
        return list(s.scalars(select(Notification).where(Notification.user_id == uid,
                                                         Notification.kind.like("follow_%"))))


def _approved_cases(n: int, **where) -> list[int]:
    with db.read_session() as s:
        return list(s.scalars(select(Case.id).filter_by(review_status="submitted", **where).order_by(Case.id).limit(n)))


def test_follow_validates_and_unfollows(demo_database, principal):
    staff = principal("staff")
    assert follows.follow(staff, "country", "美国") is True          # an alias: stored as its code
    assert follows.follow(staff, "country", "US") is False
    assert follows.is_following(staff, "country", "US")
    with pytest.raises(errors.Invalid):
        follows.follow(staff, "country", "Atlantis")
    with pytest.raises(errors.Invalid):
        follows.follow(staff, "colour", "red")
    with pytest.raises(errors.NotFound):
        follows.follow(principal("enterprise"), "case", _approved_cases(1)[0])   # an unpublished case: not theirs
    assert [(r["facet"], r["value"]) for r in follows.list_follows(staff)] == [("country", "US")]
    assert follows.unfollow(staff, "country", "US") is True
    assert follows.list_follows(staff) == []


def test_an_enterprise_starts_with_its_profile_follows_once(demo_database, principal):
    ent = principal("enterprise")
    with db.read_session() as s:
        asked = set(s.scalars(select(Consultation.industry).where(Consultation.enterprise_user_id == ent.id,
                                                                  Consultation.industry.is_not(None))))
    assert asked, "the demo enterprise has consultations"
    rows = follows.list_follows(ent)
    assert {r["value"] for r in rows if r["facet"] == "industry"} == asked
    assert all(r["origin"] == "profile" for r in rows) and any(r["facet"] == "country" for r in rows)
    follows.clear(ent)
    assert follows.list_follows(ent) == []          # removed follows do not come back


def test_one_review_publication_notifies_each_follower_once_and_only_readers(demo_database, principal):
    admin = principal("admin")
    _staff("staff_a", "AA")
    a, b = principal("staff_a"), principal("staff")
    ids = _approved_cases(3)
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id.in_(ids)).values(review_status="approved", country="US",
                                                               industry="electronics"))
    follows.follow(a, "country", "US")
    follows.follow(a, "industry", "electronics")    # two follows matching the same cases: still one count each
    for cid in ids:
        review.transition(admin, cid, "publish")
    notes = _notes("staff_a")
    assert len(notes) == 3 and {n.message for n in notes} == {"1"}
    assert _notes("staff") == []                     # follows nothing
    # grouped: one announcement of the three cases -> one notification saying 3
    result = fanout.announce_cases(ids)
    assert result.notified == 1
    grouped = [n for n in _notes("staff_a") if n.entity_id == result.event_id]
    assert len(grouped) == 1 and grouped[0].message == "3"
    page = fanout.event_records(a, result.event_id)
    assert sorted(r["id"] for r in page["records"]) == sorted(ids)
    assert fanout.event_records(b, result.event_id) is None      # not b's notification


def test_an_import_notifies_readers_once_after_commit(demo_database, principal, tmp_path):
    _staff("staff_a", "AA")
    follows.follow(principal("staff_a"), "country", "US")
    follows.follow(principal("staff"), "country", "US")           # staff of ZJ, the importing sub-centre
    follows.follow(principal("admin"), "dispute_type", "itc_337")
    rng = random.Random(3)
    rows = [case_row(i, rng, ref_prefix="FAN") for i in range(40)]
    for r in rows:
        r[2] = "美国"
    path = write_cases_xlsx(tmp_path / "fan.xlsx", rows)
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
    _, result = service.run(path, path.name, "cases", principal("staff"), zj)
    assert result.batch_id
    mine = _notes("staff")
    assert len(mine) == 1 and mine[0].message == "40" and mine[0].kind == "follow_cases"
    assert _notes("staff_a") == []                   # B's submitted cases: not readable by sub-centre A
    admin_notes = _notes("admin")
    n337 = sum(1 for r in rows if r[4] in ("美国337调查", "337"))
    assert (len(admin_notes), admin_notes[0].message if admin_notes else None) == \
        ((1, str(n337)) if n337 else (0, None))
    # the same file again changes nothing and says nothing
    service.run(path, path.name, "cases", principal("staff"), zj)
    assert len(_notes("staff")) == 1


def test_a_followed_case_that_changes_tells_its_followers(demo_database, principal, tmp_path):
    admin, staff = principal("admin"), principal("staff")
    rng = random.Random(5)
    rows = [case_row(i, rng, ref_prefix="CHG") for i in range(2)]
    rows[0][13], rows[0][14], rows[0][15] = None, "进行中", "未决"
    path = write_cases_xlsx(tmp_path / "a.xlsx", rows)
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
    service.run(path, path.name, "cases", staff, zj)
    with db.read_session() as s:
        cid = s.scalar(select(Case.id).where(Case.case_ref == "CHG-000000"))
    follows.follow(staff, "case", cid)
    rows[0][13], rows[0][14], rows[0][15] = rows[0][12] + __import__("datetime").timedelta(days=90), "已结案", "胜诉"
    path2 = write_cases_xlsx(tmp_path / "b.xlsx", rows)
    service.run(path2, path2.name, "cases", staff, zj)
    notes = [n for n in _notes("staff") if n.kind == "follow_case_changed"]
    assert len(notes) == 1 and notes[0].message == "1"
    review.transition(admin, cid, "approve")
    review.transition(admin, cid, "publish")         # first publication: a new case for its followers
    assert len([n for n in _notes("staff") if n.kind == "follow_cases"]) == 1


def test_articles_and_alert_validity(demo_database, principal):
    admin = principal("admin")
    follows.follow(principal("enterprise"), "country", "DE")
    form = articles.ArticleInput(kind="risk_alert", title_zh="德国展会 <预警>", body="正文", countries=["DE"],
                                 severity="high", valid_until=__import__("datetime").date(2030, 1, 1),
                                 source="测试")
    aid = articles.create_article(admin, form, publish=True)
    notes = _notes("enterprise")
    assert [(n.kind, n.message) for n in notes] == [("follow_articles", "1")]
    with db.read_session() as s:
        version = s.scalar(select(func.max(Follow.id)))   # touch: the session works
    assert version
    row = articles.get_article(admin, aid)
    form2 = articles.ArticleInput.of({**row, "valid_until": __import__("datetime").date(2031, 1, 1)})
    articles.update_article(admin, aid, form2, expected_version=row["version"])
    assert sorted(n.kind for n in _notes("enterprise")) == ["follow_alert_changed", "follow_articles"]


def test_email_goes_only_where_configured(demo_database, principal, monkeypatch):
    sent: list = []
    monkeypatch.setattr(notifications, "send", lambda emails: sent.extend(emails) or len(emails))
    _staff("staff_a", "AA")
    follows.follow(principal("staff_a"), "country", "US")
    ids = _approved_cases(2)
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id.in_(ids)).values(review_status="published", country="US"))
    fanout.announce_cases(ids)
    assert sent == []                                  # no SMTP host: no e-mail
    monkeypatch.setenv("IPOVERSEAS_SMTP_HOST", "smtp.example.org")
    fanout.announce_cases(ids)
    assert [e.to for e in sent] == ["staff_a@example.org"] and "2" in sent[0].subject


def test_grouped_counts_equal_a_brute_force_count(demo_database, principal):
    """The fan-out's inclusion-exclusion count equals counting each follower's matching cases one by one."""
    rng = random.Random(11)
    with db.read_session() as s:
        cases = s.execute(select(Case.id, Case.country, Case.dispute_type, Case.ip_type, Case.industry)
                          .where(Case.review_status == "published").order_by(Case.id).limit(300)).all()
    pools = {f: sorted({getattr(c, f) for c in cases if getattr(c, f)}) for f in fanout._CUBE}
    expected = {}
    for i in range(25):
        _staff(f"f{i}", "AA")
        user = principal(f"f{i}")
        mine = set()
        for _ in range(rng.randint(1, 6)):
            facet = rng.choice(list(pools))
            mine.add((facet, rng.choice(pools[facet])))
        if rng.random() < 0.5:
            mine.add(("case", str(rng.choice(cases).id)))
        for facet, value in mine:
            follows.follow(user, facet, value)
        n = sum(1 for c in cases if any((f == "case" and v == str(c.id)) or getattr(c, f, None) == v
                                        for f, v in mine))
        if n:
            expected[user.id] = str(n)
    result = fanout.announce_cases([c.id for c in cases])
    with db.read_session() as s:
        got = dict(s.execute(select(Notification.user_id, Notification.message).where(
            Notification.entity == fanout.ENTITY, Notification.entity_id == result.event_id)).all())
    assert got == expected and result.notified == len(expected)
