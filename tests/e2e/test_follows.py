"""Browser: staff of sub-centre A (Guangdong) follow a country on 我的关注; staff of sub-centre B
(Zhejiang) import a case about it and the national centre publishes it; A sees one notification in
the sidebar, opens it, and reaches the case."""

import random
import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipoverseas.accounts import creation
from ipoverseas.access.policy import Principal
from ipoverseas.cases import review
from ipoverseas.core import db, i18n
from ipoverseas.core.models import Case, SubCentre, User
from ipoverseas.imports import service
from tests.e2e.helpers import TIMEOUT, login, pick, wait_idle
from tests.imports.helpers import case_row, write_cases_xlsx

pytestmark = pytest.mark.e2e
PASSWORD_A = "a-long-password-for-gd-1"


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


@pytest.fixture(scope="module")
def live_db(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-follows") / "live.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def live_server_env(live_db):
    return {"IPOVERSEAS_DATABASE_URL": live_db}


def _principal(username: str) -> Principal:
    with db.read_session() as s:
        return Principal.of(s.scalar(select(User).where(User.username == username)))


def test_a_follow_brings_another_sub_centres_case(live_server, live_db, page, monkeypatch, tmp_path):
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", live_db)
    db.dispose_all()
    with db.write_session() as s:
        creation.add_account(s, username="gd_staff", password=PASSWORD_A, role="staff", sub_centre_code="GD",
                             display_name="广东分中心 测试")
    # 1. A follows Saudi Arabia.
    login(page, live_server, "gd_staff", PASSWORD_A)
    page.goto(live_server + "/follows")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("follows.title"))).to_be_visible(timeout=TIMEOUT)
    pick(page, zh("follows.value_label"), "沙特阿拉伯")
    page.get_by_role("button", name=zh("follows.add_button"), exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("沙特阿拉伯").first).to_be_visible(timeout=TIMEOUT)
    # 2. B imports a case about it; the national centre publishes it.
    row = case_row(1, random.Random(9), ref_prefix="E2E-FOLLOW")
    row[1], row[2] = "沙特展会外观设计纠纷（浏览器测试）", "沙特阿拉伯"
    path = write_cases_xlsx(tmp_path / "b.xlsx", [row])
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
    service.run(path, path.name, "cases", _principal("staff"), zj)
    with db.read_session() as s:
        cid = s.scalar(select(Case.id).where(Case.case_ref == "E2E-FOLLOW-000001"))
    review.transition(_principal("admin"), cid, "approve")
    review.transition(_principal("admin"), cid, "publish")
    # 3. A sees one notification and opens it.
    page.goto(live_server + "/follows")
    wait_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(zh("service.notifications.title", n=1)).click()
    link = sidebar.get_by_role("link", name=zh("follows.notify.follow_cases", n=1))
    expect(link).to_be_visible(timeout=TIMEOUT)
    link.click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("follows.event.cases", n=1))).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="沙特展会外观设计纠纷（浏览器测试）", exact=False).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="沙特展会外观设计纠纷（浏览器测试）")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name=zh("follows.button.follow"))).to_be_visible(timeout=TIMEOUT)
