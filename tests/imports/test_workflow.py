"""All-or-nothing, idempotence, rollback, permissions, the command line and the template."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
from sqlalchemy import func, select, update

from ipoverseas.core import db
from ipoverseas.cli import main as cli
from ipoverseas.imports import Denied, Refused, report, service, template
from ipoverseas.core.models import AuditEvent, Case, Expert, ImportBatch, RecordVersion
from tests.imports.helpers import FILES, case_row, count, snapshot, sub_centre_id, write_cases_xlsx, xlsx_bytes


def _good_and_bad(tmp_path, good: int = 999, bad_at: int = 500):
    rng = random.Random(1)
    rows = [case_row(i, rng, ref_prefix="AON") for i in range(good + 1)]
    rows[bad_at][2] = "Atlantis"  # one unknown country
    return write_cases_xlsx(tmp_path / "aon.xlsx", rows)


def test_all_or_nothing_writes_nothing_for_one_bad_row(demo_database, tmp_path):
    path = _good_and_bad(tmp_path)
    zj = sub_centre_id("ZJ")
    before = snapshot()
    with pytest.raises(Refused) as caught:
        service.run(path, path.name, "cases", None, zj)
    assert caught.value.code == "has_errors" and caught.value.params["rows"] == 1
    assert snapshot() == before and count(ImportBatch) == 0
    prepared = service.prepare(path, path.name, "cases", None, zj)
    [problem] = prepared.parsed.errors
    assert (problem.row, problem.column, problem.value, problem.code) == (502, "国家/地区", "Atlantis", "bad_choice")
    # The clerk may choose to skip the rejected row instead.
    result = service.apply(prepared, None, mode=service.SKIP_INVALID)
    assert result.counts["created"] == 999
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.case_ref.like("AON-%"))) == 999
        batch = s.get(ImportBatch, result.batch_id)
        assert (batch.created_count, batch.rejected_count, batch.dataset, batch.filename) == (999, 1, "cases", "aon.xlsx")
        assert len(batch.sha256) == 64


def test_the_same_file_twice_changes_nothing(demo_database):
    path = FILES / "messy" / "title_rows_merged_header.xlsx"
    zj = sub_centre_id("ZJ")
    _, first = service.run(path, path.name, "cases", None, zj)
    after_first = snapshot()
    prepared, second = service.run(path, path.name, "cases", None, zj)
    assert second.nothing_to_do and second.batch_id is None and second.already_batch == first.batch_id
    assert snapshot() == after_first
    assert count(ImportBatch) == 1
    lines = report.summary_lines(prepared, second, "en")
    assert any("Nothing to change" in line for line in lines)


def test_update_shows_old_and_new_and_keeps_a_before_image(demo_database):
    zj = sub_centre_id("ZJ")
    data = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型", "涉案金额(美元)"],
                       ["U-1", "原名称", "美国", "诉讼", 100], ["U-2", "不变", "日本", "海关", None]])
    prepared = service.prepare(data, "u.xlsx", "cases", None, zj)
    first = service.apply(prepared, None)
    changed = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型", "涉案金额(美元)"],
                          ["U-1", "新名称", "US", "litigation", "1,000"], ["U-2", "不变", "JP", "customs", None]])
    prepared = service.prepare(changed, "u2.xlsx", "cases", None, zj)
    assert prepared.plan.counts["updated"] == 1 and prepared.plan.counts["unchanged"] == 1
    [change] = prepared.plan.updates
    assert change.key == "U-1" and change.diff["title"] == ("原名称", "新名称")
    assert str(change.diff["amount_usd"][1]) == "1000.00"
    second = service.apply(prepared, None)
    with db.read_session() as s:
        version = s.scalar(select(RecordVersion).where(RecordVersion.batch_id == second.batch_id))
        assert version.action == "update" and version.before["title"] == "原名称"
        assert s.scalar(select(Case.version).where(Case.case_ref == "U-1")) == 2
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import.apply")) == 2
    assert first.batch_id != second.batch_id


def test_rollback_restores_the_database_table_by_table(demo_database):
    zj = sub_centre_id("ZJ")
    with db.read_session() as s:
        existing = s.scalar(select(Case).where(Case.sub_centre_id == zj).order_by(Case.id).limit(1))
        expert = s.scalar(select(Expert).where(Expert.sub_centre_id == zj).order_by(Expert.id).limit(1))
    before = snapshot()
    cases = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型", "立案日期", "涉案金额(美元)"],
                        [existing.case_ref, existing.title + "（更正）", "美国", "诉讼", "2024-01-02", 5],
                        ["RB-NEW-1", "新案件", "德国", "展会", "2024-01-03", None]])
    _, a = service.run(cases, "a.xlsx", "cases", None, zj)
    assert a.counts["created"] == 1 and a.counts["updated"] == 1
    experts = xlsx_bytes([["专家编号", "姓名", "擅长国家/地区", "工作语言"],
                          [expert.expert_ref, expert.name, "美国、日本", "英语"], ["RB-E-1", "新专家", "德国", "德语"]])
    _, b = service.run(experts, "b.xlsx", "experts", None, zj)
    assert b.counts["created"] == 1 and b.counts["updated"] == 1
    assert snapshot() != before
    assert service.rollback(b.batch_id, None) == {"removed": 1, "restored": 1, "kept": []}
    assert service.rollback(a.batch_id, None) == {"removed": 1, "restored": 1, "kept": []}
    assert snapshot() == before
    with pytest.raises(Refused) as again:
        service.rollback(a.batch_id, None)
    assert again.value.code == "already_rolled_back"
    with db.read_session() as s:
        assert s.get(ImportBatch, a.batch_id).status == "rolled_back"
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import.rollback")) == 2


def test_rollback_keeps_rows_edited_after_the_batch(demo_database):
    zj = sub_centre_id("ZJ")
    data = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型"],
                       ["K-1", "一", "美国", "诉讼"], ["K-2", "二", "美国", "诉讼"], ["K-3", "三", "美国", "诉讼"]])
    _, result = service.run(data, "k.xlsx", "cases", None, zj)
    with db.write_session() as s:  # someone edits K-2 after the import
        s.execute(update(Case).where(Case.case_ref == "K-2", Case.sub_centre_id == zj)
                  .values(title="二（人工修改）", version=Case.version + 1))
    outcome = service.rollback(result.batch_id, None)
    assert outcome["removed"] == 2
    assert [(k["key"], k["reason"]) for k in outcome["kept"]] == [("K-2", "edited_after")]
    with db.read_session() as s:
        assert list(s.scalars(select(Case.title).where(Case.case_ref.in_(["K-1", "K-2", "K-3"])))) == ["二（人工修改）"]


def test_staff_cannot_import_into_or_roll_back_another_region(demo_database, principal):
    staff, staff_gd = principal("staff"), principal("staff_gd")
    gd = sub_centre_id("GD")
    data = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型"], ["P-1", "一", "美国", "诉讼"]])
    before = snapshot()
    with pytest.raises(Denied):
        service.run(data, "p.xlsx", "cases", staff, gd)
    assert snapshot() == before
    _, result = service.run(data, "p.xlsx", "cases", staff_gd, gd)
    with pytest.raises(Denied):
        service.rollback(result.batch_id, staff)
    assert service.history(staff) == [] or all(r["sub_centre"] == "ZJ" for r in service.history(staff))
    assert [r["id"] for r in service.history(staff_gd)] == [result.batch_id]


def test_rows_of_another_sub_centre_are_never_overwritten(demo_database, principal):
    staff = principal("staff")
    gd, zj = sub_centre_id("GD"), sub_centre_id("ZJ")
    with db.read_session() as s:
        gd_case = s.scalar(select(Case).where(Case.sub_centre_id == gd).limit(1))
    before = snapshot(["cases"])
    data = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型", "分中心"],
                       [gd_case.case_ref, "篡改", "美国", "诉讼", "GD"]])
    prepared, result = service.run(data, "o.xlsx", "cases", staff, zj)
    assert prepared.plan.counts["other_centre"] == 1 and result.nothing_to_do
    assert snapshot(["cases"]) == before


def test_cli_exit_codes_and_dry_run(demo_database, tmp_path, capsys, principal):
    good = FILES / "messy" / "two_row_header.xlsx"
    bad = FILES / "messy" / "number_ids.xlsx"
    assert cli(["import", "cases", str(good), "--sub-centre", "ZJ", "--dry-run", "--lang", "en"]) == 0
    assert "Plan: 2 new" in capsys.readouterr().out
    assert count(ImportBatch) == 0
    assert cli(["import", "cases", str(bad), "--sub-centre", "ZJ", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "row 3" in out and "15" in out and count(ImportBatch) == 0
    assert cli(["import", "cases", str(FILES / "hostile" / "zip_bomb.xlsx"), "--sub-centre", "ZJ"]) == 1
    assert cli(["import", "cases", str(good), "--sub-centre", "ZJ", "--lang", "en"]) == 0
    assert "Imported as batch" in capsys.readouterr().out
    assert cli(["import", "cases", str(good), "--sub-centre", "ZJ", "--lang", "en"]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert cli(["import", "cases", str(bad), "--sub-centre", "ZJ", "--skip-invalid"]) == 0
    assert cli(["import", "cases", str(good), "--sub-centre", "GD", "--user", "staff", "--lang", "en"]) == 1
    assert "own sub-centre" in capsys.readouterr().out
    assert cli(["import", "cases", str(tmp_path / "missing.xlsx"), "--sub-centre", "ZJ"]) == 2
    with pytest.raises(SystemExit) as usage:
        cli(["import", "planets", str(good), "--sub-centre", "ZJ"])
    assert usage.value.code == 2
    assert cli(["import", "cases", str(good)]) == 2   # no --sub-centre: a usage error
    batch = max(r["id"] for r in service.history(principal("admin")) if r["kind"] == "batch")
    assert cli(["rollback", str(batch), "--user", "staff_gd"]) == 1
    assert cli(["rollback", str(batch), "--lang", "en"]) == 0
    assert "rolled back" in capsys.readouterr().out
    assert cli(["rollback", str(batch)]) == 1
    out_file = tmp_path / "t.xlsx"
    assert cli(["template", "experts", str(out_file)]) == 0 and out_file.stat().st_size > 1000
    assert cli(["template", "experts", str(tmp_path / "t.txt")]) == 2


@pytest.mark.parametrize("dataset", ["cases", "experts", "articles", "accounts"])
def test_template_has_header_dropdowns_text_ids_and_instructions_with_examples(sqlite_database, dataset):
    from ipoverseas.imports import datasets as D

    spec = D.get(dataset)
    wb = openpyxl.load_workbook(io.BytesIO(template.build(dataset, "zh")))
    data = wb.worksheets[0]
    assert [c.value.rstrip("*") for c in data[1]] == [c.zh for c in spec.columns]
    assert wb["_lists"].sheet_state == "hidden"
    assert any("Instructions" in name for name in wb.sheetnames)
    lists = [dv for dv in data.data_validations.dataValidation if dv.type == "list"]
    controlled = [c for c in spec.columns if c.kind in (D.VOCAB, D.MULTI, D.BOOL)]
    assert len(lists) == len(controlled) + sum(1 for c in spec.columns if c.choices is not None and c.choices())
    key_col = [c.field for c in spec.columns].index(spec.key) + 1
    assert data.column_dimensions[openpyxl.utils.get_column_letter(key_col)].number_format == "@"
    # The data sheet is the header only: what the user types in row 2 is a record in a plain style.
    assert data.max_row == 1
    for c in range(1, len(spec.columns) + 1):
        font = data.cell(2, c).font
        grey = font.color is not None and font.color.type == "rgb" and font.color.rgb.endswith("7F7F7F")
        assert not font.italic and not grey
    # The examples are on the instructions sheet, one per column, beside its help.
    guide = wb.worksheets[1]
    header = next(r for r in guide.iter_rows(values_only=True) if r and r[0] == "列名")
    assert header[6] == "示例 Example"
    examples = {r[0]: r[6] for r in guide.iter_rows(min_row=6, values_only=True) if r[0]}
    assert set(examples) >= {c.zh for c in spec.columns}
    assert examples[spec.key_column.zh] == str(spec.key_column.example)
    assert "示例" in guide["A2"].value and "Example" in guide["A3"].value


def test_an_empty_template_imports_nothing(sqlite_demo_database):
    prepared = service.prepare(template.build("cases"), "template.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert prepared.plan.counts["created"] == 0 and not prepared.parsed.problems


def test_problem_report_is_the_uploaded_workbook_annotated(sqlite_demo_database):
    path = FILES / "messy" / "ambiguous_dates.xlsx"
    prepared = service.prepare(path.read_bytes(), path.name, "cases", None, sub_centre_id("ZJ"))
    wb = openpyxl.load_workbook(io.BytesIO(report.annotated(prepared, "en")))
    ws = wb["案件"]
    assert ws["E2"].value == "05/03/2024"                      # the user's own data, unchanged
    assert ws["E2"].fill.start_color.rgb.endswith("FFC7CE")     # highlighted
    assert "Ambiguous" in ws["E2"].comment.text                 # and commented
    problems = wb["Problems"]
    assert problems.max_row == 1 + len(prepared.parsed.problems)
    assert {r[4] for r in problems.iter_rows(min_row=2, values_only=True)} <= {"error", "note"}
    assert "error" in {r[4] for r in problems.iter_rows(min_row=2, values_only=True)}
    zh = openpyxl.load_workbook(io.BytesIO(report.annotated(prepared, "zh")))["问题清单"]
    levels = [r[4] for r in zh.iter_rows(min_row=2, values_only=True)]
    assert "错误" in levels and set(levels) <= {"错误", "提示"}   # the level in the user's language, not a code
    csv_prepared = service.prepare((FILES / "messy" / "gbk.csv").read_bytes().replace(b"337", b"xyz"), "g.csv",
                                   "cases", None, sub_centre_id("ZJ"))
    wb = openpyxl.load_workbook(io.BytesIO(report.annotated(csv_prepared, "zh")))
    assert wb.worksheets[0]["D2"].comment is not None


def test_a_changed_case_goes_back_to_review_whatever_its_status(demo_database):
    """Only the national centre publishes: a re-upload that changes a published case sends it back."""
    zj = sub_centre_id("ZJ")
    data = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型"], ["R-1", "一", "美国", "诉讼"], ["R-2", "二", "美国", "诉讼"]])
    service.run(data, "r.xlsx", "cases", None, zj)
    with db.write_session() as s:
        s.execute(update(Case).where(Case.case_ref == "R-1").values(review_status="returned"))
        s.execute(update(Case).where(Case.case_ref == "R-2").values(review_status="published"))
    changed = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型"], ["R-1", "一改", "美国", "诉讼"], ["R-2", "二改", "美国", "诉讼"]])
    _, result = service.run(changed, "r2.xlsx", "cases", None, zj)
    assert result.counts["updated"] == 2
    with db.read_session() as s:
        status = dict(s.execute(select(Case.case_ref, Case.review_status).where(Case.case_ref.in_(["R-1", "R-2"]))).all())
    assert status == {"R-1": "submitted", "R-2": "submitted"}


def test_a_blank_confidential_cell_never_unmasks_a_party(demo_database):
    zj = sub_centre_id("ZJ")
    head = ["案件编号", "案件名称", "国家/地区", "纠纷类型", "当事人保密"]
    service.run(xlsx_bytes([head, ["C-1", "一", "美国", "诉讼", "是"]]), "c.xlsx", "cases", None, zj)
    _, result = service.run(xlsx_bytes([head, ["C-1", "一改", "美国", "诉讼", None]]), "c2.xlsx", "cases", None, zj)
    assert result.counts["updated"] == 1
    with db.read_session() as s:
        assert s.scalar(select(Case.party_confidential).where(Case.case_ref == "C-1")) is True
