"""The sub-centres' activities (`network.activities`): recorded in the app with evidence, listed and
counted per sub-centre, kind and month in SQL, published knowledge-base articles counted as
publications, exported to xlsx, permissions across sub-centres, and uploaded in bulk through the
one import pipeline (messy workbooks, LibreOffice's too; history and rollback); SQLite and PostgreSQL."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from ipoverseas.audit import query as audit_query
from ipoverseas.core import db, errors
from ipoverseas.core.models import Activity, Article, ImportBatch, StoredFile
from ipoverseas.demo import documents as make
from ipoverseas.imports import service
from ipoverseas.network import activities as A
from tests.consultations.helpers import build_world


@pytest.fixture
def world(database):
    return build_world()


def _form(**over) -> A.ActivityForm:
    values = dict(held_on=date(2026, 5, 20), kind="training", title="海外展会知识产权培训", city="宁波",
                  participants=120, enterprises_reached=45, industries=["electronics"], countries=["US", "DE"])
    values.update(over)
    return A.ActivityForm(**values)


def _count(model) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_staff_record_an_activity_with_evidence_and_it_is_audited(world):
    staff = world.p("staff_zj")
    pdf = make.pdf(["sign-in sheet"])
    aid = A.add(staff, None, _form(), files=[("签到表.pdf", pdf)])
    got = A.get(staff, aid)
    assert (got["sub_centre_id"], got["kind"], got["participants"], got["countries"]) == (world.zj, "training", 120, ["DE", "US"])
    assert got["activity_ref"].startswith("HD-20260520-") and got["files"][0]["name"] == "签到表.pdf"
    assert A.evidence(staff, aid, got["files"][0]["id"])[2] == pdf
    A.update(staff, aid, _form(participants=130, countries=["US"]), expected_version=got["version"])
    with pytest.raises(errors.Stale):
        A.update(staff, aid, _form(participants=140), expected_version=got["version"])
    history = audit_query.history(world.p("admin"), "activity", aid)
    assert [h["what"] for h in history] == ["activity.update", "activity.create"]
    assert A.get(staff, aid)["participants"] == 130


@pytest.mark.parametrize("over, field", [
    ({"kind": ""}, "kind"), ({"title": "  "}, "title"), ({"held_on": None}, "held_on"),
    ({"participants": "-3"}, "participants"), ({"enterprises_reached": 2.5}, "enterprises_reached"),
    ({"article_url": "javascript:alert(1)"}, "article_url"),
])
def test_bad_input_names_the_field_and_writes_nothing(world, over, field):
    with pytest.raises(errors.Invalid) as refused:
        A.add(world.p("staff_zj"), None, _form(**over))
    assert field in [p.field for p in refused.value.problems]
    assert _count(Activity) == 0


def test_a_hostile_evidence_file_is_refused_and_nothing_is_stored(world):
    with pytest.raises(errors.Invalid) as refused:
        A.add(world.p("staff_zj"), None, _form(), files=[("photos.pdf", b"MZ\x90\x00" + b"\x00" * 500)])
    assert refused.value.key == "reports.doc.wrong_type_program"
    assert _count(Activity) == 0 and _count(StoredFile) == 0


def test_one_sub_centre_cannot_see_or_record_anothers(world):
    zj = A.add(world.p("staff_zj"), None, _form())
    gd_staff = world.p("staff_gd")
    with pytest.raises(errors.NotFound):
        A.get(gd_staff, zj)
    with pytest.raises(errors.NotFound):
        A.update(gd_staff, zj, _form(title="改"), expected_version=1)
    with pytest.raises(errors.Denied):
        A.add(gd_staff, world.zj, _form())
    assert A.browse(gd_staff, A.ActivityFilter(year=2026))["total"] == 0
    for outsider in ("ent_a", "exp_best"):
        with pytest.raises(errors.Denied):
            A.browse(world.p(outsider))
        with pytest.raises(errors.NotFound):
            A.get(world.p(outsider), zj)
    assert A.browse(world.p("admin"), A.ActivityFilter(year=2026))["total"] == 1


def test_counts_per_sub_centre_kind_and_month_and_articles_count_as_publications(world):
    staff_zj, staff_gd, admin = world.p("staff_zj"), world.p("staff_gd"), world.p("admin")
    A.add(staff_zj, None, _form())
    A.add(staff_zj, None, _form(held_on=date(2026, 6, 3), kind="publicity", participants=80, enterprises_reached=None))
    A.add(staff_gd, None, _form(held_on=date(2026, 6, 9), kind="agency_match", participants=None))
    A.add(staff_zj, None, _form(held_on=date(2025, 12, 30)))       # last year
    with db.write_session() as s:
        s.add(Article(ref="KB-1", sub_centre_id=world.zj, kind="practice_guide", title_zh="出口企业海外知识产权风险报告",
                      status="published", published_on=date(2026, 6, 15)))
        s.add(Article(ref="KB-2", sub_centre_id=world.zj, kind="practice_guide", title_zh="草稿", status="draft",
                      published_on=date(2026, 6, 16)))
    year = A.browse(admin, A.ActivityFilter(year=2026))
    assert year["total"] == 4
    assert year["by_kind"] == {"training": 1, "publicity": 1, "publication": 1, "funding_help": 0, "agency_match": 1,
                               "other": 0}
    assert year["by_month"] == {"2026-05": 1, "2026-06": 3}
    zj = next(r for r in year["by_sub_centre"] if r["sub_centre_id"] == world.zj)
    assert (zj["total"], zj["publication"], zj["participants"], zj["enterprises_reached"]) == (3, 1, 200, 45)
    published = [r for r in year["rows"] if r["source"] == "knowledge_base"]
    assert [r["title"] for r in published] == ["出口企业海外知识产权风险报告"]
    june_publications = A.browse(admin, A.ActivityFilter(year=2026, month=6, kinds=("publication",)))
    assert june_publications["total"] == 1
    assert A.browse(staff_gd, A.ActivityFilter(year=2026))["by_kind"]["publication"] == 0   # Zhejiang's article
    trainings = A.browse(admin, A.ActivityFilter(year=2026, kinds=("training",)))
    assert trainings["total"] == 1 and trainings["rows"][0]["kind"] == "training"


def test_the_export_is_the_filtered_list_with_formulas_neutralised(world):
    A.add(world.p("staff_zj"), None, _form(title="=HYPERLINK(\"http://x\")"))
    data = A.export_xlsx(world.p("admin"), A.ActivityFilter(year=2026), lang="zh")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.values)
    assert rows[0][:4] == ("分中心", "日期", "活动类型", "名称")
    assert rows[1][2] == "培训" and rows[1][3].startswith("'=") and len(rows) == 2


def _messy_workbook(path):
    """As an office sends it: a title row, a blank row, Chinese dates, numbers as text, spaces."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["浙江分中心 2026 年工作活动登记表"])
    ws.append([])
    ws.append(["活动编号", " 日期 ", "活动类型", "活动名称", "城市", "参加人数", "覆盖企业数", "行业", "国家"])
    ws.append(["ZJ-A-1", "2026年5月20日", "培训", "展会知识产权培训", "宁波", " 120 ", 45, "电子信息", "美国、德国"])
    ws.append(["ZJ-A-2", date(2026, 6, 3), "宣传", "出海企业宣讲会", "杭州", 80, None, "纺织服装", ""])
    ws.append(["ZJ-A-3", "2026-06-31", "培训", "日期有误的一行", "杭州", "很多", None, None, None])
    wb.save(path)
    return path


