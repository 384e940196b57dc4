"""The Upload page through AppTest: roles, upload with file_uploader, preview, apply, history, rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ipoverseas.access import policy
from ipoverseas.core import db, i18n
from ipoverseas.core.models import Case, ImportBatch
from tests.imports.helpers import FILES, sub_centre_id
from tests.pages.apptest import run_page, shown, texts

USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("role", policy.ROLES)
def test_upload_page_for_every_role(sqlite_demo_database, principal, role):
    at = run_page("upload", principal(USERS[role]))
    assert not at.exception
    if role in ("staff", "admin"):
        assert at.title[0].value == i18n.t("upload.title", "en")
        assert at.file_uploader and at.get("download_button")
    else:
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert not at.title and not at.file_uploader


def _upload(at, path, name=None):
    at.file_uploader(key="upload_file_cases").set_value((name or path.name, path.read_bytes(), XLSX))
    return at.run()


def test_staff_uploads_previews_and_applies(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("upload", staff, lang="zh")
    selectbox = at.selectbox(key="upload_sub_centre")
    assert selectbox.disabled and len(selectbox.options) == 1 and selectbox.options[0].startswith("ZJ")
    at = _upload(at, FILES / "messy" / "duplicates_and_other_centre.xlsx")
    assert not at.exception
    shown = texts(at)
    assert i18n.t("upload.preview", "zh") in shown
    assert i18n.t("upload.metric.other_centre", "zh") in shown
    # A conflicting duplicate blocks all-or-nothing; skipping it lets the import go through.
    assert at.button(key="upload_apply").disabled
    at.radio(key="upload_mode").set_value(i18n.t("upload.mode.skip", "zh")).run()
    at.button(key="upload_apply").click().run()
    assert not at.exception
    assert any(i18n.t("upload.result.applied", "zh", batch=1, created=2, updated=0, unchanged=0, skipped=4)
               == s.value for s in at.success)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.case_ref.like("ZJ-X-%"))) == 2
        assert s.scalar(select(func.count()).select_from(Case).where(Case.case_ref == "GD-X-9")) == 0
    # The same file again: nothing to change, and the page says so.
    at = _upload(run_page("upload", staff, lang="en"), FILES / "messy" / "duplicates_and_other_centre.xlsx")
    assert i18n.t("upload.already", "en", batch=1) in texts(at)


def test_hostile_file_through_the_page(sqlite_demo_database, principal):
    at = _upload(run_page("upload", principal("staff")), FILES / "hostile" / "zip_bomb.xlsx")
    assert not at.exception
    assert shown(at.error[0].value) == i18n.t("upload.refused.zip_bomb", "en")
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_problems_are_listed_with_row_column_and_message(sqlite_demo_database, principal):
    at = _upload(run_page("upload", principal("staff")), FILES / "messy" / "number_ids.xlsx")
    assert not at.exception
    assert i18n.t("upload.problems", "en", count=1) in texts(at)
    frame = at.dataframe[0].value
    assert list(frame.iloc[0][["Row", "Column"]]) == [3, "案件编号"]
    assert "15" in frame.iloc[0]["Message"]


def test_history_and_rollback_on_the_page(sqlite_demo_database, principal):
    from ipoverseas.imports import service

    staff = principal("staff")
    path = FILES / "messy" / "two_row_header.xlsx"
    _, result = service.run(path, path.name, "cases", staff, sub_centre_id("ZJ"))
    gd_staff = principal("staff_gd")
    _, gd_result = service.run(path, path.name, "cases", gd_staff, sub_centre_id("GD"))
    at = run_page("upload", staff)
    history = [df.value for df in at.dataframe][-1]
    assert list(history["Batch"]) == [f"upload?batch={result.batch_id}"]   # own sub-centre only; a link
    assert list(history[i18n.t("upload.col.sub_centre", "en")]) == ["Zhejiang sub-centre"]   # its name, not ZJ
    assert at.selectbox(key="upload_rollback_batch").options == [str(result.batch_id)]
    at.checkbox(key="upload_rollback_sure").check()
    [submit] = [b for b in at.button if b.label == i18n.t("upload.history.rollback", "en")]
    submit.click().run()
    assert not at.exception
    with db.read_session() as s:
        assert s.get(ImportBatch, result.batch_id).status == "rolled_back"
        assert s.get(ImportBatch, gd_result.batch_id).status == "applied"
    admin = run_page("upload", principal("admin"))
    assert set([df.value for df in admin.dataframe][-1]["Batch"]) == {f"upload?batch={result.batch_id}",
                                                                     f"upload?batch={gd_result.batch_id}"}
    opened = run_page("upload", staff, query={"batch": str(result.batch_id)})      # a bookmark opens its history
    assert opened.selectbox(key="upload_history_batch").value == result.batch_id


def test_a_refused_upload_is_in_the_history_with_its_cause(sqlite_demo_database, principal):
    staff = principal("staff")
    at = _upload(run_page("upload", staff, lang="zh"), FILES / "hostile" / "zip_bomb.xlsx", "名单.xlsx")
    assert not at.exception
    at = _upload(at, FILES / "messy" / "number_ids.xlsx")      # a workbook with a bad row
    assert not at.exception
    at = run_page("upload", staff, lang="zh")
    history = [df.value for df in at.dataframe][-1]
    status, cause = i18n.t("upload.history.status", "zh"), i18n.t("upload.history.cause", "zh")
    assert list(history[status]) == [i18n.t("upload.history.status.refused", "zh")] * 2
    assert list(history[i18n.t("import.filename", "zh")]) == ["number_ids.xlsx", "名单.xlsx"]
    assert list(history[i18n.t("upload.history.batch", "zh")]) == ["", ""]
    assert history[cause].iloc[1] == i18n.t("upload.refused.zip_bomb", "zh")
    assert "第 3 行" in history[cause].iloc[0] and "案件编号" in history[cause].iloc[0]
    assert history[i18n.t("upload.history.size", "zh")].iloc[1].endswith("KB")
    assert all(len(v) == 12 for v in history[i18n.t("upload.history.sha", "zh")])
    assert "None" not in history.to_string()
    # Every problem of one refusal, in the user's language.
    picker = at.selectbox(key="upload_history_refusal")
    assert picker.placeholder == i18n.t("upload.history.refusal_placeholder", "zh")
    picker.set_value(picker.options[0]).run()
    problems = [df.value for df in at.dataframe][-1]
    assert list(problems[i18n.t("upload.col.row", "zh")]) == ["3"]
    assert "15" in problems[i18n.t("upload.col.message", "zh")].iloc[0]
    # The other staff's sub-centre sees none of it.
    other = run_page("upload", principal("staff_gd"), lang="zh")
    assert i18n.t("upload.history.none", "zh") in texts(other)


def test_the_page_speaks_chinese_placeholders_and_uploader(sqlite_demo_database, principal):
    at = run_page("upload", principal("admin"), lang="zh")
    assert at.selectbox(key="upload_sub_centre").placeholder == i18n.t("upload.sub_centre_placeholder", "zh")
    uploader = at.file_uploader(key="upload_file_cases")
    assert uploader.label == i18n.t("upload.file", "zh")
    # The dropzone's own texts are restyled in Chinese for this uploader (ipoverseas/ui/uploader.py).
    styles = [h.proto.body for h in at.get("html")]
    assert any(".st-key-upload_file_cases" in css and "选择文件" in css and "20 MB" in css for css in styles)
