"""Rows whose key starts like the template's example ("示例…", "Example…", any case) are left out
with a warning, not imported; a key that only contains the word is an ordinary row. The reader
checks all keys in one search (read._has_example_key): with none like an example and no bad row,
it takes every row at once; otherwise it goes row by row. All three ways are tried here."""

from __future__ import annotations

import random

import pytest

from ipoverseas.imports import service
from tests.imports.helpers import case_row, sub_centre_id, write_cases_xlsx

KEYS = ["示例-001", "Example-2", "EXAMPLE3", "ABC-1", "X示例-4", "myexample-5"]
IMPORTED = {"ABC-1", "X示例-4", "myexample-5"}


@pytest.mark.parametrize("with_a_bad_row", [False, True])
def test_example_rows_are_left_out_with_a_warning(sqlite_demo_database, tmp_path, with_a_bad_row):
    rng = random.Random(5)
    rows = []
    for i, key in enumerate(KEYS):
        row = case_row(i, rng)
        row[0] = key
        rows.append(row)
    if with_a_bad_row:
        bad = case_row(99, rng)
        bad[0], bad[1] = "BAD-9", None   # a case without its title
        rows.append(bad)
    path = write_cases_xlsx(tmp_path / "examples.xlsx", rows)
    parsed = service.prepare(path, path.name, "cases", None, sub_centre_id("ZJ"), with_plan=False).parsed

    keys = {values[parsed.index("case_ref")] for _, values in parsed.rows}
    assert keys == IMPORTED
    warned = sorted(p.value for p in parsed.warnings if p.code == "example_row")
    assert warned == sorted(set(KEYS) - IMPORTED)
    assert parsed.total_rows == len(rows) - 3
    assert [key for _, key in parsed.rejected] == (["BAD-9"] if with_a_bad_row else [])


def test_without_example_or_bad_rows_every_row_is_taken_with_its_excel_row(sqlite_demo_database, tmp_path):
    rng = random.Random(6)
    rows = [case_row(i, rng, ref_prefix="FAST") for i in range(50)]
    rows[10][0] = "FAST-示例-10"   # the word inside a key: an ordinary row
    rows.insert(20, [None] * len(rows[0]))   # a blank row in between: skipped, the Excel rows go on
    path = write_cases_xlsx(tmp_path / "fast.xlsx", rows)
    parsed = service.prepare(path, path.name, "cases", None, sub_centre_id("ZJ"), with_plan=False).parsed

    assert not parsed.rejected and not [p for p in parsed.warnings if p.code == "example_row"]
    header = parsed.header_row
    expected = [(header + 1 + i + (i >= 20), row[0]) for i, row in enumerate(r for r in rows if r[0])]
    assert [(excel_row, values[parsed.index("case_ref")]) for excel_row, values in parsed.rows] == expected
    assert parsed.total_rows == 50
