"""Browser journey of the work summary (issue 14): staff open 工作总结, generate their sub-centre's
draft and download it; the file is a Word document with their figures. Screenshot under
IPOVERSEAS_SCREENSHOTS (default /tmp/shots-summary)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.e2e.helpers import TIMEOUT, login, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("IPOVERSEAS_SCREENSHOTS", "/tmp/shots-summary"))


def test_staff_download_their_summary_draft(live_server, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "staff")
    page.goto(f"{live_server}/summary")
    wait_idle(page)
    expect(page.get_by_role("heading", name="工作总结", exact=True)).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="生成初稿").click()
    download_button = page.get_by_role("button", name="下载初稿（.docx）")
    expect(download_button).to_be_visible(timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "summary-staff-draft.png"), full_page=True)
    with page.expect_download(timeout=TIMEOUT) as got:
        download_button.click()
    download = got.value
    assert download.suggested_filename.endswith("年度工作总结_ZJ.docx")
    path = tmp_path / "draft.docx"
    download.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    assert doc.paragraphs[0].text.startswith("浙江分中心") and "年度工作总结（初稿）" in doc.paragraphs[0].text
    assert len(doc.tables) >= 10 and doc.inline_shapes
