"""Routing to the sub-centre a record concerns (issue 17): a case reported by one sub-centre about an
enterprise of another's province is shown to the other's staff as "concerning your region" (the
policy decides: published ones only, read only) through the service, the case library page and ids in
the URL, and they get one notification per import; a risk alert goes to the sub-centres of the
provinces that meet its industry most, adjustable by the admin. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ipoverseas.access import policy
from ipoverseas.cases import library
from ipoverseas.cases.library import CaseFilter
from ipoverseas.core import db, errors, i18n
from ipoverseas.core.models import AlertRoute, Article, Case, Notification, SubCentre, User
from ipoverseas.imports import service
from ipoverseas.knowledge import articles
from ipoverseas.sharing import routing
from tests.pages.apptest import run_page, texts
from tests.sharing.helpers import workbook


def _expected_region_ids(user):
    """By hand: published cases of other sub-centres whose enterprise is in the user's province."""
    with db.read_session() as s:
        return set(s.scalars(select(Case.id).where(Case.province == user.province, Case.review_status == "published",
                                                   Case.sub_centre_id != user.sub_centre_id)))


def test_a_staff_user_sees_the_cases_concerning_their_region_and_no_others(demo_database, principal):
    staff = principal("staff")
    assert staff.province == "ZJ"
    expected = _expected_region_ids(staff)
    assert expected, "the demo has cases of other sub-centres about Zhejiang enterprises"
    page = library.list_cases(staff, CaseFilter(region=library.REGION_MINE), page_size=1000)
    assert {r["id"] for r in page.rows} == expected and page.total == len(expected)
    assert routing.region_case_count(staff) == len(expected)
    # the unpublished ones concerning the region stay hidden (subject to the review state)
    with db.read_session() as s:
        hidden = s.scalar(select(Case.id).where(Case.province == "ZJ", Case.review_status != "published",
                                                Case.sub_centre_id != staff.sub_centre_id).limit(1))
    assert hidden is not None
    assert library.get_case(staff, hidden) is None
    assert not policy.can(staff, "read_region_cases", {"province": "ZJ", "review_status": "submitted",
                                                       "sub_centre_id": -1})
    # another region's staff see their own region's, and none of Zhejiang's
    gd = principal("staff_gd")
    theirs = {r["id"] for r in library.list_cases(gd, CaseFilter(region=library.REGION_MINE), page_size=1000).rows}
    assert theirs == _expected_region_ids(gd) and not theirs & expected
    # admin and enterprises have no region: the filter lists nothing for them
    for name in ("admin", "enterprise"):
        assert library.list_cases(principal(name), CaseFilter(region=library.REGION_MINE)).total == 0


def test_the_filter_lives_in_the_url(demo_database):
    f = CaseFilter.from_query_params({"region": "mine", "country": "US"})
    assert f.region == library.REGION_MINE and f.to_query_params()["region"] == "mine"
    assert CaseFilter.from_query_params({"region": "<script>"}).region == ""


def test_the_case_library_page_shows_the_region_filter_and_the_badge(sqlite_demo_database, principal):
    staff = principal("staff")
    expected = _expected_region_ids(staff)
    at = run_page("cases", staff, query={"region": "mine", "n": "100"})
    assert not at.exception
    assert f"{len(expected):,}" in [m.value for m in at.metric]
    shown = set(at.dataframe[0].value["id"]) if "id" in at.dataframe[0].value else None
    if shown is not None:
        assert shown <= expected
    one = sorted(expected)[0]
    detail = run_page("cases", staff, query={"case": str(one)})
    assert not detail.exception and "Concerning your region" in texts(detail)
    # an own case, or one of another region, carries no badge
    with db.read_session() as s:
        other = s.scalar(select(Case.id).where(Case.review_status == "published", Case.province != "ZJ").limit(1))
    assert "Concerning your region" not in texts(run_page("cases", staff, query={"case": str(other)}))
    # a staff user cannot open an unpublished case concerning their region by its id
    with db.read_session() as s:
        hidden = s.scalar(select(Case.id).where(Case.province == "ZJ", Case.review_status != "published",
                                                Case.sub_centre_id != staff.sub_centre_id).limit(1))
    blocked = run_page("cases", staff, query={"case": str(hidden)})
    assert "Concerning your region" not in texts(blocked)
    assert texts(blocked).strip() == i18n.t("errors.not_found", "en")


