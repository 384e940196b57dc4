"""The page 工作总结 / Work summary through AppTest on the demo: the admin drafts the whole network's
summary or a sub-centre's and downloads it; staff draft their own only and hand it in as the annual
summary in one step, with a link to the report; other roles have no page."""

from __future__ import annotations

from sqlalchemy import select, update

from ipoverseas.core import db
from ipoverseas.core.models import DutyItem, DutyType
from tests.pages.apptest import run_page, texts


def _downloads(at) -> list:
    return at.get("download_button")


def test_the_admin_drafts_the_network_or_a_sub_centre(sqlite_demo_database, principal):
    at = run_page("summary", principal("admin"), lang="zh", timeout=120)
    assert not at.exception
    scope = at.selectbox(key="summary_scope")
    assert scope.value is None and "全网络" in scope.options
    assert not _downloads(at)
    at.button(key="summary_generate").click()
    at = at.run(timeout=120)
    assert not at.exception
    assert "初稿已生成" in texts(at) and "全网络" in texts(at)
    assert len(_downloads(at)) == 1
    assert not [b for b in at.button if b.key == "summary_hand_in"]      # the centre hands in no summary
    zhejiang = next(o for o in scope.options if o.startswith("浙江"))
    at.selectbox(key="summary_scope").select(zhejiang)
    at = at.run(timeout=120)
    assert not _downloads(at)                                            # the network's draft is not offered for ZJ


def test_staff_draft_their_own_and_hand_it_in_in_one_step(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("summary", staff, lang="zh", timeout=120)
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "summary_scope"]     # no choice: their own sub-centre
    at.button(key="summary_generate").click()
    at = at.run(timeout=120)
    assert not at.exception and len(_downloads(at)) == 1
    year = int(at.selectbox(key="summary_year").value)
    wanted = (select(DutyItem.id).join(DutyType, DutyType.id == DutyItem.duty_type_id)
              .where(DutyType.code == "annual_summary", DutyItem.sub_centre_id == staff.sub_centre_id,
                     DutyItem.year == year))
    with db.write_session() as s:                       # the demo's summary of the year is already accepted
        s.execute(update(DutyItem).where(DutyItem.id.in_(wanted)).values(status="accepted"))
    at.button(key="summary_hand_in").click()
    at = at.run(timeout=120)
    assert "这项报送已被采纳" in texts(at)               # refused by the duty's own rules: nothing written
    with db.write_session() as s:
        s.execute(update(DutyItem).where(DutyItem.id.in_(wanted)).values(status="open"))
    at.button(key="summary_hand_in").click()
    at = at.run(timeout=120)
    assert not at.exception
    assert "已报送" in texts(at)
    with db.read_session() as s:
        item = s.get(DutyItem, s.scalar(wanted))
        assert item.status == "submitted"
    assert any(f"duty={item.id}" in str(link.proto) for link in at.get("page_link"))


def test_other_roles_have_no_page(sqlite_demo_database, principal):
    for role in ("enterprise", "expert"):
        at = run_page("summary", principal(role), lang="zh")
        assert not at.exception
        assert not [b for b in at.button if b.key == "summary_generate"]
