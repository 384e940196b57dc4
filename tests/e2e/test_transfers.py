"""Browser: the admin transfers a dispute lead to the Zhejiang sub-centre on the Transfers page;
its staff open it from the list's link, accept it, and it is in their consultation queue (opened
from the transfer's link to the consultation). Screenshots under /work/tmp/shots-h-d/ when that
folder exists."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, logout, pick, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/tmp/shots-h-d")
COMPANY = "浏览器示例灯具有限公司"


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


@pytest.fixture(scope="module")
def live_db(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-transfers") / "live.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def live_server_env(live_db):
    return {"IPOVERSEAS_DATABASE_URL": live_db}


def _shot(page, name):
    if SHOTS.is_dir():
        page.wait_for_timeout(600)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_admin_transfers_a_lead_staff_accept_it_and_it_is_in_their_queue(live_server, live_db, page, monkeypatch):
    page.set_viewport_size({"width": 1400, "height": 1000})
    # 1. The admin transfers a lead.
    login(page, live_server, "admin")
    page.goto(live_server + "/transfers")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("transfers.title"))).to_be_visible(timeout=TIMEOUT)
    _shot(page, "transfers-admin-zh.png")
    page.get_by_text(zh("transfers.new.title")).click()
    page.get_by_role("textbox", name=zh("transfers.field.company") + " *").fill(COMPANY)
    pick(page, zh("transfers.field.country") + " *", "美国")
    page.get_by_role("textbox", name=zh("transfers.field.description") + " *").fill(
        "美国专利权人在得州东区法院起诉其 LED 灯具侵权，需 21 天内答辩。")
    pick(page, zh("transfers.field.sub_centre_id") + " *", "浙江分中心")
    _shot(page, "transfers-admin-new-lead-zh.png")
    page.get_by_role("button", name=zh("transfers.new.submit"), exact=True).click()
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text="已转交")
    expect(done).to_be_visible(timeout=TIMEOUT)
    tid = int(re.search(r"#(\d+)", done.inner_text()).group(1))
    logout(page)

    # 2. Zhejiang's staff open it, see the clock, accept it.
    login(page, live_server, "staff")
    page.goto(live_server + "/transfers")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("transfers.title"))).to_be_visible(timeout=TIMEOUT)
    _shot(page, "transfers-staff-zh.png")
    page.goto(f"{live_server}/transfers?transfer={tid}")
    wait_idle(page)
    expect(page.get_by_text(zh("transfers.detail.title", id=tid))).to_be_visible(timeout=TIMEOUT)
    # the page's own text (the bell in the sidebar names the company too)
    expect(page.get_by_test_id("stMainBlockContainer").get_by_text(COMPANY).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("个工作日").first).to_be_visible(timeout=TIMEOUT)
    _shot(page, "transfers-staff-detail-zh.png")
    page.get_by_role("button", name=zh("transfers.accept"), exact=True).click()
    accepted = page.get_by_test_id("stAlertContentSuccess").filter(has_text="已接收")
    expect(accepted).to_be_visible(timeout=TIMEOUT)
    cid = int(re.search(r"#(\d+)", accepted.inner_text()).group(1))
    wait_idle(page)
    _shot(page, "transfers-staff-accepted-zh.png")

    # 3. It is in their consultation queue: the service's queue, and the page it links to.
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", live_db)
    from sqlalchemy import select

    from ipoverseas.access import policy
    from ipoverseas.consultations import queue
    from ipoverseas.core import db
    from ipoverseas.core.models import User
    try:
        with db.read_session() as s:
            staff = policy.Principal.of(s.scalar(select(User).where(User.username == "staff")))
        rows, _ = queue.queue(staff, only="new", limit=500)
        assert cid in [r["id"] for r in rows]
    finally:
        db.dispose_all()
    page.get_by_role("link", name=zh("transfers.detail.consultation", id=cid)).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("service.queue.title"))).to_be_visible(timeout=TIMEOUT)
    # the page's own text (the bell in the sidebar names the company too)
    expect(page.get_by_test_id("stMainBlockContainer").get_by_text(COMPANY).first).to_be_visible(timeout=TIMEOUT)
    _shot(page, "transfers-staff-consultation-zh.png")
