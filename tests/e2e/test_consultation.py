"""Browser journey: the enterprise asks, staff assign, the expert answers, the enterprise rates."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, logout, pick, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("IPOVERSEAS_SCREENSHOTS", tempfile.gettempdir()))  # where to look at the pages


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


def test_ask_assign_answer_rate(live_server, page):
    # 1. The enterprise asks.
    login(page, live_server, "enterprise")
    page.goto(live_server + "/ask")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("service.ask.title"))).to_be_visible(timeout=TIMEOUT)
    pick(page, zh("service.field.country"), "美国")
    pick(page, zh("service.field.ip_type"), "发明专利")
    pick(page, zh("service.field.industry"), "电子信息")
    pick(page, zh("service.field.stage"), "收到警告函/律师函")
    page.get_by_role("textbox", name=zh("service.field.question") + " *").fill("收到美国专利权人的警告函，要求停止销售LED灯具。我们该如何应对？")
    page.get_by_role("textbox", name=zh("service.field.question") + " *").press("Control+Enter")
    wait_idle(page)
    expect(page.get_by_text(zh("service.selfhelp.cases"))).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(SHOTS / "screenshot-ask.png"))
    page.get_by_text(zh("service.ask.disclaimer_accept")).click()
    wait_idle(page)
    page.get_by_role("button", name=zh("service.ask.submit")).click()
    filed = page.get_by_test_id("stAlertContentSuccess").first
    expect(filed).to_be_visible(timeout=TIMEOUT)
    cid = int(re.search(r"#(\d+)", filed.inner_text()).group(1))
    logout(page)

    # 2. Staff open it and assign the demo expert from the ranked shortlist.
    login(page, live_server, "staff")
    page.goto(f"{live_server}/consultations")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("service.queue.title"))).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "screenshot-queue.png"))
    page.goto(f"{live_server}/consultations?consultation={cid}")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("service.shortlist.title"))).to_be_visible(timeout=TIMEOUT)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "screenshot-shortlist.png"), full_page=True)
    page.get_by_text(zh("service.shortlist.more")).click()       # the demo expert may rank below 10th
    wait_idle(page)
    # The first "assign" button after the demo expert's name is on his card.
    assign = page.locator("xpath=//strong[contains(., '李明远')]/following::button"
                          f"[.//p[normalize-space()='{zh('service.shortlist.assign')}']][1]")
    expect(assign).to_be_visible(timeout=TIMEOUT)
    assign.click()
    expect(page.get_by_text(zh("service.queue.waiting_accept", days="0.0"))).to_be_visible(timeout=TIMEOUT)
    # The record's audit history: the question and the assignment.
    expect(page.get_by_text(zh("history.title", count=2))).to_be_visible(timeout=TIMEOUT)
    logout(page)

    # 3. The expert accepts and answers in Markdown.
    login(page, live_server, "expert")
    page.goto(f"{live_server}/assignments?consultation={cid}")
    wait_idle(page)
    page.get_by_role("button", name=zh("service.inbox.accept"), exact=True).click()
    wait_idle(page)
    answer = page.get_by_role("textbox", name=zh("service.inbox.answer_label"))
    expect(answer).to_be_visible(timeout=TIMEOUT)
    answer.fill("## 初步意见\n\n1. 先核对警告函所列专利的**权利要求**与产品是否对应。\n2. 十四日内书面回复，避免承认侵权。")
    answer.press("Control+Enter")
    wait_idle(page)
    page.get_by_role("button", name=zh("service.inbox.send_answer")).click()
    expect(page.get_by_text(zh("service.clock.met", used="0.0", promise="3")).or_(
        page.get_by_text(re.compile("已按时首次答复")))).to_be_visible(timeout=TIMEOUT)
    logout(page)

    # 4. The enterprise reads the answer and rates it.
    login(page, live_server, "enterprise")
    page.goto(f"{live_server}/my-consultations?consultation={cid}")
    wait_idle(page)
    expect(page.get_by_role("heading", name="初步意见")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("stRadio").get_by_text("★★★★★", exact=True).click()   # no rating is preset
    page.get_by_role("textbox", name=zh("service.field.rating_comment")).fill("答复及时、清楚")
    page.get_by_role("button", name=zh("service.mine.rate_submit")).click()
    expect(page.get_by_text(zh("service.mine.your_rating", rating=5))).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(SHOTS / "screenshot-answer.png"), full_page=True)
