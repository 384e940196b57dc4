"""Accounts are one more dataset of the upload pipeline: real messy workbooks (openpyxl, XlsxWriter,
LibreOffice: tests/files/accounts, made by tests/files/make_files.py) through the same reader,
header mapping, cell checks and annotated report as cases; and what differs, said by the dataset."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import select

from ipoverseas.accounts import users
from ipoverseas.core import db, vocab
from ipoverseas.core.models import ImportBatch, User
from ipoverseas.imports import accounts, datasets as D, report, service
from tests.imports.helpers import FILES, create_accounts, problems_of, sub_centre_id

ACCOUNTS = FILES / "accounts"


def _user(username: str) -> User | None:
    with db.read_session() as s:
        return s.scalar(select(User).where(User.username == username))


def test_what_differs_for_accounts_is_said_by_the_dataset():
    d = D.get("accounts")
    assert (d.action, d.batched, d.all_or_nothing, d.max_rows) == ("manage_users", False, True, 2_000)
    assert d.column("role").vocab is vocab.ROLES   # one vocabulary of roles, with its aliases
    assert all((d.batched, d.all_or_nothing, d.action) == (True, False, "import_records")
               for d in (D.CASES, D.EXPERTS, D.ARTICLES))
    assert not hasattr(users, "ROLE_ALIASES") and not hasattr(users, "read_bulk")  # one pipeline
    with pytest.raises(ValueError, match="imports.accounts"):  # never a batch with rollback
        service.prepare(b"", "a.xlsx", "accounts", None, 1)


@pytest.mark.parametrize("text,role", [
    ("企业", "enterprise"), ("企业用户", "enterprise"), ("Enterprise", "enterprise"),
    ("分中心", "staff"), ("工作人员", "staff"), ("分中心工作人员", "staff"), ("Sub-centre staff", "staff"),
    ("ＳＴＡＦＦ", "staff"), ("专家", "expert"), ("管理员", "admin"), ("国家中心管理员", "admin"),
    ("administrator", "admin"),
])
def test_role_aliases_are_the_role_vocabularys(text, role):
    assert vocab.ROLES.lookup(text) == role


def test_a_messy_office_workbook(demo_database, principal):
    """messy_openpyxl.xlsx: hidden first sheet, title row, mixed headers, every kind of row problem."""
    admin = principal("admin")
    checked = accounts.prepare(ACCOUNTS / "messy_openpyxl.xlsx", "messy.xlsx", admin)
    parsed = checked.parsed
    assert parsed.sheet == "Sheet1"  # the hidden sheet named 账号 is never read
    assert problems_of(checked) == {
        (7, "Role", "bad_choice"),                            # 经理 is no role
        (8, "用户名（登录名）", "username_twice"),             # ＬＩ．ＳＩ is Li.Si of row 3
        (9, "用户名（登录名）", "username_exists"),            # STAFF is the demo's staff
        (10, "分中心", "staff_needs_sub_centre"),
        (11, "用户名（登录名）", "bad_username"),              # wu shi: all three of the row at once
        (11, "分中心", "unknown_sub_centre_code"),
        (11, "E-mail", "bad_email"),
    }
    assert [p.code for p in parsed.warnings] == ["extra_column"]  # 备注
    assert [(row, a.username, a.role, a.sub_centre_code, a.display_name, a.email) for row, a in checked.accounts] == [
        (3, "li.si", "enterprise", None, "李四", "LI.SI@Example.cn"),
        (4, "wang.wu", "staff", "ZJ", "王五", "wang@example.cn"),   # full-width folded, zero-width dropped
        (5, "zhao.liu", "expert", None, "赵六", None),
        (6, "qian.qi", "admin", None, "钱七", None),
    ]
    for p in checked.errors:  # where and what, in both languages
        assert p.sheet == "Sheet1" and p.row and p.column and p.col_index is not None
        assert p.message("zh") != p.key and p.message("en") != p.key
    assert _user("hidden.admin") is None and _user("li.si") is None  # nothing written by a check


def test_the_annotated_workbook_marks_the_account_problems(demo_database, principal):
    checked = accounts.prepare(ACCOUNTS / "messy_openpyxl.xlsx", "messy.xlsx", principal("admin"))
    book = openpyxl.load_workbook(io.BytesIO(report.annotated(checked, "en")))
    sheet = book["Sheet1"]
    assert "already on row 3" in sheet["A8"].comment.text       # the second Li.Si
    assert "exists already" in sheet["A9"].comment.text
    assert "needs a sub-centre code" in sheet["D10"].comment.text
    assert sheet["A11"].fill.start_color.rgb.endswith("FFC7CE")
    listed = [row for row in book[book.sheetnames[-1]].iter_rows(min_row=2, values_only=True)]
    assert len([r for r in listed if r[4] == "error"]) == 7


def test_usernames_excel_stored_as_numbers(demo_database, principal):
    """numbers_xlsxwriter.xlsx: a phone number as a number is a username; an 18-digit ID lost digits."""
    checked = accounts.prepare(ACCOUNTS / "numbers_xlsxwriter.xlsx", "numbers.xlsx", principal("admin"))
    assert problems_of(checked) == {(3, "Username", "id_lost_digits")}
    assert checked.errors[0].params == {"digits": 18}
    assert [a.username for _, a in checked.accounts] == ["13800138000", "110101199003071235"]


def test_a_csv_saved_by_libreoffice(demo_database, principal):
    """libreoffice_from_csv.xlsx: LibreOffice made numbers of the digit strings, as Excel does."""
    checked = accounts.prepare(ACCOUNTS / "libreoffice_from_csv.xlsx", "lo.xlsx", principal("admin"))
    assert problems_of(checked) == {(4, "Username", "id_lost_digits")}
    assert [(a.username, a.role, a.sub_centre_code) for _, a in checked.accounts] == [
        ("lo.one", "enterprise", None), ("lo.two", "staff", "SH"), ("13800138000", "enterprise", None)]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_the_template_through_libreoffice_and_back(demo_database, principal, tmp_path):
    """The template, filled in and saved by LibreOffice (soffice --convert-to xlsx), creates its accounts."""
    from ipoverseas.imports import template

    book = openpyxl.load_workbook(io.BytesIO(template.build("accounts")))
    sheet = book.worksheets[0]
    sheet.append(["lo.filled", "LibreOffice 填写", "专家"])
    sheet.append(["lo.staff", "分中心人员", "分中心工作人员", "zj"])
    src = tmp_path / "filled.xlsx"
    book.save(src)
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsx", "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    data = (out / "filled.xlsx").read_bytes()
    checked, created = create_accounts(principal("admin"), data, "filled.xlsx")
    assert checked.errors == [] and checked.parsed.warnings == []
    assert [u for u, _ in created] == ["lo.filled", "lo.staff"]
    assert _user("lo.staff").sub_centre_id == sub_centre_id("ZJ")


def test_an_inactive_sub_centre_a_long_username_and_spaces(demo_database, principal):
    users.set_sub_centre_active(principal("admin"), sub_centre_id("JS"), False)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("账号")
    ws.write_row(0, 0, ["用户名", "姓名", "角色", "分中心代码"])
    ws.write_row(1, 0, ["js.staff", "江苏", "staff", "JS"])
    ws.write_row(2, 0, ["x" * 81, "太长", "enterprise", ""])
    ws.write_row(3, 0, ["  spaced.out\u3000", "\u200b全角空格", "enterprise", ""])  # trimmed: fine
    wb.close()
    checked = accounts.prepare(buf.getvalue(), "a.xlsx", principal("admin"))
    assert problems_of(checked) == {(2, "分中心代码", "inactive_sub_centre"), (3, "用户名", "too_long")}
    assert [(a.username, a.display_name) for _, a in checked.accounts] == [("spaced.out", "全角空格")]


def test_no_rows_and_too_many_rows(demo_database, principal):
    from ipoverseas.imports import template
    from ipoverseas.imports.problems import Refused

    with pytest.raises(Refused) as refused:  # the template as it comes: only its header
        accounts.prepare(template.build("accounts"), "t.xlsx", principal("admin"))
    assert refused.value.code == "no_rows"
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("accounts")
    ws.write_row(0, 0, ["Username", "Display name", "Role"])
    for r in range(1, 2_002):
        ws.write_row(r, 0, [f"many{r}", "Many", "enterprise"])
    wb.close()
    with pytest.raises(Refused) as refused:
        accounts.prepare(buf.getvalue(), "many.xlsx", principal("admin"))
    assert refused.value.code == "too_many_rows" and refused.value.params["max_rows"] == 2_000


def test_a_csv_of_accounts_and_no_import_batch(demo_database, principal):
    data = "用户名,姓名,角色,分中心代码\ncsv.one,CSV 一,企业,\ncsv.two,CSV 二,分中心,gd\n".encode("gb18030")
    with db.read_session() as s:
        batches = s.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(1))
    checked, created = create_accounts(principal("admin"), data, "accounts.csv")
    assert checked.errors == [] and [u for u, _ in created] == ["csv.one", "csv.two"]
    assert _user("csv.two").sub_centre_id == sub_centre_id("GD")
    with db.read_session() as s:  # accounts are disabled, never rolled back: no batch
        assert s.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(1)) == batches


def test_the_command_line_creates_accounts_and_writes_the_passwords(demo_database, tmp_path, capsys):
    from ipoverseas.cli import main

    out = tmp_path / "passwords.xlsx"
    assert main(["import", "accounts", str(ACCOUNTS / "messy_openpyxl.xlsx"), "--passwords", str(out),
                 "--lang", "en"]) == 1
    assert "already on row 3" in capsys.readouterr().out and not out.exists()
    good = tmp_path / "good.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Username", "Display name", "Role", "Sub-centre code"])
    book.active.append(["cli.admin", "CLI", "管理员", None])
    book.save(good)
    assert main(["import", "accounts", str(good), "--dry-run"]) == 0
    assert _user("cli.admin") is None
    assert main(["import", "accounts", str(good)]) == 2              # where do the passwords go?
    assert main(["import", "accounts", str(good), "--sub-centre", "ZJ", "--passwords", str(out)]) == 2
    assert main(["import", "accounts", str(good), "--passwords", str(out), "--user", "staff"]) == 1
    assert main(["import", "accounts", str(good), "--passwords", str(out), "--lang", "en"]) == 0
    assert "1 accounts created" in capsys.readouterr().out
    assert (out.stat().st_mode & 0o777) == 0o600
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["cli.admin"] and _user("cli.admin").role == "admin"
    assert main(["import", "accounts", str(good), "--passwords", str(out)]) == 2   # never overwritten
    assert main(["template", "accounts", str(tmp_path / "t.xlsx")]) == 0
