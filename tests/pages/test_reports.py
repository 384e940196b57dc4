"""The page 报送 / Reports through AppTest on the demo: staff see their own sub-centre's year and
hand in a report; the admin sees every sub-centre, returns a report (a reason required) and keeps
the duty types; another sub-centre's report by id shows "not found"; other roles see nothing."""

from __future__ import annotations

from sqlalchemy import select

from ipoverseas.core import db
from ipoverseas.core.models import DutyItem, DutyType, SubCentre
from ipoverseas.network import duties, submissions
from tests.pages.apptest import run_page, texts


def _item(code: str, period: str, centre: str = "ZJ") -> DutyItem:
    with db.read_session() as s:
        return s.scalar(select(DutyItem).join(DutyType, DutyType.id == DutyItem.duty_type_id)
                        .join(SubCentre, SubCentre.id == DutyItem.sub_centre_id)
                        .where(DutyType.code == code, DutyItem.period == period, SubCentre.code == centre))


def test_staff_see_their_own_sub_centre_only(sqlite_demo_database, principal):
    at = run_page("reports", principal("staff"), lang="zh")
    assert not at.exception
    shown = texts(at)
    assert "2026 年报送情况" in shown and "逾期未交" in shown and "报送任务类型" not in shown
    grid = at.dataframe[0].value
    assert list(grid["分中心"]) == ["浙江分中心"]
    assert {"计划", "月报 1月", "季报 Q4", "总结"} <= set(grid.columns)
    listed = at.dataframe[1].value
    assert set(listed["分中心"]) == {"浙江分中心"} and listed["#"].str.startswith("reports?duty=").all()
    assert "None" not in shown and "missing" not in shown


def test_the_admin_sees_every_sub_centre_filters_by_state_and_the_url_keeps_it(sqlite_demo_database, principal):
    at = run_page("reports", principal("admin"), lang="zh")
    assert not at.exception
    assert len(at.dataframe[0].value) == 12
    at.multiselect(key="reports_states").set_value(["missing"]).run()
    assert at.query_params["state"] in ("missing", ["missing"]) and at.query_params["year"] in ("2026", ["2026"])
    listed = at.dataframe[1].value
    assert set(listed["状态"]) == {"逾期未交"}
    assert all("state=missing" in link and "year=2026" in link for link in listed["#"])   # the way back keeps it


def test_staff_hand_in_a_report_in_the_app(sqlite_demo_database, principal):
    item = _item("monthly_status", "2026-12")
    at = run_page("reports", principal("staff"), lang="zh", query={"duty": str(item.id)})
    assert not at.exception and "月度工作情况 · 2026年12月" in texts(at)
    at.number_input(key="reports_fig_trainings_held").set_value(4)
    at.text_area(key="reports_text").input("## 十二月\n- 培训 4 场")
    at.button[0].click().run()
    assert not at.exception
    assert _item("monthly_status", "2026-12").status == "submitted"
    assert submissions.submissions(principal("staff"), item.id)[0]["figures"] == {"trainings_held": 4}


def test_nothing_to_hand_in_is_refused_with_a_message(sqlite_demo_database, principal):
    item = _item("monthly_status", "2026-12")
    at = run_page("reports", principal("staff"), lang="zh", query={"duty": str(item.id)})
    at.button[0].click().run()
    assert "请撰写报送正文或上传报送文件" in texts(at)
    assert _item("monthly_status", "2026-12").status == "open"


def test_the_admin_returns_a_report_only_with_a_reason(sqlite_demo_database, principal):
    with db.read_session() as s:
        waiting = s.scalar(select(DutyItem.id).where(DutyItem.status == "submitted").limit(1))
    at = run_page("reports", principal("admin"), lang="zh", query={"duty": str(waiting)})
    at.radio(key="reports_decision").set_value("returned")
    at.button[0].click().run()
    assert "退回修改时请写明原因" in texts(at)
    at.text_area(key="reports_reason").input("请补充典型案例")
    at.button[0].click().run()
    with db.read_session() as s:
        assert s.get(DutyItem, waiting).status == "returned"


def test_another_sub_centres_report_is_not_found_and_other_roles_see_nothing(sqlite_demo_database, principal):
    theirs = _item("monthly_status", "2026-10", "GD")
    at = run_page("reports", principal("staff"), lang="zh", query={"duty": str(theirs.id)})
    assert "没有这项报送" in texts(at) and not at.dataframe
    for garbage in ("x", "-1", "99999999999999999999"):
        at = run_page("reports", principal("staff"), lang="zh", query={"duty": garbage})
        assert not at.exception and "没有这项报送" in texts(at)
    for outsider in ("enterprise", "expert"):
        at = run_page("reports", principal(outsider), lang="zh")
        assert not at.dataframe and "报送情况" not in texts(at)


def test_the_admin_edits_a_duty_type_and_a_bad_rule_is_refused(sqlite_demo_database, principal):
    monthly = next(t for t in duties.duty_types() if t["code"] == "monthly_status")
    at = run_page("reports", principal("admin"), lang="zh")
    assert "次月第5个工作日前" in list(at.dataframe[-1].value["到期规则"])
    at.selectbox(key="reports_type_pick").set_value(monthly["id"]).run()
    prefix = f"reports_type_{monthly['id']}_"
    at.text_input(key=prefix + "rule").set_value("every month or so")
    at.button[-1].click().run()
    assert "无法识别" in texts(at)
    at.text_input(key=prefix + "rule").set_value("nth_workday_next_month:4")
    at.button[-1].click().run()
    assert not at.exception
    assert next(t for t in duties.duty_types() if t["code"] == "monthly_status")["due_rule"] == "nth_workday_next_month:4"
