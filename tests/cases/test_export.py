"""Export of the current filter to .xlsx: formula-like cells neutralised, scope and masking kept, bounded."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select, update

from ipoverseas.cases import library, export
from ipoverseas.core import db
from ipoverseas.cases.library import CaseFilter
from ipoverseas.core.models import Case

NASTY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "=cmd|' /C calc'!A0"]


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_cells_that_begin_like_a_formula_are_neutralised(demo_database, principal):
    admin = principal("admin")
    with db.write_session() as s:
        ids = s.scalars(select(Case.id).order_by(Case.id).limit(len(NASTY))).all()
        for cid, nasty in zip(ids, NASTY):
            s.execute(update(Case).where(Case.id == cid).values(title=nasty, opposing_party=nasty, lessons=nasty))
    data, n, truncated = export.export_cases(admin, CaseFilter(), "en")
    assert n > len(NASTY) and not truncated
    sheet = _book(data).worksheets[0]
    found = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value in NASTY:
                found += 1
                assert cell.data_type == "s"
                assert cell.quotePrefix, cell.coordinate
    assert found == 3 * len(NASTY)
    # and the raw XML holds no formula element at all
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_export_follows_the_filter_scope_and_masking(demo_database, principal):
    ent = principal("enterprise")
    with db.write_session() as s:
        cid = s.scalar(select(Case.id).where(Case.review_status == "published").order_by(Case.id).limit(1))
        s.execute(update(Case).where(Case.id == cid).values(party_confidential=True, chinese_party="保密企业甲"))
        country = s.scalar(select(Case.country).where(Case.id == cid))
    f = CaseFilter(countries=(country,))
    data, n, _ = export.export_cases(ent, f, "zh")
    assert n == library.count(ent, f)
    sheet = _book(data).worksheets[0]
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert "保密企业甲" not in values and library.MASKED in values
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "案件编号" or headers[0]  # zh header present
    assert sheet.max_row == n + 1
    about = _book(data).worksheets[1]
    assert any("country=" in str(c.value) for row in about.iter_rows() for c in row)


def test_export_is_bounded(demo_database, principal):
    data, n, truncated = export.export_cases(principal("admin"), CaseFilter(), "en", max_rows=10)
    assert n == 10 and truncated
    assert _book(data).worksheets[0].max_row == 11


@pytest.mark.parametrize("value,expected", [("=1", True), ("+", True), ("-x", True), ("@a", True),
                                            ("a=1", False), ("专利", False), ("", False)])
def test_looks_like_formula(value, expected):
    assert export.looks_like_formula(value) is expected
