"""Browser: the Chinese upload page reads as Chinese (the uploader's own texts too), and a refused
upload is in the import history with its cause (issue 12). Screenshots under /work/tmp/shots-h-c/
when that folder exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, wait_idle
from tests.imports.helpers import CASE_HEADER, xlsx_bytes

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/tmp/shots-h-c")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 4000

# The words Streamlit's uploader writes in English; each must be hidden (restyled) or absent.
ENGLISH = re.compile(r"Upload|Browse|Drag and drop|per file|Choose an option", re.I)

SHOWN_TEXTS = """(root) => {
  const out = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el) continue;
    const style = getComputedStyle(el);
    if (el.closest('[data-testid="stIconMaterial"]')) continue;   // an icon's ligature, not a word
    if (style.fontSize === '0px' || style.display === 'none' || style.visibility === 'hidden') continue;
    out.push(text);
  }
  for (const el of root.querySelectorAll('*')) {
    const after = getComputedStyle(el, '::after').content;
    if (after && after !== 'none' && after !== 'normal') out.push(JSON.parse(after));
  }
  return out;
}"""


def _shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_the_chinese_upload_page_has_no_english_uploader_text_and_a_refusal_is_in_the_history(
        live_server, page, tmp_path):
    login(page, live_server, "staff")
    page.goto(live_server + "/upload")
    wait_idle(page)
    uploader = page.get_by_test_id("stFileUploader").first
    expect(uploader).to_be_visible(timeout=TIMEOUT)
    expect(uploader.get_by_text(i18n.t("upload.file", "zh"))).to_be_visible()
    shown = uploader.evaluate(SHOWN_TEXTS)
    assert not [t for t in shown if ENGLISH.search(t)], shown
    assert i18n.t("upload.file_button", "zh") in shown
    assert i18n.t("upload.file_drop", "zh", mb=20, types=".xlsx、.csv") in shown
    page_text = page.get_by_test_id("stMain").evaluate(SHOWN_TEXTS)
    assert not [t for t in page_text if ENGLISH.search(t)], page_text
    _shot(page, "upload-zh-empty.png")

    # A file of another type: refused by the app in Chinese (Streamlit's own check would say it in English).
    txt = tmp_path / "notes.txt"
    txt.write_text("not a workbook")
    page.locator("input[type=file]").first.set_input_files(str(txt))
    expect(page.get_by_text(i18n.t("upload.wrong_type", "zh", name="notes.txt", types=".xlsx、.csv"))) \
        .to_be_visible(timeout=TIMEOUT)
    page_text = page.get_by_test_id("stMain").evaluate(SHOWN_TEXTS)
    assert not [t for t in page_text if ENGLISH.search(t) or "not allowed" in t], page_text
    _shot(page, "upload-zh-wrong-type.png")

    # A program renamed .xlsx: refused, with its cause.
    exe = tmp_path / "setup.xlsx"
    exe.write_bytes(EXE)
    page.locator("input[type=file]").first.set_input_files(str(exe))
    refused = i18n.t("upload.refused.not_workbook", "zh")
    expect(page.get_by_text(refused)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    _shot(page, "upload-zh-refused.png")

    # A workbook with a bad row (no title in row 3): checked, its rows refused with their problem.
    bad = tmp_path / "bad-row.xlsx"
    bad.write_bytes(xlsx_bytes([CASE_HEADER[:6], ["E2E-1", "好的一行", "美国", "法院", "诉讼", "发明专利"],
                                ["E2E-2", "", "美国", "法院", "诉讼", "发明专利"]]))
    page.locator("input[type=file]").first.set_input_files(str(bad))
    expect(page.get_by_text(i18n.t("upload.problems", "zh", count=1))).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)

    # ... and the import history lists both: who, when, file, why.
    page.get_by_role("tab", name=i18n.t("upload.tab.history", "zh")).click()
    wait_idle(page)
    expect(page.locator("[data-testid=stDataFrame]:visible").first).to_be_visible(timeout=TIMEOUT)   # the list (a canvas)
    page.get_by_test_id("stSelectbox").filter(has_text=i18n.t("upload.history.refusal_pick", "zh")) \
        .get_by_role("combobox").click()
    page.get_by_role("option").filter(has_text="setup.xlsx").first.click()
    wait_idle(page)
    detail = page.get_by_test_id("stMarkdown").filter(has_text="setup.xlsx").first
    expect(detail).to_be_visible(timeout=TIMEOUT)
    expect(detail).to_contain_text(refused)
    expect(detail).to_contain_text("staff")
    expect(detail).to_contain_text("KB")
    _shot(page, "upload-zh-history.png")

    # The workbook's refusal names the row and the column.
    page.get_by_test_id("stSelectbox").filter(has_text=i18n.t("upload.history.refusal_pick", "zh")) \
        .get_by_role("combobox").click()
    page.get_by_role("option").filter(has_text="bad-row.xlsx").first.click()
    wait_idle(page)
    detail = page.get_by_test_id("stMarkdown").filter(has_text="bad-row.xlsx").first
    expect(detail).to_contain_text("第 3 行", timeout=TIMEOUT)
    expect(detail).to_contain_text(CASE_HEADER[1])
    _shot(page, "upload-zh-history-bad-row.png")
