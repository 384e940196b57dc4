"""The page 工作活动 / Activities through AppTest on the demo: counts and the list for staff (their
own) and the admin (all, filtered by kind through the URL), recording one, a refusal that names
the field, another sub-centre's record by id, other roles."""

from __future__ import annotations

from sqlalchemy import func, select

from ipoverseas.core import db
from ipoverseas.core.models import Activity, SubCentre
from tests.pages.apptest import run_page, texts


def _count() -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Activity)) or 0


def test_staff_see_their_own_counts_and_list(sqlite_demo_database, principal):
    at = run_page("activities", principal("staff"), lang="zh")
    assert not at.exception
    shown = texts(at)
    assert "工作活动" in shown and "培训" in shown
    by_centre, listed = at.dataframe[0].value, at.dataframe[1].value
    assert list(by_centre["分中心"]) == ["浙江分中心"] and set(listed["分中心"]) == {"浙江分中心"}
    assert listed["#"].str.contains("activity=|article=").all()
    assert not listed.isna().any().any() and "None" not in listed.astype(str).values   # a count not given reads —


def test_the_page_picker_counts_records_not_consultations(sqlite_demo_database, principal):
    at = run_page("activities", principal("admin"), lang="zh")
    assert "共 168 条记录" in texts(at) and "咨询" not in texts(at)


def test_the_admin_filters_by_kind_and_the_url_and_links_keep_it(sqlite_demo_database, principal):
    at = run_page("activities", principal("admin"), lang="zh", query={"kind": "training"})
    assert not at.exception
    listed = at.dataframe[1].value
    assert set(listed["活动类型"]) == {"培训"} and len(at.dataframe[0].value) == 12
    assert all("kind=training" in link for link in listed["#"])


def test_staff_record_an_activity_and_a_bad_count_is_refused(sqlite_demo_database, principal):
    before = _count()
    at = run_page("activities", principal("staff"), lang="zh")
    at.selectbox(key="activities_add_kind").set_value("publicity")
    at.text_input(key="activities_add_title").input("进园区宣讲")
    at.button[-1].click().run()
    assert not at.exception and _count() == before + 1
    at = run_page("activities", principal("staff"), lang="zh")
    at.text_input(key="activities_add_title").input("没有类型")
    at.button[-1].click().run()
    assert "请选择活动类型" in texts(at) and _count() == before + 1


def test_another_sub_centres_record_is_not_found_and_others_see_nothing(sqlite_demo_database, principal):
    with db.read_session() as s:
        theirs = s.scalar(select(Activity.id).join(SubCentre, SubCentre.id == Activity.sub_centre_id)
                          .where(SubCentre.code == "GD").limit(1))
    at = run_page("activities", principal("staff"), lang="zh", query={"activity": str(theirs)})
    assert "没有这条活动记录" in texts(at)
    at = run_page("activities", principal("staff_gd"), lang="zh", query={"activity": str(theirs)})
    assert not at.exception and "没有这条活动记录" not in texts(at)
    for outsider in ("enterprise", "expert"):
        at = run_page("activities", principal(outsider), lang="zh")
        assert not at.dataframe


def test_user_written_text_shows_literally(sqlite_demo_database, principal):
    from datetime import date

    from ipoverseas.network import activities as A

    title, city = "[点我](http://evil.example) **粗体**", "<b>宁波</b>"
    aid = A.add(principal("staff"), None, A.ActivityForm(held_on=date(2026, 5, 1), kind="other", title=title, city=city))
    at = run_page("activities", principal("staff"), lang="zh", query={"activity": str(aid)})
    heading = at.subheader[0].value
    assert heading != title and "\\[" in heading          # escaped for the Markdown widget...
    assert title in texts(at) and city in texts(at)       # ...so the reader sees exactly what was typed
