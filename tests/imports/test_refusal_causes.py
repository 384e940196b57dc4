"""Each refusal of an oversized upload names its real cause and the limit (issue 12)."""

from __future__ import annotations

import pytest

from ipoverseas.core import config
from ipoverseas.imports import Refused, datasets as D, service
from tests.imports.helpers import CASE_HEADER, sub_centre_id

BIG = 5_000_000


def _csv_line(i: int, title: str | None = None) -> str:
    return f"CSV-{i:06d},{title or f'案件{i}'},美国,法院,诉讼,发明专利\n"


def test_a_csv_with_too_many_rows_reports_its_real_row_count(sqlite_demo_database, tmp_path):
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(CASE_HEADER[:6]) + "\n")
        for i in range(300_000):
            fh.write(_csv_line(i))
    with pytest.raises(Refused) as caught:
        service.prepare(path, path.name, "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code == "too_many_rows"
    assert caught.value.params["rows"] in (300_000, 300_001)
    assert caught.value.params["max_rows"] == config.get("upload_max_rows")
    assert "300,00" in caught.value.message("en") or "30000" in caught.value.message("en")


def test_a_csv_cell_too_long_is_named_with_its_row_column_and_limit(sqlite_demo_database, tmp_path):
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(CASE_HEADER[:6]) + "\n")
        fh.write(_csv_line(1))
        fh.write(_csv_line(2, "长" * BIG))
    prepared = service.prepare(path, path.name, "cases", None, sub_centre_id("ZJ"))
    [problem] = prepared.parsed.errors
    assert problem.code == "too_long" and problem.row == 3 and problem.column == CASE_HEADER[1]
    limit = min(D.CASES.column("title").max_len or BIG, config.get("upload_max_cell_chars"))
    assert problem.params == {"max": limit, "length": BIG}
    assert prepared.parsed.rejected == [(3, "CSV-000002")] and len(prepared.parsed.rows) == 1


def _long_cell_xlsx(path, writer: str):
    """A workbook whose cell B3 holds BIG characters. Excel and the libraries cut a cell at
    32,767 characters, so the long text is put into the written XML afterwards (as a hand-made
    or hostile file has it): openpyxl writes it inline in the sheet, XlsxWriter as a shared string."""
    import zipfile

    rows = [CASE_HEADER[:6], ["X-1", "短标题", "美国", "法院", "诉讼", "发明专利"],
            ["X-2", "LONGCELL", "美国", "法院", "诉讼", "发明专利"]]
    plain = path.with_suffix(".plain.xlsx")
    if writer == "openpyxl":
        import openpyxl

        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(plain)
    else:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(plain))
        ws = wb.add_worksheet("案件 Cases")
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write_string(r, c, v)
        wb.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info).replace(b"LONGCELL", b"a" * BIG))
    return path


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_an_xlsx_cell_too_long_is_not_called_a_zip_bomb(sqlite_demo_database, tmp_path, writer):
    path = _long_cell_xlsx(tmp_path / "long.xlsx", writer)
    with pytest.raises(Refused) as caught:
        service.prepare(path, path.name, "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code == "cell_too_long"
    params = caught.value.params
    limit = config.get("upload_max_cell_chars")
    assert params["max"] == limit and params["length"] >= BIG
    assert params["cell"] == "B3"
    for lang in ("zh", "en"):
        message = caught.value.message(lang)
        assert "B3" in message and f"{limit:,}" in message, message
    assert "zip" not in caught.value.message("en").lower()


def test_a_real_zip_bomb_is_still_one(sqlite_demo_database):
    from tests.imports.helpers import FILES

    with pytest.raises(Refused) as caught:
        service.prepare(FILES / "hostile" / "zip_bomb.xlsx", "z.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code == "zip_bomb"


def test_an_xlsx_with_too_many_rows_reports_its_real_row_count(sqlite_demo_database, tmp_path, monkeypatch):
    """Not "an absurd range": a plain sheet that is too long says how long it is and the limit."""
    from tests.imports.helpers import cases_workbook

    monkeypatch.setenv("IPOVERSEAS_UPLOAD_MAX_ROWS", "100")
    path = cases_workbook(tmp_path / "long.xlsx", 1_500)
    with pytest.raises(Refused) as caught:
        service.prepare(path, path.name, "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code == "too_many_rows"
    assert caught.value.params == {"rows": 1_501, "max_rows": 100}
