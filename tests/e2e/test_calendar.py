"""Browser: the admin uploads next year's holiday notice on the working-day calendar page, sees
the preview of the changes, confirms, and the year becomes official (screenshots under
/tmp/shots-h-d/ when that folder exists)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import TIMEOUT, login, pick, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots-h-d")


def _shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_the_admin_uploads_next_years_notice_with_a_preview(live_server, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "admin")
    expect(page.get_by_text("2027 年的放假安排尚未正式录入")).to_be_visible(timeout=TIMEOUT)   # the home's reminder
    _shot(page, "home-admin-reminder.png")
    page.goto(live_server + "/admin-calendar")
    wait_idle(page)
    pick(page, "年份", "2027")
    expect(page.get_by_text("2027 年为暂定日历")).to_be_visible(timeout=TIMEOUT)
    _shot(page, "calendar-2027-provisional.png")
    table = tmp_path / "2027.csv"
    table.write_text("日期,类型,名称\n2027-01-01,放假,元旦\n2027-02-06,放假,春节\n2027-02-20,上班,春节调休\n",
                     encoding="utf-8")
    # The uploader is keyed by the year: give the file to 2027's, not to 2026's on its way out.
    wait_idle(page)
    uploader = page.locator(".st-key-admin_calendar_file_2027")
    uploader.locator("input[type=file]").set_input_files(str(table))
    expect(uploader.get_by_text("2027.csv")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("预览：2027 年将有")).to_be_visible(timeout=TIMEOUT)
    _shot(page, "calendar-2027-preview.png")
    page.get_by_role("button", name="确认替换 2027 年日历").click()
    expect(page.get_by_text("2027 年已按正式通知录入")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    _shot(page, "calendar-2027-saved.png")
