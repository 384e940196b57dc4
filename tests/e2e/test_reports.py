"""Browser journey of the reporting duties (issue 13): staff hand in a monthly report with its
figures and a Word file; the admin returns it with a reason; staff hand it in again; the admin
accepts it. The list's filters survive the way back. Screenshots under IPOVERSEAS_SCREENSHOTS
(default /tmp/shots-reports)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipoverseas.core import db
from ipoverseas.core.models import DutyItem, DutyType, SubCentre
from ipoverseas.demo import documents
from tests.e2e.helpers import TIMEOUT, login, logout, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("IPOVERSEAS_SCREENSHOTS", "/tmp/shots-reports"))


@pytest.fixture(scope="module")
def reports_db(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "reports.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPOVERSEAS_DATABASE_URL", url)
        with db.read_session() as s:
            item = s.scalar(select(DutyItem.id).join(DutyType, DutyType.id == DutyItem.duty_type_id)
                            .join(SubCentre, SubCentre.id == DutyItem.sub_centre_id)
                            .where(DutyType.code == "monthly_status", DutyItem.status == "open",
                                   SubCentre.code == "ZJ").order_by(DutyItem.due_on.desc()).limit(1))
    db.dispose_all()
    return {"url": url, "item": item}


@pytest.fixture(scope="module")
def live_server_env(reports_db):
    return {"IPOVERSEAS_DATABASE_URL": reports_db["url"]}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open(page, base: str, item: int) -> None:
    page.goto(f"{base}/reports?duty={item}&year=2026&state=due_soon%2Cupcoming")
    wait_idle(page)


def test_staff_hand_in_admin_returns_staff_hand_in_again_admin_accepts(live_server, page, reports_db, tmp_path):
    item = reports_db["item"]
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "staff")
    page.goto(f"{live_server}/reports")
    wait_idle(page)
    expect(page.get_by_text("2026 年报送情况")).to_be_visible(timeout=TIMEOUT)
    _shot(page, "reports-staff-list")

    _open(page, live_server, item)
    expect(page.get_by_role("heading", name="月度工作情况")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("spinbutton", name="举办培训（场）").fill("3")
    page.get_by_role("textbox", name="报送正文（可选）").fill("## 本月工作\n- 举办培训 3 场")
    word = tmp_path / "十一月工作情况.docx"
    word.write_bytes(documents.docx("十一月工作情况", ["一、工作开展情况"]))
    page.locator("input[type=file]").set_input_files(str(word))
    expect(page.get_by_text("十一月工作情况.docx")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("第 1 次提交")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="下载 十一月工作情况.docx")).to_be_visible(timeout=TIMEOUT)
    _shot(page, "reports-staff-submitted")
    # the way back keeps the list's year and states
    page.get_by_role("link", name="返回报送列表").click()
    wait_idle(page)
    assert "state=due_soon%2Cupcoming" in page.url or "state=due_soon,upcoming" in page.url
    expect(page.get_by_text("即将到期").first).to_be_visible(timeout=TIMEOUT)
    logout(page)

    login(page, live_server, "admin")
    _open(page, live_server, item)
    expect(page.get_by_role("heading", name="审核")).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("退回修改", exact=True).click()
    page.get_by_role("textbox", name="意见或退回原因").fill("请补充参训企业数量")
    page.get_by_role("button", name="保存审核结论").click()
    expect(page.get_by_text("已退回修改（").first).to_be_visible(timeout=TIMEOUT)
    _shot(page, "reports-admin-returned")
    logout(page)

    login(page, live_server, "staff")
    _open(page, live_server, item)
    # the returned reason on the page (the bell in the sidebar quotes it too)
    expect(page.get_by_test_id("stMainBlockContainer").get_by_text("请补充参训企业数量")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="修改后重新提交")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("textbox", name="报送正文（可选）").fill("## 本月工作（修改稿）\n- 参训企业 42 家")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("第 2 次提交")).to_be_visible(timeout=TIMEOUT)
    logout(page)

    login(page, live_server, "admin")
    _open(page, live_server, item)
    page.get_by_text("采纳", exact=True).click()
    page.get_by_role("button", name="保存审核结论").click()
    expect(page.get_by_text("已采纳（").first).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    _shot(page, "reports-admin-accepted")
    page.goto(f"{live_server}/reports")
    wait_idle(page)
    expect(page.get_by_text("2026 年报送情况")).to_be_visible(timeout=TIMEOUT)
    _shot(page, "reports-admin-grid")
