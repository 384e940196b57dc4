"""The before-images the database builds (images.py) hold exactly the stored rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ipoverseas.core import db
from ipoverseas.imports import datasets as D, images, service
from ipoverseas.imports.images import restorable
from ipoverseas.core.models import Case, Expert, RecordVersion
from tests.imports.helpers import sub_centre_id, xlsx_bytes


def _stored(dataset: D.Dataset, id_: int) -> dict:
    """The row as SQLAlchemy reads it: restorable columns and sorted facets."""
    model = dataset.model
    with db.read_session() as s:
        row = s.execute(select(*[model.__table__.c[n] for n in restorable(dataset)])
                        .where(model.id == id_)).one()
        out = dict(zip(restorable(dataset), row))
        for name, facet in dataset.facets.items():
            fk, val = getattr(facet.table, facet.fk), getattr(facet.table, facet.value)
            out[name] = sorted(s.scalars(select(val).where(fk == id_)))
    return out


def _image(batch_id: int, id_: int) -> dict:
    with db.read_session() as s:
        version = s.scalar(select(RecordVersion).where(RecordVersion.batch_id == batch_id,
                                                        RecordVersion.entity_id == id_))
        assert version.action == "update" and version.user_id is None
        assert isinstance(version.created_at, datetime)
        return version.before, version.after_version


def test_a_case_image_keeps_dates_decimals_and_datetimes(demo_database):
    zj = sub_centre_id("ZJ")
    with db.read_session() as s:
        case = s.scalar(select(Case).where(Case.sub_centre_id == zj, Case.amount_usd.is_not(None),
                                           Case.filed_on.is_not(None)).order_by(Case.id).limit(1))
    dataset = D.get("cases")
    before = _stored(dataset, case.id)
    data = xlsx_bytes([["案件编号", "案件名称", "国家/地区", "纠纷类型"],
                       [case.case_ref, case.title + "（更正）", case.country, case.dispute_type]])
    _, result = service.run(data, "c.xlsx", "cases", None, zj)
    image, after_version = _image(result.batch_id, case.id)
    assert after_version == case.version + 1
    assert set(image) == set(restorable(dataset))
    assert image["filed_on"] == {"$d": before["filed_on"].isoformat()}
    assert set(image["amount_usd"]) == {"$dec"} and set(image["updated_at"]) == {"$dt"}
    # The same forms on both databases: two decimals, an ISO datetime with 'T', a JSON boolean.
    assert re.fullmatch(r"\d+\.\d{2}", image["amount_usd"]["$dec"]) and "T" in image["updated_at"]["$dt"]
    assert image["party_confidential"] in (True, False)
    restored = {name: images.value_of(value) for name, value in image.items()}
    assert isinstance(restored["filed_on"], date) and isinstance(restored["updated_at"], datetime)
    assert restored["amount_usd"].quantize(Decimal("0.01")) == before.pop("amount_usd").quantize(Decimal("0.01"))
    restored.pop("amount_usd")
    assert restored == before


def test_an_expert_image_keeps_every_facet_sorted(demo_database):
    zj = sub_centre_id("ZJ")
    with db.read_session() as s:
        expert = s.scalar(select(Expert).where(Expert.sub_centre_id == zj).order_by(Expert.id).limit(1))
    dataset = D.get("experts")
    before = _stored(dataset, expert.id)
    assert before["countries"] and before["languages"]   # the demo expert has facets to keep
    data = xlsx_bytes([["专家编号", "姓名", "擅长国家/地区", "工作语言"], [expert.expert_ref, expert.name, "德国", "德语"]])
    _, result = service.run(data, "e.xlsx", "experts", None, zj)
    image, _ = _image(result.batch_id, expert.id)
    assert set(image) == set(restorable(dataset)) | set(dataset.facets)
    assert {name: images.value_of(value) for name, value in image.items()} == before


def test_the_article_editor_restores_a_version_an_import_saved(demo_database, principal):
    """An import's before-image tags its dates ({"$d": ..}); the editor's restore reads it."""
    from ipoverseas.knowledge import articles as kb

    zj = sub_centre_id("ZJ")
    header = ["文章编号", "文章类型", "中文标题", "正文", "国家/地区", "风险等级", "有效期至"]
    first = xlsx_bytes([header, ["IMG-A1", "风险预警", "预警一", "正文一", "美国", "高", "2027-03-05"]])
    service.run(first, "a1.xlsx", "articles", None, zj)
    second = xlsx_bytes([header, ["IMG-A1", "风险预警", "预警一（更新）", "正文二", "美国", "中", "2027-06-30"]])
    _, result = service.run(second, "a2.xlsx", "articles", None, zj)
    staff = principal("staff")
    with db.read_session() as s:
        article_id, version = s.execute(select(D.get("articles").model.id, D.get("articles").model.version)
                                        .where(D.get("articles").model.ref == "IMG-A1")).one()
        saved = s.scalar(select(RecordVersion.id).where(RecordVersion.batch_id == result.batch_id))
    kb.restore_version(staff, article_id, saved, expected_version=version)
    restored = kb.get_article(staff, article_id)
    assert restored["title_zh"] == "预警一" and restored["body"] == "正文一"
    assert restored["valid_until"] == date(2027, 3, 5) and restored["severity"] == "high"
