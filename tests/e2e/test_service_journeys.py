"""Browser journeys of the consultation service (issue 12): rate after a follow-up, open a
consultation in one click from its list, Beijing dates, and the pages on a 390 px phone."""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipoverseas.access.policy import Principal
from ipoverseas.consultations import workflow as svc
from ipoverseas.core import db, i18n
from ipoverseas.core.models import Consultation, User
from tests.e2e.helpers import TIMEOUT, login, logout, pick, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("IPOVERSEAS_SCREENSHOTS", "/tmp/shots-h-b"))


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


def _plant(url: str) -> dict:
    """Consultations to work on: one answered, one answered with a follow-up, one asked at
    02:18 Beijing time on 3 December (18:18 UTC on the 2nd)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPOVERSEAS_DATABASE_URL", url)
        with db.read_session() as s:
            who = {u.username: Principal.of(u) for u in s.scalars(
                select(User).where(User.username.in_(("enterprise", "staff", "expert"))))}
        ent, staff, expert = who["enterprise"], who["staff"], who["expert"]

        def answered(question: str) -> int:
            cid = svc.ask(ent, svc.Question(company="宁波示例电器有限公司", country="US", question=question,
                                            disclaimer_accepted=True, sub_centre_id=staff.sub_centre_id))
            svc.assign(staff, cid, expert.expert_id)
            svc.answer(expert, cid, "## 初步意见\n\n| 步骤 | 期限 |\n|---|---|\n| 书面回复 | 14 日 |\n| 委托律师 | 尽快 |")
            return cid

        ids = {"rate": answered("收到警告函，如何应对？（追问后评分）"), "open": answered("一键打开的咨询")}
        ids["night"] = answered("凌晨提交的咨询")
        ids["assigned"] = svc.ask(ent, svc.Question(company="宁波示例电器有限公司", country="US", question="待专家接受的咨询",
                                                    dispute_type="itc_337", stage="sued", disclaimer_accepted=True,
                                                    sub_centre_id=staff.sub_centre_id))
        svc.assign(staff, ids["assigned"], expert.expert_id)
        with db.write_session() as s:
            s.get(Consultation, ids["night"]).created_at = datetime(2026, 12, 2, 18, 18)
    db.dispose_all()
    return ids


@pytest.fixture(scope="module")
def planted(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("service-journeys") / "service.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    url = f"sqlite:///{path}"
    return {"url": url, **_plant(url)}


@pytest.fixture(scope="module")
def live_server_env(planted):
    return {"IPOVERSEAS_DATABASE_URL": planted["url"]}


def _visit(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_enterprise_asks_a_follow_up_then_still_rates(live_server, page, planted):
    cid = planted["rate"]
    login(page, live_server, "enterprise")
    _visit(page, f"{live_server}/my-consultations?consultation={cid}")
    expect(page.get_by_role("heading", name="初步意见")).to_be_visible(timeout=TIMEOUT)
    follow = page.get_by_role("textbox", name=zh("service.mine.followup"))
    follow.fill("请问应诉费用大约多少？")
    page.get_by_role("button", name=zh("service.mine.send")).click()      # a form: sent on submit
    expect(page.get_by_test_id("stHtml").filter(has_text="请问应诉费用大约多少？")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    # The rating form is still there, with no stars chosen.
    expect(page.get_by_role("heading", name=zh("service.mine.rate"))).to_be_visible(timeout=TIMEOUT)
    radios = page.get_by_test_id("stRadio").get_by_role("radio")
    expect(radios).to_have_count(5)
    for i in range(5):
        expect(radios.nth(i)).not_to_be_checked()
    page.get_by_test_id("stRadio").get_by_text("★★★★☆", exact=True).click()
    page.get_by_role("textbox", name=zh("service.field.rating_comment")).fill("清楚")
    page.get_by_role("button", name=zh("service.mine.rate_submit")).click()
    expect(page.get_by_text(zh("service.mine.your_rating", rating=4))).to_be_visible(timeout=TIMEOUT)
    # Closing with the follow-up unanswered asks first.
    page.get_by_role("button", name=zh("service.mine.close")).click()
    expect(page.get_by_text(zh("service.mine.close_unanswered.followup"))).to_be_visible(timeout=TIMEOUT)
    _shot(page, "rate-after-followup-1280")
    logout(page)


def test_a_list_row_opens_its_consultation_in_one_click(live_server, page, planted):
    cid = planted["open"]
    login(page, live_server, "enterprise")
    _visit(page, f"{live_server}/my-consultations")
    expect(page.get_by_role("heading", name=zh("service.mine.title"))).to_be_visible(timeout=TIMEOUT)
    _shot(page, "my-consultations-list-1280")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=TIMEOUT)
    # One click on a row (its selection box, first column of the first row) opens it here.
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r".*/my-consultations\?consultation=\d+$"), timeout=TIMEOUT)
    wait_idle(page)
    opened = int(page.url.rsplit("=", 1)[1])
    expect(page.get_by_role("heading", name=zh("service.detail.title", id=opened))).to_be_visible(timeout=TIMEOUT)
    # The URL is a bookmark: it opens the same record in a fresh load.
    _visit(page, f"{live_server}/my-consultations?consultation={cid}")
    expect(page.get_by_role("heading", name=zh("service.detail.title", id=cid))).to_be_visible(timeout=TIMEOUT)
    table = page.locator("[data-testid='stHtml'] table").first      # the answer's Markdown table
    table.scroll_into_view_if_needed()
    assert table.evaluate("t => getComputedStyle(t.querySelector('td')).borderTopStyle") == "solid"
    table.screenshot(path=str(SHOTS / "answer-table-1280.png"))
    _shot(page, "my-consultation-detail-1280")
    # A bookmark of someone else's or an unknown consultation: the standard "not found".
    _visit(page, f"{live_server}/my-consultations?consultation=999999")
    expect(page.get_by_text(zh("errors.not_found"))).to_be_visible(timeout=TIMEOUT)
    logout(page)


def test_a_consultation_asked_at_0218_beijing_time_shows_that_date(live_server, page, planted):
    cid = planted["night"]
    login(page, live_server, "enterprise")
    _visit(page, f"{live_server}/my-consultations?consultation={cid}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("2026-12-03 02:18").first).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_text(zh("service.times_in", zone="北京时间"))).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_text("2026-12-02")).to_have_count(0)
    logout(page)


def test_a_phone_can_use_the_consultation_pages(live_server, page, planted):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "enterprise")
    sidebar = page.get_by_test_id("stSidebar")
    # Choosing a page in the menu closes the menu.
    page.wait_for_timeout(500)            # the menu closed itself after the login's page change
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar).to_be_visible(timeout=TIMEOUT)
    sidebar.get_by_role("link", name=zh("service.nav.my_consultations")).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("service.mine.title"))).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(800)
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 1, box     # the menu slid away
    _shot(page, "my-consultations-390")
    # Nothing on the page is wider than the phone (tables scroll inside themselves).
    _visit(page, f"{live_server}/my-consultations?consultation={planted['open']}")
    expect(page.get_by_role("heading", name="初步意见")).to_be_visible(timeout=TIMEOUT)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    table = page.locator("[data-testid='stHtml'] table").first
    expect(table).to_be_visible(timeout=TIMEOUT)
    assert table.evaluate("t => getComputedStyle(t.querySelector('td')).borderTopStyle") == "solid"
    _shot(page, "my-consultation-detail-390")
    _visit(page, f"{live_server}/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    _shot(page, "home-390")
    logout_on_phone(page)


def logout_on_phone(page) -> None:
    page.get_by_test_id("stExpandSidebarButton").click()
    logout(page)


def test_the_expert_sees_the_rule_and_the_clock_asks_for_the_event(live_server, page, planted):
    login(page, live_server, "expert")
    _visit(page, f"{live_server}/assignments")
    expect(page.get_by_role("heading", name=zh("service.inbox.title"))).to_be_visible(timeout=TIMEOUT)
    _shot(page, "assignments-list-1280")
    _visit(page, f"{live_server}/assignments?consultation={planted['assigned']}")
    expect(page.get_by_text(zh("service.inbox.answer_accepts"))).to_be_visible(timeout=TIMEOUT)
    # The ITC clock waits for the date of service the enterprise states; then counts from it.
    # (entering the date is covered by tests/pages/test_service.py: the page then counts from it)
    expect(page.get_by_test_id("stDateInput").filter(has_text="申诉书和立案通知送达之日")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(zh("service.clock_event.give_date", event="申诉书和立案通知送达之日"))).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_text(re.compile("剩余|今天到期"))).to_have_count(0)
    _shot(page, "assignment-detail-1280")
    logout(page)


def test_the_english_ask_form_reads_whole(live_server, page, planted):
    login(page, live_server, "enterprise")
    _visit(page, f"{live_server}/ask")
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_idle(page)
    label = page.get_by_test_id("stCheckbox").filter(has_text=i18n.t("service.ask.has_deadline", "en")).first
    expect(label).to_be_visible(timeout=TIMEOUT)
    text = label.locator("p").first
    assert text.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the label is cut"
    pick(page, "Dispute type", "ITC Section 337")
    pick(page, "Stage", "Received a warning letter")
    expect(page.get_by_text(re.compile("no deadlines are shown"))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(re.compile("days left|due today"))).to_have_count(0)
    _shot(page, "ask-en-1280")
    logout(page)
