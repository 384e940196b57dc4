"""Browser: the admin opens the year's scorecard, drills into one sub-centre's items and one item's
evidence, overrides an item with a reason, freezes the year and exports the scorecard; the xlsx
holds the override. Staff of Zhejiang open the page and see their own scorecard only."""

from __future__ import annotations

import io
import shutil

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from ipoverseas.core import i18n, localtime
from tests.e2e.helpers import TIMEOUT, login, logout, pick, wait_idle

pytestmark = pytest.mark.e2e
YEAR = localtime.today().year


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


@pytest.fixture(scope="module")
def live_db(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-assessment") / "live.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def live_server_env(live_db):
    return {"IPOVERSEAS_DATABASE_URL": live_db}


def _centre(url: str, code: str) -> int:
    with create_engine(url).connect() as conn:
        return conn.execute(text("SELECT id FROM sub_centres WHERE code = :c"), {"c": code}).scalar_one()


def test_admin_drills_in_overrides_freezes_and_exports_staff_see_their_own(live_server, live_db, page):
    page.set_viewport_size({"width": 1400, "height": 1000})
    main = page.get_by_test_id("stMainBlockContainer")
    login(page, live_server, "admin")
    page.goto(f"{live_server}/assessment")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("assessment.title"))).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_text(zh("assessment.tab.scorecard"), exact=True)).to_be_visible(timeout=TIMEOUT)

    sh = _centre(live_db, "SH")
    page.goto(f"{live_server}/assessment?year={YEAR}&sc={sh}")
    wait_idle(page)
    expect(main.get_by_text(zh("assessment.detail_title", name="上海分中心", year=YEAR))).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{live_server}/assessment?year={YEAR}&sc={sh}&item=training_sessions")
    wait_idle(page)
    expect(main.get_by_text(zh("assessment.evidence_title", item="举办培训"))).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_test_id("stDataFrame")).to_be_visible(timeout=TIMEOUT)
    main.get_by_role("link", name=zh("assessment.back_to_sub_centre", name="上海分中心")).click()
    wait_idle(page)
    expect(main.get_by_text(zh("assessment.override.title"))).to_be_visible(timeout=TIMEOUT)
    assert f"sc={sh}" in page.url and "item=" not in page.url

    pick(page, zh("assessment.override.item"), "举办培训 (10)")
    main.get_by_role("spinbutton", name=zh("assessment.override.points")).fill("6")
    main.get_by_role("textbox", name=zh("assessment.override.reason")).fill("两场培训未留存签到表，按实际核减")
    main.get_by_role("button", name=zh("assessment.override.save")).click()
    wait_idle(page)
    expect(main.get_by_text("举办培训 · " + zh("assessment.override.current", points="6",
                                            reason="两场培训未留存签到表，按实际核减"))).to_be_visible(timeout=TIMEOUT)

    page.goto(f"{live_server}/assessment?year={YEAR}")
    wait_idle(page)
    main.get_by_text(zh("assessment.freeze.title")).click()
    main.get_by_text(zh("assessment.freeze.confirm")).click()
    main.get_by_role("button", name=zh("assessment.freeze.button"), exact=True).click()
    wait_idle(page)
    expect(main.get_by_text(zh("assessment.unfreeze.title"))).to_be_visible(timeout=TIMEOUT)

    with page.expect_download(timeout=TIMEOUT) as download:
        main.get_by_role("button", name=zh("assessment.export")).click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    items = list(book[zh("assessment.export.sheet_items")].iter_rows(values_only=True))
    header = items[0]
    row = next(r for r in items[1:] if r[0] == "SH" and r[3] == "举办培训")
    assert row[header.index(zh("assessment.col.override"))] == 6
    assert row[header.index(zh("assessment.col.reason"))] == "两场培训未留存签到表，按实际核减"
    about = dict(book[zh("assessment.export.sheet_about")].iter_rows(values_only=True))
    assert about[zh("assessment.export.frozen")] == zh("assessment.export.yes")
    logout(page)

    login(page, live_server, "staff")
    page.goto(f"{live_server}/assessment")
    wait_idle(page)
    expect(main.get_by_text(zh("assessment.detail_title", name="浙江分中心", year=YEAR))).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_text("上海分中心")).to_have_count(0)
