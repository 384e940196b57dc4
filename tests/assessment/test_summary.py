"""The work summary draft (.docx): its tables and figures against the hand-counted world
(tests/assessment/world.py) and the scorecard, who may draft what, the one-step hand-in, and
LibreOffice's conversion to PDF."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select, update

from ipoverseas.assessment import figures, scorecard, summary
from ipoverseas.core import db, errors
from ipoverseas.core.models import AuditEvent, Case, Consultation, DutyItem, DutySubmission, DutyType
from tests.assessment.world import TODAY, YEAR, bj, build


@pytest.fixture
def world(database):
    w = build()
    with db.write_session() as s:
        s.execute(update(Consultation).where(Consultation.company == "c1").values(loss_avoided_cny=Decimal("120000.50")))
        s.add_all([
            Case(case_ref="T1", sub_centre_id=w.a, title="某灯具企业应对美国337调查", country="US",
                 dispute_type="itc_337", distinction="typical", lessons="尽早应诉，\x0b保全证据",
                 review_status="published", published_at=bj(2025, 6, 1), created_at=bj(2024, 3, 1),
                 updated_at=bj(2025, 6, 1)),
            Case(case_ref="T2", sub_centre_id=w.a, title="2024 年入选", country="DE", dispute_type="trade_fair",
                 distinction="typical", published_at=bj(2024, 6, 1), created_at=bj(2024, 3, 1),
                 updated_at=bj(2024, 6, 1)),                                          # published in 2024: not this year
            Case(case_ref="A5", sub_centre_id=w.a, title="德国展会", country="DE", dispute_type="trade_fair",
                 created_at=bj(2025, 9, 9), updated_at=bj(2025, 9, 9))])
    return w


def _doc(data: bytes):
    return Document(io.BytesIO(data))


def _rows(table) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in table.rows]


def _table_after(doc, heading: str):
    """The first table after the heading with this text."""
    body = doc.element.body
    found, tables = False, 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[1]
        if tag == "p" and "".join(child.xpath(".//w:t/text()")).strip() == heading:
            found = True
        elif tag == "tbl":
            if found:
                return doc.tables[tables]
            tables += 1
    raise AssertionError(f"no table after {heading!r}")


def test_the_figures_equal_the_hand_count(world):
    f = figures.compute(YEAR, today=TODAY)
    assert [c.code for c in f.centres] == ["A", "B", "C"]                  # D is inactive: not assessed
    assert f.cases_by_country[world.a] == {"US": 4, "DE": 1}               # A1-A4 and A5; A0, T1, T2 not in 2025
    assert f.cases_by_type[world.a] == {"litigation": 4, "trade_fair": 1}
    assert world.b not in f.cases_by_country and f.cases(world.c) == 1
    c = f.consultations[world.a]
    assert (c.asked, c.answered, c.on_time, c.due, c.rated, c.rating_sum) == (4, 2, 1, 3, 2, 8)
    assert c.losses_avoided == Decimal("120000.50") and c.mean_rating == 4.0
    assert f.outcomes[world.a] == {"settled": 1}
    assert {k: a.count for k, a in f.activities[world.a].items()} == {"training": 5, "publicity": 2,
                                                                      "publication": 1, "agency_match": 3}
    assert f.experts == {world.a: 3}
    t = f.transfers[world.a]
    assert (t.received, t.accepted, t.refused, t.on_time, t.due) == (4, 1, 1, 1, 3)
    assert [(tc.title, tc.lessons) for tc in f.typical] == [("某灯具企业应对美国337调查", "尽早应诉，\x0b保全证据")]


def test_the_on_time_share_is_the_compliance_figure(world):
    """The same rule as the service-promise compliance page, for the admin over the same year."""
    from ipoverseas.consultations import compliance
    from ipoverseas.assessment import measures
    w = measures.window(YEAR, TODAY)
    by_sc = {g["key"]: g for g in compliance.figures(world.p("admin"), date(YEAR, 1, 1), date(YEAR, 12, 31), now=w.now)}
    got = figures.compute(YEAR, today=TODAY).consultations[world.a]
    assert (got.asked, got.answered, got.on_time, got.due) == tuple(by_sc[world.a][k] for k in
                                                                    ("asked", "answered", "on_time", "due"))


def test_a_sub_centre_draft_holds_its_figures_and_the_scorecard(world):
    staff = world.p("staff_a")
    doc = _doc(summary.draft(staff, YEAR, sub_centre_id=world.a, today=TODAY))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "A分中心 2025 年度工作总结（初稿）" in text
    for heading in ("三、工作经验", "四、存在问题", "五、下一年度工作计划"):
        assert heading in text
    cases = _rows(_table_after(doc, "涉外知识产权纠纷报送情况"))
    assert cases[1] == ["5", "美国 4、德国 1", "诉讼 4、展会禁令 1"]
    assert _rows(_table_after(doc, "咨询受理与答复"))[1] == ["4", "2", "1", "3", "33.3%", "2", "4.00"]
    assert _rows(_table_after(doc, "应对效果（跟踪结果与挽回损失）"))[1] == ["1", "和解 1", "120,000.50"]
    typical = _rows(_table_after(doc, "入选典型案例"))
    assert typical[1] == ["某灯具企业应对美国337调查", "典型案例", "美国", "美国337调查", "尽早应诉，保全证据"]  # \x0b stripped
    assert len(doc.inline_shapes) == 2                                       # two charts
    fonts = doc.styles["Normal"].element.rPr.rFonts                          # Word shows Chinese in 宋体
    assert fonts.get(qn("w:eastAsia")) == "SimSun" and fonts.get(qn("w:eastAsiaTheme")) is None
    card = scorecard.compute(staff, YEAR, today=TODAY)
    row = card.row(world.a)
    for section in card.rubric.sections:
        table = _rows(_table_after(doc, f"{section.name_zh}（{section.points:g} 分）"))
        assert table[0][-3:] == ["得分", "满分", "全网络中位数"]
        assert [r[0] for r in table[1:]] == [i.name_zh for i in section.items]   # the rubric's items in order
        for line, item in zip(table[1:], section.items):
            got = row.items[item.code]
            assert line[-3] == ("暂无数据" if got.points is None else f"{got.points:g}")
            assert line[-2] == f"{item.points:g}"
            median = card.medians[item.code]
            assert line[-1] == ("—" if median is None else f"{median:g}")
    on_time = next(r for r in _rows(_table_after(doc, "纠纷应对指导（30 分）")) if r[0] == "按承诺时限办理答复")
    assert on_time[2:4] == ["33.3%", "1/3"]


def test_the_network_draft_has_a_line_per_sub_centre_and_english_on_request(world):
    doc = _doc(summary.draft(world.p("admin"), YEAR, lang="en", today=TODAY))
    assert doc.paragraphs[0].text == "Whole network: work summary 2025 (draft)"
    lines = _rows(_table_after(doc, "Foreign-related IP disputes reported"))
    assert [r[0] for r in lines[1:]] == ["Centre A", "Centre B", "Centre C", "Total"]
    assert [r[1] for r in lines[1:]] == ["5", "0", "1", "6"]
    card = scorecard.compute(None, YEAR, today=TODAY)
    reporting = _rows(_table_after(doc, "Information collection and reporting (20 points)"))
    assert len(reporting) == 1 + 2 * len(card.rows)
    for line in reporting[1:]:
        row = next(r for r in card.rows if r.name_en == line[1])
        item = next(i for i in card.rubric.items if i.name_en == line[0])
        points = row.items[item.code].points
        assert line[-2] == ("no data yet" if points is None else f"{points:g}")


def test_staff_draft_only_their_own_sub_centre(world):
    staff = world.p("staff_a")
    with pytest.raises(errors.Denied):
        summary.draft(staff, YEAR, sub_centre_id=world.b, today=TODAY)
    with pytest.raises(errors.Denied):
        summary.draft(staff, YEAR, today=TODAY)                              # the whole network: admin only
    assert summary.draft(world.p("admin"), YEAR, sub_centre_id=world.b, today=TODAY)[:2] == b"PK"
    with pytest.raises(errors.Invalid):
        summary.draft(world.p("admin"), YEAR, sub_centre_id=world.d, today=TODAY)   # inactive: not assessed


def test_hand_in_attaches_the_draft_or_the_finished_document_to_the_annual_summary(world):
    staff = world.p("staff_b")
    item_id, sub_id = summary.hand_in(staff, YEAR, world.b)
    with db.read_session() as s:
        item = s.get(DutyItem, item_id)
        assert s.get(DutyType, item.duty_type_id).code == "annual_summary"
        assert (item.sub_centre_id, item.year, item.status) == (world.b, YEAR, "submitted")
        assert s.get(DutySubmission, sub_id).file_id is not None
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.entity == "duty", AuditEvent.entity_id == item_id)) \
            == "duty.submit"
    with pytest.raises(errors.NotNow):                                       # handed in: not again until returned
        summary.hand_in(staff, YEAR, world.b, file_name="final.docx",
                        file_content=summary.draft(staff, YEAR, sub_centre_id=world.b, today=TODAY))
    with pytest.raises(errors.Denied):
        summary.hand_in(world.p("staff_a"), YEAR, world.b)
    with pytest.raises(errors.Invalid):                                      # the document checks apply
        summary.hand_in(world.p("staff_a"), YEAR, world.a, file_name="final.docx", file_content=b"not a docx")


def test_libreoffice_converts_the_draft_to_pdf(world, tmp_path):
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing in CI (apt libreoffice-writer-nogui)")
        pytest.skip("soffice is not installed here")
    path = tmp_path / "summary.docx"
    path.write_bytes(summary.draft(None, YEAR, sub_centre_id=world.a, today=TODAY))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "summary.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_the_command_writes_the_network_or_one_sub_centre(world, tmp_path, capsys, monkeypatch):
    from ipoverseas.cli import main
    from ipoverseas.core import localtime
    monkeypatch.setattr(localtime, "today", lambda: TODAY)
    out = tmp_path / "network.docx"
    assert main(["summary", str(YEAR), str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert _doc(out.read_bytes()).paragraphs[0].text == "全网络 2025 年度工作总结（初稿）"
    assert main(["summary", str(YEAR), str(tmp_path / "a.docx"), "--sub-centre", "A", "--lang", "en"]) == 0
    assert _doc((tmp_path / "a.docx").read_bytes()).paragraphs[0].text == "Centre A: work summary 2025 (draft)"
    with pytest.raises(SystemExit) as usage:     # an unknown code is a usage error, as in every command
        main(["summary", str(YEAR), str(tmp_path / "x.docx"), "--sub-centre", "NOPE"])
    assert usage.value.code == 2 and "NOPE" in capsys.readouterr().err
    assert main(["summary", "1999", str(tmp_path / "y.docx")]) == 1
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "y.docx").exists()


def test_an_override_and_a_frozen_year_show_as_the_scorecard_has_them(world):
    from ipoverseas.assessment import adjustments
    from ipoverseas.core.models import SubCentre
    admin = world.p("admin")
    adjustments.set_override(admin, YEAR, world.a, "centre_judgement", 8, "年度重点工作完成良好")
    adjustments.freeze(admin, YEAR, today=TODAY)
    with db.write_session() as s:                      # B closes after the freeze: the frozen year still lists it
        s.get(SubCentre, world.b).active = False
    doc = _doc(summary.draft(admin, YEAR, today=TODAY))
    lines = _rows(_table_after(doc, "涉外知识产权纠纷报送情况"))
    assert [r[0] for r in lines[1:]] == ["A分中心", "B分中心", "C分中心", "合计"]
    judgement = next(r for r in _rows(_table_after(doc, "中心评价（10 分）")) if r[1] == "A分中心")
    assert judgement[-2:] == ["8（经调整，计算值 —）", "10"]
