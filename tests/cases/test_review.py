"""The review workflow: approve, return with a reason, publish, typical/guiding; admin only, versioned, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipoverseas.core import errors
from ipoverseas.cases import library, review
from ipoverseas.core import db
from ipoverseas.core.models import AuditEvent, Case, RecordVersion


def _case(status: str) -> int:
    with db.read_session() as s:
        return s.scalar(select(Case.id).where(Case.review_status == status).order_by(Case.id).limit(1))


def _row(cid: int) -> Case:
    with db.read_session() as s:
        return s.get(Case, cid)


def test_approve_then_publish_then_select_as_guiding(demo_database, principal):
    admin = principal("admin")
    cid = _case("submitted")
    v0 = _row(cid).version
    review.transition(admin, cid, "approve", expected_version=v0)
    assert _row(cid).review_status == "approved"
    review.transition(admin, cid, "publish")
    row = _row(cid)
    assert row.review_status == "published" and row.published_at is not None
    review.set_distinction(admin, cid, "guiding", "首例通过无效宣告反制的案件")
    row = _row(cid)
    assert row.distinction == "guiding" and row.distinction_reason.startswith("首例")
    assert row.version == v0 + 3
    with db.read_session() as s:
        versions = s.execute(select(RecordVersion).where(RecordVersion.entity == "case", RecordVersion.entity_id == cid)
                             .order_by(RecordVersion.id)).scalars().all()
        events = s.execute(select(AuditEvent).where(AuditEvent.entity == "case", AuditEvent.entity_id == cid)
                           .order_by(AuditEvent.id)).scalars().all()
    assert [v.action for v in versions] == ["approve", "publish", "distinction"]
    assert versions[0].before["review_status"] == "submitted" and versions[0].after_version == v0 + 1
    assert [e.action for e in events] == ["case.approve", "case.publish", "case.distinction"]
    assert events[0].detail["before"] == {"review_status": "submitted"}
    assert events[0].detail["after"] == {"review_status": "approved"}
    assert events[0].username == "admin"
    # now everyone sees it
    assert library.get_case(principal("enterprise"), cid)["distinction"] == "guiding"


def test_return_needs_a_reason_and_writes_nothing_without_one(demo_database, principal):
    admin = principal("admin")
    cid = _case("submitted")
    before = _row(cid)
    with pytest.raises(errors.Refusal) as err:
        review.transition(admin, cid, "return", reason="   ")
    assert err.value.key == "cases.error.reason_required"
    assert _row(cid).version == before.version
    review.transition(admin, cid, "return", reason="请补充判决书来源")
    row = _row(cid)
    assert row.review_status == "returned" and row.review_note == "请补充判决书来源"


def test_invalid_transitions_are_refused(demo_database, principal):
    admin = principal("admin")
    sub = _case("submitted")
    with pytest.raises(errors.Refusal) as err:
        review.transition(admin, sub, "publish")
    assert err.value.key == "cases.error.bad_transition"
    with pytest.raises(errors.Refusal) as err:
        review.set_distinction(admin, sub, "typical", "理由")
    assert err.value.key == "cases.error.not_published"
    pub = _case("published")
    with pytest.raises(errors.Refusal):
        review.set_distinction(admin, pub, "typical", "")
    with pytest.raises(errors.Refusal):
        review.set_distinction(admin, pub, "famous", "x")
    with pytest.raises(errors.Refusal) as err:
        review.transition(admin, 10**9, "approve")
    assert err.value.key == "cases.error.not_found"
    with pytest.raises(errors.Refusal):
        review.transition(admin, sub, "explode")


def test_a_stale_version_is_refused(demo_database, principal):
    admin = principal("admin")
    cid = _case("submitted")
    v = _row(cid).version
    review.transition(admin, cid, "approve", expected_version=v)
    with pytest.raises(errors.Refusal) as err:
        review.transition(admin, cid, "publish", expected_version=v)
    assert err.value.key == "cases.error.changed"
    assert _row(cid).review_status == "approved"


@pytest.mark.parametrize("role", ["enterprise", "staff", "expert"])
def test_only_admin_reviews(demo_database, principal, role):
    user = principal(role)
    cid = _case("submitted")
    with pytest.raises(errors.Denied):
        review.transition(user, cid, "approve")
    with pytest.raises(errors.Denied):
        review.set_distinction(user, _case("published"), "typical", "x")
    with pytest.raises(errors.Denied):
        review.review_queue(user)
    assert _row(cid).review_status == "submitted"


def test_queue_lists_submitted_oldest_first_and_unpublish_clears_distinction(demo_database, principal):
    admin = principal("admin")
    queue = review.review_queue(admin)
    with db.read_session() as s:
        n = len(s.scalars(select(Case.id).where(Case.review_status == "submitted")).all())
    assert queue.total == n and all(r["review_status"] == "submitted" for r in queue.rows)
    created = [r["created_at"] for r in queue.rows]
    assert created == sorted(created)
    counts = review.review_counts(admin)
    assert counts["submitted"] == n
    pub = _case("published")
    review.set_distinction(admin, pub, "typical", "代表性强")
    review.transition(admin, pub, "unpublish")
    row = _row(pub)
    assert row.review_status == "approved" and row.distinction is None
    assert library.get_case(principal("enterprise"), pub) is None
    hist = review.history(admin, pub)
    assert [h["action"] for h in hist] == ["unpublish", "distinction"]


def test_history_says_who_and_why(demo_database, principal):
    admin = principal("admin")
    cid = _case("submitted")
    review.transition(admin, cid, "approve", reason="事实清楚，来源可靠")
    review.transition(admin, cid, "publish")
    review.set_distinction(admin, cid, "guiding", "首个被宣告无效的抢注商标")
    hist = review.history(admin, cid)
    assert [h["action"] for h in hist] == ["distinction", "publish", "approve"]
    assert [h["reason"] for h in hist] == ["首个被宣告无效的抢注商标", "", "事实清楚，来源可靠"]
    assert [h["status"] for h in hist] == [None, "published", "approved"]
    assert {h["who"] for h in hist} == {"国家中心管理员"} and all(h["at"] for h in hist)
