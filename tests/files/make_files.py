"""Make the messy and hostile upload files in this folder (the results are committed).

    .venv/bin/python tests/files/make_files.py

Messy files are what offices send: made with openpyxl, XlsxWriter, and LibreOffice
(`soffice --headless --convert-to xlsx`). Hostile files are what an attacker or a
broken tool sends. tests/imports/test_files.py and tests/imports/test_hostile.py use them;
tests/imports/test_accounts.py the accounts files (in accounts/).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
MESSY = HERE / "messy"
HOSTILE = HERE / "hostile"
ACCOUNTS = HERE / "accounts"


def title_rows_merged_header() -> None:
    """Title rows above the header, full-width brackets, stray spaces, an extra column, mixed inputs."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024年案件汇总"
    ws["A1"] = "浙江省海外知识产权纠纷应对指导分中心"
    ws.merge_cells("A1:J1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A2"] = "填表日期：2024年6月30日"
    ws.append([])
    ws.append(["序号", " 案件编号 ", "案件名称", "国家（地区）", "纠纷 类型", "立案日期", "涉案金额（美元）",
               "中方角色", "备注", "案件状态"])
    rows = [
        [1, "ZJ-M-001", "  宁波某电器337调查案\u200b", "美国", "337", dt.date(2024, 3, 5), "1,250,000", "被告", "重点", "进行中"],
        [2, "ＺＪ－Ｍ－００２", "温州某鞋业展会纠纷", "Germany", "展会禁令", 45356, "２００，０００", "被申请人", "", "已结案"],
        [3, "ZJ-M-003 ", "义乌某玩具Schedule A案", "US", "Schedule A", "2024/3/5", 35000.5, "被告", None, "ongoing"],
        [4, "ZJ-M-004", "杭州某软件著作权案", "United States", "诉讼", "2024年3月5日", None, "原告", None, None],
        [5, "ZJ-M-005", "绍兴某纺织商标抢注案", "ＵＳＡ", "商标抢注", "2024-03-05", "$12,000", "第三方", None, None],
    ]
    for row in rows:
        ws.append(row)
    wb.save(MESSY / "title_rows_merged_header.xlsx")


