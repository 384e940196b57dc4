"""The template workbook of a dataset (XlsxWriter).

A data sheet with the header in Chinese (English below it as a comment), a dropdown
on every controlled column (from a hidden lists sheet: a vocabulary, or values read from
the database such as the active sub-centres), ID columns formatted as text, and nothing
else: its first row is the user's first record. The instructions sheet explains each column
with an example value (an example row on the data sheet kept its grey italics when typed over,
so the first real record looked like an example).
"""

from __future__ import annotations

import io

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ipoverseas.core import i18n
from . import datasets as D

DATA_ROWS = 5_000   # rows that carry the dropdowns and text formats


def sheet_name(dataset: D.Dataset) -> str:
    return {"cases": "案件 Cases", "experts": "专家 Experts", "articles": "文章 Articles", "activities": "活动 Activities",
            "accounts": "账号 Accounts"}[dataset.name]


def build(dataset_name: str, lang: str = "zh") -> bytes:
    dataset = D.get(dataset_name)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    head_req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top"})
    text_fmt = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    data = wb.add_worksheet(sheet_name(dataset))
    guide = wb.add_worksheet("填写说明 Instructions")
    lists = wb.add_worksheet("_lists")
    lists.hide()

    list_col = 0
    for c, col in enumerate(dataset.columns):
        data.write_string(0, c, col.zh + ("*" if col.required else ""), head_req if col.required else head)
        data.write_comment(0, c, f"{col.en}\n{col.help_zh}\n{col.help_en}", {"x_scale": 2, "y_scale": 1.5})
        width = 28 if col.kind in (D.LONGTEXT,) else 16
        fmt = text_fmt if col.kind in (D.ID, D.TEXT, D.LONGTEXT, D.VOCAB, D.MULTI, D.EMAIL, D.URL) else (
            date_fmt if col.kind == D.DATE else None)
        data.set_column(c, c, width, fmt)
        if col.kind == D.ID:
            data.data_validation(1, c, DATA_ROWS, c, {"validate": "length", "criteria": "<=", "value": col.max_len or 64,
                                                     "ignore_blank": True})
        vocabulary = col.vocab if col.kind in (D.VOCAB, D.MULTI) else None
        if col.kind == D.BOOL:
            labels = ["是", "否"]
        elif vocabulary is not None:
            labels = [t.zh for t in vocabulary]
        elif col.choices is not None:
            labels = col.choices() or None
        else:
            labels = None
        if labels:
            letter = xl_col_to_name(list_col)
            lists.write_string(0, list_col, col.zh)
            for r, label in enumerate(labels, start=1):
                lists.write_string(r, list_col, label)
            source = f"='_lists'!${letter}$2:${letter}${len(labels) + 1}"
            data.data_validation(1, c, DATA_ROWS, c, {
                "validate": "list", "source": source,
                # several values in one cell are fine for multi-valued columns: warn, do not stop
                "error_type": "information" if col.kind == D.MULTI else "stop",
                "error_title": col.zh, "error_message": col.help_zh[:250],
                "input_title": col.zh[:32], "input_message": (col.help_zh + " " + col.help_en)[:250]})
            list_col += 1
    data.freeze_panes(1, 1)
    data.set_row(0, 32)

    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 26)
    guide.set_column(2, 3, 12)
    guide.set_column(4, 5, 60, wrap)
    guide.set_column(6, 6, 28, wrap)
    title = i18n.t(f"upload.template.title.{dataset.name}", lang)
    guide.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    intro = f"upload.template.intro.{dataset.name}"   # what differs for a dataset, or the common words
    if intro not in i18n.catalogue("zh"):
        intro = "upload.template.intro"
    guide.write_string(1, 0, i18n.t(intro, "zh"))
    guide.write_string(2, 0, i18n.t(intro, "en"))
    cols = ["列名", "Column", "必填 Required", "类型 Kind", "说明", "Help", "示例 Example"]
    for c, name in enumerate(cols):
        guide.write_string(4, c, name, head)
    for r, col in enumerate(dataset.columns, start=5):
        guide.write_string(r, 0, col.zh)
        guide.write_string(r, 1, col.en)
        guide.write_string(r, 2, "是 yes" if col.required else "否 no")
        guide.write_string(r, 3, i18n.t(f"upload.kind.{col.kind}", "zh") + " / " + i18n.t(f"upload.kind.{col.kind}", "en"))
        guide.write_string(r, 4, col.help_zh)
        guide.write_string(r, 5, col.help_en)
        if col.example not in (None, ""):
            guide.write_string(r, 6, str(col.example))
    wb.close()
    return buf.getvalue()


def write(dataset_name: str, path, lang: str = "zh") -> None:
    with open(path, "wb") as fh:
        fh.write(build(dataset_name, lang))
