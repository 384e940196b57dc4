"""The page "我的关注 / Follows" through AppTest: every role opens it; following from the page and
from a case's page; a notification's event opens the matching records and marks it read; another
user's event or digest by id in the URL shows "not found"."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ipoverseas.core import db, i18n
from ipoverseas.core.models import Case, Notification
from ipoverseas.sharing import fanout, follows, profile
from tests.pages.apptest import run_page, texts

NOT_FOUND = i18n.t("errors.not_found", "zh")


@pytest.mark.parametrize("username", ["enterprise", "staff", "expert", "admin"])
def test_every_role_opens_the_page(sqlite_demo_database, principal, username):
    at = run_page("follows", principal(username), lang="zh")
    assert not at.exception and at.title[0].value == "我的关注"
    assert "None" not in texts(at)


def test_nobody_sees_nothing(sqlite_demo_database):
    at = run_page("follows", None, lang="zh")
    assert not at.title and i18n.t("errors.not_allowed", "zh") in texts(at)


def test_follow_from_the_page_and_unfollow(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("follows", staff, lang="zh")
    at.selectbox(key="follows_facet").set_value("industry").run()
    at.selectbox(key="follows_value_industry").set_value("electronics").run()
    at.button(key="follows_add").click().run()
    assert not at.exception and follows.is_following(staff, "industry", "electronics")
    assert "电子信息" in texts(at) or "电子" in texts(at)
    row = follows.list_follows(staff)[0]
    at.button(key=f"follows_rm_{row['id']}").click().run()
    assert not at.exception and not follows.is_following(staff, "industry", "electronics")


def test_the_case_page_has_a_follow_button(sqlite_demo_database, principal):
    staff = principal("staff")
    with db.read_session() as s:
        cid = s.scalar(select(Case.id).where(Case.review_status == "published").order_by(Case.id).limit(1))
    at = run_page("cases", staff, lang="zh", query={"case": str(cid)})
    at.button(key=f"follow_case_{cid}").click().run()
    assert not at.exception and follows.is_following(staff, "case", cid)


def test_an_event_opens_its_records_and_marks_it_read(sqlite_demo_database, principal):
    staff = principal("staff")
    follows.follow(staff, "country", "SA")
    with db.write_session() as s:
        ids = list(s.scalars(select(Case.id).where(Case.review_status == "published").order_by(Case.id).limit(2)))
        s.execute(update(Case).where(Case.id.in_(ids)).values(country="SA", title="示例<标题>"))
    done = fanout.announce_cases(ids)
    at = run_page("follows", staff, lang="zh", query={"event": str(done.event_id)})
    assert not at.exception and "关注范围内的 2 个新案例" in at.title[0].value
    with db.read_session() as s:
        assert s.scalar(select(Notification.read_at).where(Notification.entity_id == done.event_id,
                                                           Notification.entity == fanout.ENTITY)) is not None
    other = run_page("follows", principal("admin"), lang="zh", query={"event": str(done.event_id)})
    assert NOT_FOUND in texts(other)
    assert NOT_FOUND in texts(run_page("follows", staff, lang="zh", query={"digest": "99999"}))


def test_an_enterprise_fills_in_its_company_profile(sqlite_demo_database, principal):
    """The demo's first enterprise has no profile: the form is open, saving follows what it names,
    a wrong choice is named, and only enterprises see the form."""
    ent = principal("enterprise")
    at = run_page("follows", ent, lang="zh")
    assert not at.exception and i18n.t("profile.empty_hint", "zh") in texts(at)
    at.multiselect(key="profile_industries").set_value(["machinery"])
    at.multiselect(key="profile_markets").set_value(["BR", "MX"])
    at.button(key="FormSubmitter:profile_form-保存企业档案").click().run()
    assert not at.exception
    assert profile.read(ent) == {"industry": ["machinery"], "country": sorted(["BR", "MX"], key=_country_order)}
    assert follows.is_following(ent, "country", "BR") and follows.is_following(ent, "industry", "machinery")
    shown = texts(at)
    assert "已保存企业档案" in shown and i18n.t("profile.empty_hint", "zh") not in shown
    at.button(key="FormSubmitter:profile_form-保存企业档案").click().run()   # nothing changed: said so
    assert i18n.t("profile.unchanged", "zh") in texts(at)
    for username in ("staff", "expert", "admin"):
        other = run_page("follows", principal(username), lang="zh")
        assert not other.exception and not other.multiselect and "企业档案" not in texts(other)


def _country_order(code: str) -> int:
    return list(follows.TERMS["country"]().codes).index(code)
