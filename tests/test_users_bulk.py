"""Bulk creation of accounts from a real Excel workbook: template, row-level problems, all or nothing."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from ipoverseas.core import errors
from ipoverseas.accounts import authentication, users
from ipoverseas.core import db
from ipoverseas.core.models import AuditEvent, User


def _filled(rows, header=None):
    """The template, filled in with openpyxl (as a clerk would in Excel)."""
    book = openpyxl.load_workbook(io.BytesIO(users.bulk_template()))
    sheet = book.worksheets[0]
    sheet.delete_rows(2, 1)  # the example row
    if header:
        for c, title in enumerate(header, start=1):
            sheet.cell(1, c, title)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count_users():
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_template_has_headers_dropdowns_instructions_and_an_example(demo_database):
    book = openpyxl.load_workbook(io.BytesIO(users.bulk_template()))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["用户名 *", "姓名 *", "角色 *"]
    assert sheet.cell(2, 1).value == "zhang.san"
    assert len(book.worksheets) == 2
    assert any("ZJ" in str(dv.formula1) for dv in sheet.data_validations.dataValidation)


def test_good_workbook_creates_every_account_with_a_temporary_password(demo_database, principal):
    before = _count_users()
    data = _filled([
        ["wang.wu", "王五", "staff", "zj", "wang.wu@example.cn", "浙江分中心"],
        ["Acme.Export", "Acme 出口", "企业", None, None, "Acme 出口有限公司"],
        ["zhao.liu", "赵六", "专家", "GD", None, None],
    ])
    result = users.bulk_create(principal("admin"), data, "accounts.xlsx")
    assert result.problems == []
    assert [u for u, _ in result.created] == ["wang.wu", "acme.export", "zhao.liu"]
    assert _count_users() == before + 3
    username, password = result.created[1]
    user = authentication.authenticate(username, password)
    assert user is not None and user.role == "enterprise" and user.must_change_password
    book = openpyxl.load_workbook(io.BytesIO(users.passwords_workbook(result.created)))
    assert book.active.cell(2, 1).value == "wang.wu"
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.create")) >= 3
        assert s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "user.bulk_create"))["created"] == 3


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(demo_database, principal):
    before = _count_users()
    data = _filled([
        ["ok.person", "好人", "enterprise", None, None, None],       # row 2: fine
        ["staff", "重复", "enterprise", None, None, None],           # row 3: exists already
        ["no.centre", "无分中心", "staff", None, None, None],         # row 4: staff without centre
        ["bad.role", "坏角色", "boss", None, None, None],              # row 5
        ["ok.person", "又一个", "enterprise", None, "not-an-email", None],  # row 6: twice + bad e-mail
        ["x.y", None, "expert", "NOPE", None, None],                  # row 7: no name + unknown centre
    ])
    result = users.bulk_create(principal("admin"), data, "accounts.xlsx")
    found = {(p.row, p.column, p.key) for p in result.problems}
    assert found == {
        (3, "用户名 *", "admin.bulk.username_exists"),
        (4, "分中心代码", "admin.bulk.staff_needs_sub_centre"),
        (5, "角色 *", "admin.bulk.bad_role"),
        (6, "用户名 *", "admin.bulk.username_twice"),
        (6, "邮箱", "admin.bulk.bad_email"),
        (7, "姓名 *", "admin.bulk.required"),
        (7, "分中心代码", "admin.bulk.bad_sub_centre"),
    }
    assert result.created == []
    assert _count_users() == before


def test_english_headers_are_accepted(demo_database, principal):
    data = _filled([["en.user", "English User", "enterprise"]],
                   header=["Username", "Display name", "Role", "Sub-centre code", "E-mail", "Organisation"])
    result = users.bulk_create(principal("admin"), data)
    assert result.problems == [] and result.created[0][0] == "en.user"


@pytest.mark.parametrize("data,name,key", [
    (b"not a workbook at all", "users.xlsx", "admin.bulk.not_xlsx"),
    (b"PK\x03\x04 broken zip", "users.xlsx", "admin.bulk.unreadable"),
    (b"PK\x03\x04", "users.csv", "admin.bulk.not_xlsx"),
])
def test_unreadable_files_get_one_clear_problem(demo_database, principal, data, name, key):
    result = users.bulk_create(principal("admin"), data, name)
    assert [p.key for p in result.problems] == [key]


def test_missing_required_column(demo_database, principal):
    data = _filled([["a.b", "A B"]], header=["用户名", "姓名", "备注"])
    result = users.bulk_create(principal("admin"), data)
    assert [p.key for p in result.problems] == ["admin.bulk.missing_column"]


def test_too_big_is_refused_before_reading(demo_database, principal, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_UPLOAD_MAX_MB", "0")
    result = users.bulk_create(principal("admin"), _filled([["a.b", "A", "enterprise"]]))
    assert [p.key for p in result.problems] == ["admin.bulk.too_big"]


def test_bulk_is_admin_only(demo_database, principal):
    with pytest.raises(errors.Denied):
        users.bulk_create(principal("staff"), _filled([["a.b", "A", "enterprise"]]))