def test_bulk_upload_through_the_import_pipeline_with_history_and_rollback(world, tmp_path):
    path = _messy_workbook(tmp_path / "活动登记.xlsx")
    with pytest.raises(errors.Refusal):
        service.run(path, path.name, "activities", None, world.zj)                # all or nothing: one bad row
    assert _count(Activity) == 0
    prepared = service.prepare(path, path.name, "activities", None, world.zj)
    problems = {(p.row, p.column.strip()) for p in prepared.parsed.errors}   # the header as written
    assert problems == {(6, "日期"), (6, "参加人数")}
    result = service.apply(prepared, None, mode=service.SKIP_INVALID)
    assert result.counts["created"] == 2
    rows = A.browse(world.p("staff_zj"), A.ActivityFilter(year=2026))
    assert rows["by_kind"]["training"] == 1 and rows["by_kind"]["publicity"] == 1
    first = A.get(world.p("staff_zj"), next(r["id"] for r in rows["rows"] if r["title"] == "展会知识产权培训"))
    assert (first["held_on"], first["participants"], first["countries"]) == (date(2026, 5, 20), 120, ["DE", "US"])
    with db.read_session() as s:
        assert s.get(ImportBatch, result.batch_id).dataset == "activities"
    service.rollback(result.batch_id, None)
    assert _count(Activity) == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_workbook_saved_by_libreoffice_uploads(world, tmp_path):
    source = tmp_path / "activities.csv"
    source.write_text("活动编号,日期,活动类型,名称,城市,参加人数\nLO-1,2026/7/8,培训,LibreOffice 导出的培训,温州,66\n"
                      "LO-2,2026-07-09,对接服务机构,服务机构对接会,温州,\n", encoding="utf-8")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    path = tmp_path / "activities.xlsx"
    _, result = service.run(path, path.name, "activities", None, world.zj)
    assert result.counts["created"] == 2
    assert A.browse(world.p("admin"), A.ActivityFilter(year=2026, month=7))["by_kind"]["agency_match"] == 1
