"""The page 年度考核 / Annual assessment through AppTest on the demo: the admin's scorecard with
links, a sub-centre's items, an item's evidence with links to its records, an override refused
without a reason, the rubric tab; staff see only their own scorecard (any other id in the URL is
refused); other roles have no page."""

from __future__ import annotations

from sqlalchemy import select

from ipoverseas.core import db, localtime
from ipoverseas.core.models import SubCentre
from tests.pages.apptest import run_page, texts

YEAR = str(localtime.today().year)


def _id(code: str) -> int:
    with db.read_session() as s:
        return s.scalar(select(SubCentre.id).where(SubCentre.code == code))


def test_the_admin_sees_every_sub_centre_ranked_with_links(sqlite_demo_database, principal):
    at = run_page("assessment", principal("admin"), lang="zh")
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 12 and list(table["名次"]) == sorted(table["名次"])
    assert table["#"].str.match(r"assessment\?sc=\d+&year=" + YEAR).all() and list(table.columns[:4]) == ["名次", "分中心", "#", "总分"]
    assert "None" not in table.astype(str).values
    assert "实时计算" in texts(at)


def test_a_sub_centres_items_open_their_evidence(sqlite_demo_database, principal):
    zj = _id("ZJ")
    at = run_page("assessment", principal("admin"), lang="zh", query={"year": YEAR, "sc": str(zj)})
    assert not at.exception
    shown = texts(at)
    assert "浙江分中心" in shown and "全网络中位数" in shown
    items = at.dataframe[0].value
    assert items["#"].str.contains("item=reports_on_time").any()
    assert "None" not in items.astype(str).values
    at = run_page("assessment", principal("admin"), lang="zh",
                  query={"year": YEAR, "sc": str(zj), "item": "training_sessions"})
    assert not at.exception
    records = at.dataframe[0].value
    assert len(records) >= 1 and records["#"].str.match(r"activities\?activity=\d+").all()
    assert "计分依据" in texts(at)


def test_an_override_without_a_reason_is_refused_and_names_the_field(sqlite_demo_database, principal):
    at = run_page("assessment", principal("admin"), lang="zh", query={"year": YEAR, "sc": str(_id("ZJ"))})
    at.selectbox(key="assessment_ov_item").set_value("training_sessions")
    at.number_input(key="assessment_ov_points").set_value(5.0)
    at.button[0].click()
    at = at.run()
    assert not at.exception
    assert "请填写理由" in texts(at)


def test_staff_see_their_own_scorecard_and_the_medians_only(sqlite_demo_database, principal):
    at = run_page("assessment", principal("staff"), lang="zh")
    assert not at.exception
    shown = texts(at)
    assert "浙江分中心" in shown and "广东分中心" not in shown and "中位数" in shown
    at = run_page("assessment", principal("staff"), lang="zh", query={"year": YEAR, "sc": str(_id("GD"))})
    assert not at.exception
    assert "广东分中心" not in texts(at) and not at.dataframe
    at = run_page("assessment", principal("staff"), lang="zh",
                  query={"year": YEAR, "sc": str(_id("GD")), "item": "training_sessions"})
    assert not at.dataframe


def test_the_page_speaks_english(sqlite_demo_database, principal):
    at = run_page("assessment", principal("admin"), lang="en")
    assert not at.exception
    assert "Annual assessment" in texts(at) and "Rank" in at.dataframe[0].value.columns


def test_the_rubric_tab_reads_in_words_and_only_the_admin_can_edit_it(sqlite_demo_database, principal):
    at = run_page("assessment", principal("admin"), lang="zh")
    rubric_table = next(d.value for d in at.dataframe if "计量方法" in d.value.columns and "部分" in d.value.columns)
    cells = " ".join(rubric_table.astype(str).values.ravel())
    assert "年度工作计划" in cells and "annual_plan" not in cells and "training" not in cells
    assert "1 个工作日内" in cells and "None" not in cells
    assert any(b.label == "保存为新版本" for b in at.button)
    staff = run_page("assessment", principal("staff"), lang="zh", query={"year": YEAR})
    assert not any(b.label == "保存为新版本" for b in staff.button)