def two_row_header() -> None:
    """A merged group header above the column names; the key column merged over both rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws["A1"] = "案件编号"
    ws.merge_cells("A1:A2")
    ws["B1"] = "基本信息"
    ws.merge_cells("B1:D1")
    ws["E1"] = "当事人"
    ws.merge_cells("E1:F1")
    for c, name in enumerate(["案件名称", "国家/地区", "纠纷类型", "中方当事人", "对方当事人"], start=2):
        ws.cell(2, c, name)
    for cell in ws[1] + ws[2]:
        cell.alignment = Alignment(horizontal="center")
    ws.append(["ZJ-H-001", "某光伏企业欧盟反规避及专利纠纷", "欧盟", "诉讼", "某光伏有限公司", "Solar GmbH"])
    ws.append(["ZJ-H-002", "某汽配企业海关扣货", "巴西", "海关", "某汽配有限公司", "Auto SA"])
    wb.save(MESSY / "two_row_header.xlsx")


def hidden_first_sheet() -> None:
    """A hidden first sheet with the expected header (never read) and the data on the second."""
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "旧数据"
    hidden.append(["案件编号", "案件名称", "国家/地区", "纠纷类型"])
    hidden.append(["ZJ-OLD-1", "不应导入", "美国", "诉讼"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Sheet2")
    ws.append(["案件编号", "案件名称", "国家/地区", "纠纷类型"])
    ws.append(["ZJ-VIS-1", "应导入的案件", "日本", "诉讼"])
    wb.save(MESSY / "hidden_first_sheet.xlsx")


def english_headers() -> None:
    """English column names in odd case, written by XlsxWriter, sheet named 'Cases'."""
    wb = xlsxwriter.Workbook(str(MESSY / "english_headers.xlsx"))
    ws = wb.add_worksheet("Cases")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["CASE REF", "title", "Country / Region", "dispute type", "Filed On", "Amount (USD)", "IP Type"])
    ws.write_row(1, 0, ["ZJ-EN-001", "Section 337 investigation of LED lamps", "USA", "ITC Section 337"])
    ws.write_datetime(1, 4, dt.datetime(2023, 11, 2), date_fmt)
    ws.write_number(1, 5, 2500000)
    ws.write_string(1, 6, "patent")
    ws.write_row(2, 0, ["ZJ-EN-002", "Trade fair injunction at a Berlin show", "DE", "trade fair"])
    ws.write_datetime(2, 4, dt.datetime(2024, 9, 1), date_fmt)
    ws.write_string(2, 6, "Design")
    wb.close()


def number_ids() -> None:
    """IDs that Excel stored as numbers: a short one is fine, an 18-digit one lost digits."""
    wb = xlsxwriter.Workbook(str(MESSY / "number_ids.xlsx"))
    ws = wb.add_worksheet("案件")
    ws.write_row(0, 0, ["案件编号", "案件名称", "国家/地区", "纠纷类型"])
    ws.write_number(1, 0, 20240001)
    ws.write_row(1, 1, ["数字编号案件", "美国", "诉讼"])
    ws.write_number(2, 0, 110101199003071234)
    ws.write_row(2, 1, ["身份证号式编号", "美国", "诉讼"])
    wb.close()


def error_cells() -> None:
    """Error cells (#DIV/0!, #REF!) with cached values, as Excel saves them."""
    wb = xlsxwriter.Workbook(str(MESSY / "error_cells.xlsx"))
    ws = wb.add_worksheet("案件")
    ws.write_row(0, 0, ["案件编号", "案件名称", "国家/地区", "纠纷类型", "涉案金额(美元)"])
    ws.write_row(1, 0, ["ZJ-ERR-1", "金额是除零错误", "美国", "诉讼"])
    ws.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    ws.write_row(2, 0, ["ZJ-ERR-2", "引用错误", "美国", "诉讼"])
    ws.write_formula(2, 4, "=#REF!*2", None, "#REF!")
    ws.write_row(3, 0, ["ZJ-ERR-3", "正常行", "美国", "诉讼", 100])
    wb.close()


def formula_no_value() -> None:
    """A formula with no cached value (openpyxl writes formulas without computing them)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["案件编号", "案件名称", "国家/地区", "纠纷类型", "涉案金额(美元)"])
    ws.append(["ZJ-F-1", "公式未计算", "美国", "诉讼", "=100*2"])
    ws.append(["ZJ-F-2", "正常", "美国", "诉讼", 300])
    wb.save(MESSY / "formula_no_value.xlsx")


def ambiguous_dates() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["案件编号", "案件名称", "国家/地区", "纠纷类型", "立案日期", "结案日期"])
    ws.append(["ZJ-D-1", "歧义日期", "美国", "诉讼", "05/03/2024", None])
    ws.append(["ZJ-D-2", "不存在的日期", "美国", "诉讼", "2024-02-30", None])
    ws.append(["ZJ-D-3", "结案早于立案", "美国", "诉讼", "2024-03-05", "2023-01-01"])
    ws.append(["ZJ-D-4", "正常", "美国", "诉讼", "2024.3.5", "2024年12月1日"])
    wb.save(MESSY / "ambiguous_dates.xlsx")


def duplicates_and_other_centre() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["案件编号", "案件名称", "国家/地区", "纠纷类型", "分中心"])
    ws.append(["ZJ-X-1", "本分中心", "美国", "诉讼", "ZJ"])
    ws.append(["ZJ-X-2", "重复且相同", "美国", "诉讼", ""])
    ws.append(["ZJ-X-2", "重复且相同", "美国", "诉讼", ""])
    ws.append(["ZJ-X-3", "重复但不同 A", "美国", "诉讼", ""])
    ws.append(["ZJ-X-3", "重复但不同 B", "美国", "诉讼", ""])
    ws.append(["GD-X-9", "广东分中心的行", "美国", "诉讼", "GD"])
    wb.save(MESSY / "duplicates_and_other_centre.xlsx")


def experts_multi() -> None:
    wb = xlsxwriter.Workbook(str(MESSY / "experts_multi.xlsx"))
    ws = wb.add_worksheet("专家")
    ws.write_row(0, 0, ["专家编号", "姓名", "工作单位", "擅长国家/地区", "擅长知识产权类型", "擅长行业", "工作语言",
                        "邮箱", "电话", "每月可接咨询数", "是否在岗"])
    ws.write_row(1, 0, ["ZJ-EXP-1", "张律师", "某律师事务所", "美国、欧盟; JP", "专利/商标", "电子信息，Light industry, home & toys",
                        "中文/英语", "zhang@example.com"])
    ws.write_string(1, 8, "13800000000")
    ws.write_number(1, 9, 6)
    ws.write_string(1, 10, "是")
    ws.write_row(2, 0, ["ZJ-EXP-2", "李代理", "某代理所", "德国", "外观设计", "机械", "德语", "not-an-email", "", "", "否"])
    ws.write_row(3, 0, ["ZJ-EXP-3", "王教授", "某大学", "美国、火星", "专利", "", "中文"])
    wb.close()


def articles() -> None:
    wb = xlsxwriter.Workbook(str(MESSY / "articles.xlsx"))
    ws = wb.add_worksheet("文章")
    ws.write_row(0, 0, ["文章编号", "文章类型", "中文标题", "英文标题", "正文", "国家/地区", "风险等级", "有效期至",
                        "来源链接", "发布状态"])
    ws.write_row(1, 0, ["ZJ-KB-1", "风险预警", "美国337调查新动向", "New trends in Section 337", "**要点**……", "美国",
                        "高", "2026-12-31", "https://www.usitc.gov/", "已发布"])
    ws.write_row(2, 0, ["ZJ-KB-2", "国别指南", "德国展会维权指引", "", "正文", "德国、欧盟", "", "",
                        "www.example.com", "草稿"])
    wb.close()


def csv_files() -> None:
    header = "案件编号,案件名称,国家/地区,纠纷类型,立案日期,涉案金额(美元)\n"
    body = ("ZJ-CSV-1,某电器公司337调查案,美国,337,2024-03-05,\"1,250,000\"\n"
            "ZJ-CSV-2,某鞋业展会纠纷,德国,展会禁令,2024/3/5,20000\n")
    (MESSY / "gbk.csv").write_bytes((header + body).encode("gbk"))
    (MESSY / "utf8_bom.csv").write_bytes((header + body.replace("CSV", "CSU")).encode("utf-8-sig"))


def libreoffice() -> None:
    """Office exports converted by LibreOffice: CSVs (cases; accounts, whose digit strings it turns into
    numbers, as Excel does) and a workbook with formulas."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("soffice not found: LibreOffice files not made")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / "libreoffice_formulas.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "案件"
        ws.append(["案件编号", "案件名称", "国家/地区", "纠纷类型", "中国被告数量", "涉案金额(美元)"])
        ws.append(["ZJ-LO-1", "LibreOffice 计算过的公式", "美国", "诉讼", "=2+3", "=1000*12"])
        ws.append(["ZJ-LO-2", "普通行", "Japan", "customs", 1, 500])
        wb.save(src)
        out = tmp_path / "out"
        out.mkdir()
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", "xlsx", "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
        shutil.copy(out / src.name, MESSY / "libreoffice_formulas.xlsx")
        csv_src = tmp_path / "libreoffice_from_csv.csv"
        csv_src.write_text("案件编号,案件名称,国家/地区,纠纷类型,立案日期\nZJ-LOC-1,从CSV转换的案件,英国,商标抢注,2024-03-05\n",
                           encoding="utf-8")
        accounts_src = tmp_path / "accounts_from_csv.csv"
        accounts_src.write_text("Username,Name,Role,Sub-centre,Email,Organization\n"
                                "lo.one,LibreOffice 一,企业,,lo.one@example.cn,某公司\n"
                                "lo.two,LibreOffice 二,分中心工作人员,sh,,\n"
                                "110101199003071234,身份证号,专家,,,\n"
                                "13800138000,手机号,enterprise,,,\n", encoding="utf-8")
        for source, target in ((csv_src, MESSY / "libreoffice_from_csv.xlsx"),
                               (accounts_src, ACCOUNTS / "libreoffice_from_csv.xlsx")):
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                            "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                           check=True, capture_output=True, timeout=180)
            shutil.copy(out / f"{source.stem}.xlsx", target)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", "xls", "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
        shutil.copy(out / "libreoffice_formulas.xls", HOSTILE / "old_xls_renamed.xlsx")


# --- accounts (tests/imports/test_accounts.py) ------------------------------------------------

def accounts_messy() -> None:
    """An office's list of new accounts: a hidden first sheet, a title row, headers in both languages
    with full-width brackets, role aliases, a wrong role, usernames twice (in other case and
    full-width), a username that exists, a staff row without a sub-centre, zero-width spaces."""
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "账号"   # the name the reader looks for first: hidden sheets are never read
    hidden.append(["用户名", "姓名", "角色"])
    hidden.append(["hidden.admin", "不应创建", "admin"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Sheet1")
    ws["A1"] = "2026年第一批新增账号（浙江）"
    ws.merge_cells("A1:F1")
    ws.append(["用户名（登录名）", " 姓名 ", "Role", "分中心", "E-mail", "单位名称", "备注"])
    rows = [
        ["Li.Si", "李四", "企业", None, "LI.SI@Example.cn", "某电器有限公司", "企业别名"],        # 3: fine
        ["ｗａｎｇ．ｗｕ", "王五\u200b", "分中心", "ｚｊ", "ｗａｎｇ@example.cn", None, "全角"],      # 4: fine
        ["zhao\u200b.liu", "赵六", "专家", "", None, None, "零宽空格"],                           # 5: fine
        ["qian.qi", "钱七", "管理员", None, None, None, ""],                                   # 6: fine
        ["sun.ba", "孙八", "经理", None, None, None, "错误角色"],                                # 7: bad role
        ["ＬＩ．ＳＩ", "李四二", "Sub-centre staff", "GD", None, None, "与第3行重复"],            # 8: twice
        ["STAFF", "已有账号", "企业用户", None, None, None, "已存在"],                            # 9: exists
        ["zhou.jiu", "周九", "staff", None, None, None, "缺分中心"],                              # 10: no centre
        ["wu shi", "吴十", "expert", "XX", "not-an-email", None, ""],                            # 11: three
    ]
    for row in rows:
        ws.append(row)
    wb.save(ACCOUNTS / "messy_openpyxl.xlsx")


def accounts_numbers() -> None:
    """Usernames Excel stored as numbers (XlsxWriter): a phone number is fine, an 18-digit ID lost digits."""
    wb = xlsxwriter.Workbook(str(ACCOUNTS / "numbers_xlsxwriter.xlsx"))
    ws = wb.add_worksheet("accounts")
    ws.write_row(0, 0, ["Username", "Display name", "Role", "Sub-centre code"])
    ws.write_number(1, 0, 13800138000)
    ws.write_row(1, 1, ["手机号账号", "enterprise"])
    ws.write_number(2, 0, 110101199003071234)
    ws.write_row(2, 1, ["身份证号账号", "enterprise"])
    ws.write_string(3, 0, "110101199003071235")
    ws.write_row(3, 1, ["文本身份证号", "expert"])
    wb.close()


# --- hostile -----------------------------------------------------------------------------

def _good_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["案件编号", "案件名称", "国家/地区", "纠纷类型"])
    ws.append(["ZJ-G-1", "正常", "美国", "诉讼"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def hostile() -> None:
    good = _good_xlsx()
    (HOSTILE / "empty.xlsx").write_bytes(b"")
    (HOSTILE / "csv_renamed.xlsx").write_bytes("案件编号,案件名称\nZJ-1,某案\n".encode("utf-8"))
    (HOSTILE / "html_renamed.xlsx").write_bytes(b"<html><body><table><tr><td>case</td></tr></table></body></html>")
    (HOSTILE / "truncated.xlsx").write_bytes(good[: len(good) // 2])
    # An encrypted workbook is an OLE container holding an "EncryptedPackage" stream.
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088)
    name = "EncryptedPackage".encode("utf-16-le")
    ole[1024:1024 + len(name)] = name
    (HOSTILE / "encrypted.xlsx").write_bytes(bytes(ole))
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        ct = z.read("[Content_Types].xml")
        sheet = z.read("xl/worksheets/sheet1.xml")
    macro_ct = ct.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    (HOSTILE / "macro.xlsx").write_bytes(_rezip(good, {"[Content_Types].xml": macro_ct},
                                                {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"}))
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           + (sheet.split(b"?>", 1)[1] if b"?>" in sheet else sheet))
    (HOSTILE / "xml_entities.xlsx").write_bytes(_rezip(good, {"xl/worksheets/sheet1.xml": lol}))
    # A zip bomb: a small file whose sheet unpacks to 60 MB of cells.
    row = b"".join(b'<c r="A%d"><v>1</v></c>' % i for i in range(1, 2))
    bomb = sheet.split(b"<sheetData>")[0] + b"<sheetData>" + b'<row r="1">' + row * 3_000_000 + b"</row></sheetData></worksheet>"
    (HOSTILE / "zip_bomb.xlsx").write_bytes(_rezip(good, {"xl/worksheets/sheet1.xml": bomb}))
    # One cell at A1 and one at XFD1048576: calamine would try to allocate ~550 GB.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "案件编号"
    ws["XFD1048576"] = 1
    wb.save(HOSTILE / "absurd_range.xlsx")
    # A sheet that only declares an absurd range.
    import re
    declared = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert declared != sheet
    (HOSTILE / "declared_range.xlsx").write_bytes(_rezip(good, {"xl/worksheets/sheet1.xml": declared}))
    # Strict OOXML namespace in the content types.
    (HOSTILE / "strict.xlsx").write_bytes(_rezip(good, {"[Content_Types].xml": ct.replace(
        b"http://schemas.openxmlformats.org/package/2006/content-types",
        b"http://schemas.openxmlformats.org/package/2006/content-types\" x=\"http://purl.oclc.org/ooxml/spreadsheetml/main")}))


def main() -> None:
    for folder in (MESSY, HOSTILE, ACCOUNTS):
        folder.mkdir(exist_ok=True)
    for make in (title_rows_merged_header, two_row_header, hidden_first_sheet, english_headers, number_ids,
                 error_cells, formula_no_value, ambiguous_dates, duplicates_and_other_centre, experts_multi,
                 articles, csv_files, hostile, libreoffice, accounts_messy, accounts_numbers):
        make()
    print("made", len(list(MESSY.iterdir())), "messy,", len(list(HOSTILE.iterdir())), "hostile and",
          len(list(ACCOUNTS.iterdir())), "accounts files")


if __name__ == "__main__":
    main()
