"""Messy case workbooks made with openpyxl, for the duplicate check (issue 17)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

HEADERS = ("案件编号", " 案件名称 ", "国家/地区", "纠纷类型", "审理机构", "立案日期", "中方当事人", "对方当事人",
           "企业所在省份", "docket number")


def workbook(rows: list[dict]) -> bytes:
    """A cases workbook in the clerks' way: a title line above the headers, stray spaces, dates as
    text in several forms, full-width characters, an English header among the Chinese."""
    wb = Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(HEADERS)
    for r in rows:
        filed = r.get("filed_on")
        if isinstance(filed, date):
            filed = r.get("filed_text", filed)
        ws.append([r["case_ref"], r["title"], r["country"], r["dispute_type"], r.get("forum"), filed,
                   r.get("chinese_party"), r.get("opposing_party"), r.get("province"), r.get("docket_no")])
    ws.append([None] * len(HEADERS))   # a blank row at the end, as workbooks have
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def messy_party(name: str) -> str:
    """The same party written by another clerk: upper case, punctuation and spaces changed."""
    return "  " + name.upper().replace(",", "").replace(".", "") + " "