def test_an_import_about_another_region_notifies_its_staff_once(demo_database, principal):
    gd, zj_staff = principal("staff_gd"), principal("staff")
    rows = [{"case_ref": f"GD-ZJ-{i}", "title": f"浙江企业在美被诉 {i}", "country": "US", "dispute_type": "litigation",
             "filed_on": date(2025, 1, 1 + i), "filed_text": f"2025-01-0{1 + i}", "opposing_party": f"Vendor {i}",
             "province": "浙江"} for i in range(5)]
    rows.append({"case_ref": "GD-GD-1", "title": "广东企业", "country": "US", "dispute_type": "litigation",
                 "province": "广东", "opposing_party": "X"})
    result = service.apply(service.prepare(workbook(rows), "r.xlsx", "cases", gd, gd.sub_centre_id), gd)
    with db.read_session() as s:
        notes = s.execute(select(Notification.user_id, Notification.entity_id, Notification.message)
                          .where(Notification.kind == "region_cases")).all()
        zj_staff_ids = set(s.scalars(select(User.id).join(SubCentre, SubCentre.id == User.sub_centre_id)
                                     .where(SubCentre.province == "ZJ", User.role == "staff", User.active.is_(True))))
        gd_ids = set(s.scalars(select(User.id).where(User.sub_centre_id == gd.sub_centre_id)))
    assert {u for u, _, _ in notes} == zj_staff_ids and zj_staff.id in zj_staff_ids
    assert len(notes) == len(zj_staff_ids)                    # one per user for the whole import
    assert {b for _, b, _ in notes} == {result.batch_id} and all(m == "GD: 5" for _, _, m in notes)
    assert not gd_ids & {u for u, _, _ in notes}               # not the reporting sub-centre itself


def _alert(admin, industries, publish):
    form = articles.ArticleInput(kind="risk_alert", title_zh="测试预警：某行业风险", body="正文",
                                 countries=["US"], industries=industries, severity="high",
                                 valid_until=date(2099, 12, 31), source="USTR")
    return articles.create_article(admin, form, publish=publish)


def test_a_risk_alert_goes_to_the_provinces_that_meet_its_industry_most(demo_database, principal, monkeypatch):
    admin = principal("admin")
    with db.read_session() as s:
        n = func.count()
        ranked = s.execute(select(Case.province, n).where(Case.industry == "electronics", Case.province.is_not(None))
                           .group_by(Case.province).order_by(n.desc(), Case.province)).all()
        top = [p for p, _ in ranked[:3]]
        centres = dict(s.execute(select(SubCentre.province, SubCentre.id).where(SubCentre.active.is_(True))).all())
        staffed = set(s.scalars(select(User.sub_centre_id).where(User.role == "staff", User.active.is_(True))))
    alert = _alert(admin, ["electronics"], publish=True)
    plan = routing.routing(alert)
    routed = {r["province"] for r in plan if r["routed"]}
    assert routed == {p for p in top if p in centres}
    with db.read_session() as s:
        notified = set(s.scalars(select(User.sub_centre_id).join(Notification, Notification.user_id == User.id)
                                 .where(Notification.kind == "alert_routed", Notification.entity_id == alert)))
    assert notified == {centres[p] for p in routed} & staffed and notified   # a centre without staff: nobody to tell
    # idempotent: sending again notifies nobody twice
    assert routing.send(alert) == 0
    # the admin adds a sub-centre after publishing: it is notified at once; removing one is audited
    extra = next(r for r in plan if not r["routed"])
    with db.write_session() as s:   # a staff user there, to be told
        s.add(User(username="staff_extra", display_name="x", password_hash="x", role="staff",
                   sub_centre_id=extra["sub_centre_id"]))
    routing.adjust(admin, alert, extra["sub_centre_id"], "add")
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Notification).join(User, User.id == Notification.user_id)
                        .where(Notification.kind == "alert_routed", User.sub_centre_id == extra["sub_centre_id"]))
    with pytest.raises(errors.Denied):
        routing.adjust(principal("staff"), alert, extra["sub_centre_id"], "remove")
    # N is a setting
    monkeypatch.setenv("IPOVERSEAS_ALERT_ROUTING_TOP_N", "1")
    assert sum(r["suggested"] for r in routing.routing(alert)) == 1


