"""Export the cases of the current filter to an .xlsx workbook.

Every text cell is written with `write_string`, so nothing is ever a formula; a text
that begins like one (`=`, `+`, `-`, `@`, or a tab/carriage return) also gets Excel's
quote prefix, so editing the cell in Excel or LibreOffice keeps it inert. The rows are
those the user may see (the policy's scope), with confidential parties masked, and
at most `MAX_ROWS` of them.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from sqlalchemy import select

from ipoverseas.core import db, i18n, localtime, vocab
from ipoverseas.access.policy import Principal
from ipoverseas.cases.library import CaseFilter, conditions, mask, sub_centre_names
from ipoverseas.core.models import Case

MAX_ROWS = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: tuple[tuple[str, object], ...] = (
    ("case_ref", None), ("title", None), ("country", "country"), ("forum", vocab.FORUMS),
    ("dispute_type", vocab.DISPUTE_TYPES), ("ip_type", vocab.IP_TYPES), ("industry", vocab.INDUSTRIES),
    ("province", vocab.PROVINCES), ("chinese_party", None), ("chinese_party_role", vocab.PARTY_ROLES),
    ("opposing_party", None), ("filed_on", None), ("closed_on", None), ("status", vocab.CASE_STATUSES),
    ("outcome", vocab.OUTCOMES), ("amount_usd", None), ("defendants_count", None), ("summary", None),
    ("guidance", None), ("lessons", None), ("source", None), ("sub_centre_id", "sub_centre"),
    ("review_status", vocab.REVIEW_STATUSES), ("distinction", vocab.DISTINCTIONS),
    ("distinction_reason", None),
)


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START)


def export_cases(user: Principal | None, f: CaseFilter, lang: str = "zh", *, max_rows: int = MAX_ROWS) -> tuple[bytes, int, bool]:
    """The workbook bytes, the number of rows written, and whether the export was cut at max_rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    quoted = book.add_format({"quote_prefix": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(i18n.t("cases.export.sheet", lang)[:31])
    countries = vocab.countries()
    centres = sub_centre_names(lang)
    for col, (name, _) in enumerate(COLUMNS):
        sheet.write_string(0, col, i18n.t(f"cases.field.{name}", lang), bold)
    sheet.freeze_panes(1, 0)

    def put(row: int, col: int, value) -> None:
        if value is None or value == "":
            sheet.write_blank(row, col, None)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, float(value), money if isinstance(value, Decimal) else None)
        elif isinstance(value, (date, datetime)):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), date_fmt)
        else:
            text = str(value)[:32_000]
            sheet.write_string(row, col, text, quoted if looks_like_formula(text) else None)

    written = 0
    truncated = False
    cols = [getattr(Case, name) for name, _ in COLUMNS] + [Case.id, Case.party_confidential]
    with db.read_session() as s:
        stmt = (select(*cols).where(*conditions(s, user, f, seek=False))
                .order_by(Case.filed_on.desc().nulls_last(), Case.id.desc()).limit(max_rows + 1))
        for record in s.execute(stmt.execution_options(yield_per=2000)):
            if written == max_rows:
                truncated = True
                break
            row = mask(dict(record._mapping), user)
            written += 1
            for col, (name, kind) in enumerate(COLUMNS):
                value = row[name]
                if kind == "country":
                    value = countries.label(value, lang) if value else None
                elif kind == "sub_centre":
                    value = centres.get(value, value)
                elif isinstance(kind, vocab.Vocabulary):
                    value = kind.label(value, lang) if value else None
                put(written, col, value)
    sheet.autofilter(0, 0, max(written, 1), len(COLUMNS) - 1)

    about = book.add_worksheet(i18n.t("cases.export.about_sheet", lang)[:31])
    info = [(i18n.t("cases.export.exported_at", lang), localtime.now().strftime(localtime.FORMAT) + " " + localtime.label(lang)),
            (i18n.t("cases.export.rows", lang), str(written)),
            (i18n.t("cases.export.filter", lang), describe(f)),
            (i18n.t("cases.export.truncated", lang), i18n.t("cases.export.yes" if truncated else "cases.export.no", lang))]
    for r, (k, v) in enumerate(info):
        sheet_text(about, r, 0, k, quoted, bold)
        sheet_text(about, r, 1, v, quoted, None)
    book.close()
    return buffer.getvalue(), written, truncated


def sheet_text(sheet, row: int, col: int, value: str, quoted, fmt) -> None:
    sheet.write_string(row, col, value, quoted if looks_like_formula(value) else fmt)


def describe(f: CaseFilter) -> str:
    """The filter as readable query parameters, e.g. `country=US,DE; q=专利`."""
    params = f.to_query_params()
    return "; ".join(f"{k}={v}" for k, v in params.items()) or "-"
