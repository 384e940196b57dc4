"""Every hostile file is refused with its own clear message, nothing is written, and the process lives on."""

from __future__ import annotations

import os

import pytest

from ipoverseas.core import i18n
from ipoverseas.imports import Refused, sandbox, service
from ipoverseas.imports.preflight import Package, SheetInfo
from ipoverseas.core.models import Case, ImportBatch
from tests.imports.helpers import FILES, count, sub_centre_id

HOSTILE = FILES / "hostile"

EXPECTED = {
    "empty.xlsx": "empty",
    "csv_renamed.xlsx": "not_workbook",
    "html_renamed.xlsx": "html",
    "old_xls_renamed.xlsx": "old_xls",
    "encrypted.xlsx": "encrypted",
    "macro.xlsx": "macro",
    "truncated.xlsx": "truncated",
    "zip_bomb.xlsx": "zip_bomb",
    "xml_entities.xlsx": "xml_entities",
    "absurd_range.xlsx": "absurd_range",
    "declared_range.xlsx": "absurd_range",
    "strict.xlsx": "strict",
}


def test_every_hostile_file_has_an_expectation():
    assert {p.name for p in HOSTILE.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused_and_nothing_is_written(sqlite_demo_database, name):
    zj = sub_centre_id("ZJ")
    cases_before = count(Case)
    with pytest.raises(Refused) as caught:
        service.run(HOSTILE / name, name, "cases", None, zj)
    assert caught.value.code == EXPECTED[name]
    for lang in ("zh", "en"):
        message = caught.value.message(lang)
        assert message != caught.value.key and "{" not in message
    assert count(Case) == cases_before and count(ImportBatch) == 0
    # ... and the process still serves: a good file goes through right after.
    _, result = service.run(FILES / "messy" / "hidden_first_sheet.xlsx", "ok.xlsx", "cases", None, zj)
    assert result.counts["created"] == 1


def test_file_over_the_size_limit(sqlite_demo_database, monkeypatch, tmp_path):
    monkeypatch.setenv("IPOVERSEAS_UPLOAD_MAX_MB", "1")
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + os.urandom(2 * 1024 * 1024))
    with pytest.raises(Refused) as caught:
        service.prepare(big, "big.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code == "too_big"
    assert "2.0" in caught.value.message("en") and "1 MB" in caught.value.message("en")


def test_row_limit_is_a_setting(sqlite_demo_database, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_UPLOAD_MAX_ROWS", "3")
    with pytest.raises(Refused) as caught:
        service.prepare(FILES / "messy" / "title_rows_merged_header.xlsx", "t.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code in ("too_many_rows", "absurd_range")


def test_cell_length_limit_is_a_setting(sqlite_demo_database, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_UPLOAD_MAX_CELL_CHARS", "5")
    prepared = service.prepare(FILES / "messy" / "two_row_header.xlsx", "t.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert {p.code for p in prepared.parsed.errors} == {"too_long"}


@pytest.mark.parametrize("dimension", [b'<dimension ref="A1:A2" />', b""], ids=["lying", "none"])
def test_an_absurd_range_the_package_check_cannot_see_is_refused_with_its_message(sqlite_demo_database, tmp_path,
                                                                                  dimension):
    """A declared range that lies: the package check passes, the reader starts and calamine
    aborts on the cell at XFD1048576, and the scan of the cells, run meanwhile, gives the user
    the reason. No declared range: the scan runs before the reader starts."""
    import zipfile

    from ipoverseas.imports import preflight

    path = tmp_path / "undeclared.xlsx"
    with zipfile.ZipFile(HOSTILE / "absurd_range.xlsx") as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:XFD1048576" />', dimension)
            dst.writestr(info.filename, data)
    package = preflight.check_package(path, path.name)  # passes: what is declared is within the limits
    assert preflight.declared(package) == bool(dimension)
    cases_before = count(Case)
    with pytest.raises(Refused) as caught:
        service.run(path, path.name, "cases", None, sub_centre_id("ZJ"))
    assert caught.value.code == "absurd_range"
    assert count(Case) == cases_before and count(ImportBatch) == 0


def test_calamine_abort_on_an_absurd_range_does_not_reach_the_parent(tmp_path):
    """Without the pre-flight, calamine aborts (SIGABRT) on this file: only the child dies."""
    path = HOSTILE / "absurd_range.xlsx"
    package = Package("xlsx", path.stat().st_size, [SheetInfo("Sheet", True, "xl/worksheets/sheet1.xml")])
    limits = {"max_rows": 2_000_000, "max_cell_chars": 100, "max_bytes": 10**9, "max_uncompressed": 10**10}
    with pytest.raises(Refused) as caught:
        sandbox.run("ipoverseas.imports.read.parse", str(path), path.name, "cases", package, limits, memory_mb=1024)
    assert caught.value.code in ("crashed", "too_complex", "too_many_rows", "unreadable")
    assert os.getpid()  # still here


def test_a_crash_a_memory_blowup_and_a_hang_in_the_reader_become_refusals():
    with pytest.raises(Refused) as crash:
        sandbox.run("os.abort")
    assert crash.value.code == "crashed"
    with pytest.raises(Refused) as memory:
        sandbox.run("tests.imports.helpers.allocate", 4096, memory_mb=512)
    assert memory.value.code == "too_complex"
    with pytest.raises(Refused) as hang:
        sandbox.run("time.sleep", 30, timeout=2)
    assert hang.value.code == "timeout"
    assert i18n.t("upload.refused.crashed", "en") != "upload.refused.crashed"


def test_a_result_that_runs_out_of_memory_while_it_is_sent_is_too_complex():
    """The child pickles straight into the pipe: part of the result is out when memory runs short.
    Its exit code says so, and the parent, left with a cut result, refuses the file as too complex."""
    with pytest.raises(Refused) as caught:
        sandbox.run("tests.imports.helpers.result_that_runs_out_of_memory_when_pickled")
    assert caught.value.code == "too_complex"