def test_the_routing_is_adjusted_before_publishing(demo_database, principal):
    admin = principal("admin")
    draft = _alert(admin, ["textiles"], publish=False)
    plan = routing.routing(draft)
    first = next(r for r in plan if r["routed"])
    routing.adjust(admin, draft, first["sub_centre_id"], "remove")
    with db.read_session() as s:
        assert not s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "alert_routed"))
    articles.set_status(admin, draft, "published", expected_version=1)
    with db.read_session() as s:
        notified = set(s.scalars(select(User.sub_centre_id).join(Notification, Notification.user_id == User.id)
                                 .where(Notification.kind == "alert_routed", Notification.entity_id == draft)))
        marks = dict(s.execute(select(AlertRoute.sub_centre_id, AlertRoute.mode)
                               .where(AlertRoute.article_id == draft)).all())
    assert first["sub_centre_id"] not in notified and notified
    assert marks[first["sub_centre_id"]] == "remove"


def _alert_book(ref: str, status: str) -> bytes:
    from tests.imports.helpers import xlsx_bytes

    header = ["文章编号", "文章类型", "中文标题", "正文", "国家/地区", "行业", "风险等级", "有效期至", "来源", "发布状态"]
    return xlsx_bytes([header, [ref, "风险预警", "导入的预警：电子行业展会禁令", "正文", "美国", "电子信息", "高",
                                "2099-12-31", "USTR", status]])


def _routed_to(alert_id: int) -> set[int]:
    with db.read_session() as s:
        return set(s.scalars(select(User.sub_centre_id).join(Notification, Notification.user_id == User.id)
                             .where(Notification.kind == "alert_routed", Notification.entity_id == alert_id)))


def test_a_risk_alert_published_by_an_import_is_routed_too(demo_database, principal):
    admin = principal("admin")
    centre = admin.sub_centre_id or _centre_of_the_nation()
    service.run(_alert_book("IMP-ALERT-1", "已发布"), "alerts.xlsx", "articles", admin, centre)
    service.run(_alert_book("IMP-ALERT-2", "草稿"), "drafts.xlsx", "articles", admin, centre)
    with db.read_session() as s:
        published, draft = (s.scalar(select(Article.id).where(Article.ref == ref))
                            for ref in ("IMP-ALERT-1", "IMP-ALERT-2"))
    expected = {r["sub_centre_id"] for r in routing.routing(published) if r["routed"]}
    assert _routed_to(published) and _routed_to(published) <= expected
    assert not _routed_to(draft)
    # a second file that publishes the draft: routed then, once
    service.run(_alert_book("IMP-ALERT-2", "已发布"), "publish.xlsx", "articles", admin, centre)
    assert _routed_to(draft) and routing.send(draft) == 0


def _centre_of_the_nation() -> int:
    with db.read_session() as s:
        return s.scalar(select(SubCentre.id).order_by(SubCentre.id).limit(1))


def test_an_article_that_is_no_alert_is_not_routed(demo_database, principal):
    admin = principal("admin")
    form = articles.ArticleInput(kind="country_guide", title_zh="国别指南", body="正文", countries=["US"], source="WIPO",
                                 industries=["electronics"])
    guide = articles.create_article(admin, form, publish=True)
    with pytest.raises(errors.NotFound):
        routing.routing(guide)
    with db.read_session() as s:
        assert not s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "alert_routed"))
