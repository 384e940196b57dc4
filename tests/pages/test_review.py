"""The review page through AppTest: admin only; approve, return with a reason, publish, select."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.core import db, i18n
from ipoverseas.core.models import AuditEvent, Case
from tests.pages.apptest import run_page


@pytest.mark.parametrize("role", policy.ROLES)
def test_only_admin_sees_the_review_page(sqlite_demo_database, principal, role):
    at = run_page("review", principal(role))
    assert not at.exception
    if role == "admin":
        assert at.title[0].value == i18n.t("cases.review.title", "en")
        assert at.dataframe and len(at.metric) == 4
    else:
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert not at.title and not at.dataframe


def _status(cid):
    with db.read_session() as s:
        return s.get(Case, cid)


def test_admin_approves_returns_and_publishes(sqlite_demo_database, principal):
    admin = principal("admin")
    at = run_page("review", admin)
    cid = at.selectbox(key="review_pick").value
    assert _status(cid).review_status == "submitted"
    # returning without a reason is refused, with a message, and writes nothing
    at.button(key=f"review_return_{cid}").click().run()
    assert not at.exception
    assert at.error and at.error[0].value == i18n.t("cases.error.reason_required", "en")
    assert _status(cid).review_status == "submitted"
    at.selectbox(key="review_pick").set_value(cid).run()
    at.button(key=f"review_approve_{cid}").click().run()
    assert not at.exception and at.success
    assert _status(cid).review_status == "approved"
    at.radio(key="review_queue").set_value("approved").run()
    at.selectbox(key="review_pick").set_value(cid).run()
    at.button(key=f"review_publish_{cid}").click().run()
    assert _status(cid).review_status == "published"
    at.radio(key="review_queue").set_value("published").run()
    at.selectbox(key="review_pick").set_value(cid).run()
    at.text_area(key=f"review_reason_{cid}").input("首个被宣告无效的抢注商标").run()
    at.radio(key=f"review_distinction_{cid}").set_value("typical").run()
    at.button(key=f"review_save_distinction_{cid}").click().run()
    assert not at.exception
    row = _status(cid)
    assert row.distinction == "typical" and row.distinction_reason == "首个被宣告无效的抢注商标"
    with db.read_session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "case", AuditEvent.entity_id == cid)
                            .order_by(AuditEvent.id)).all()
    assert actions == ["case.approve", "case.publish", "case.distinction"]


def test_review_history_shows_who_when_and_why_in_chinese(sqlite_demo_database, principal):
    admin = principal("admin")
    at = run_page("review", admin, lang="zh")
    cid = at.selectbox(key="review_pick").value
    at.text_area(key=f"review_reason_{cid}").input("事实清楚，来源可靠").run()
    at.button(key=f"review_approve_{cid}").click().run()
    at.radio(key="review_queue").set_value("approved").run()
    at.selectbox(key="review_pick").set_value(cid).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table.columns) == ["时间（北京时间）", "操作人", "操作", "审核状态", "理由 / 审核意见"]
    row = table.iloc[0]
    assert (row["操作人"], row["操作"], row["审核状态"], row["理由 / 审核意见"]) == (
        "国家中心管理员", "审核通过", "已通过", "事实清楚，来源可靠")
    assert len(row["时间（北京时间）"]) == 16


def test_a_case_opens_from_its_link_and_every_row_links(sqlite_demo_database, principal):
    from tests.pages.apptest import run_page as run
    at = run("review", principal("admin"), lang="zh")
    links = at.dataframe[0].value["#"]
    assert links.str.fullmatch(r"review\?case=\d+").all()
    last = int(links.iloc[-1].split("=")[1])
    at = run("review", principal("admin"), lang="zh", query={"case": str(last)})
    assert at.selectbox(key="review_pick").value == last
