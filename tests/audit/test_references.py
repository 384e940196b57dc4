"""An audit detail that names a sub-centre, an expert or a user by id reads as its name, in a
record's history, the audit log and its export; an id whose record is gone stays an id."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from ipoverseas.audit import labels, query
from ipoverseas.core import db
from ipoverseas.core.models import SubCentre
from ipoverseas.network import duties
from tests.consultations.helpers import build_world


def _hand_to(world, sub_centre_id):
    admin = world.p("admin")
    monthly = next(t for t in duties.duty_types() if t["code"] == "monthly_status")
    form = duties.DutyTypeForm(**{k: monthly[k] for k in duties.TYPE_FIELDS if k != "position"})
    form.owner_sub_centre_id = sub_centre_id
    duties.save_duty_type(admin, form, monthly["id"])
    return monthly["id"]


def test_a_sub_centre_named_by_id_reads_as_its_name_in_history_log_and_export(database):
    world = build_world()
    with db.read_session() as s:
        name_zh, name_en = s.execute(select(SubCentre.name_zh, SubCentre.name_en).where(SubCentre.id == world.gd)).one()
    type_id = _hand_to(world, world.gd)
    admin = world.p("admin")
    change = query.history(admin, "duty_type", type_id)[0]["change"]
    assert f"{name_zh} (#{world.gd})" in change and "→" in change
    assert f"{name_en} (#{world.gd})" in query.history(admin, "duty_type", type_id, lang="en")[0]["change"]
    rows, _ = query.search(admin, query.AuditFilter(entity="duty_type"), offset=0, limit=10)
    assert f"{name_zh} (#{world.gd})" in query.summary(rows[0]["detail"], "zh", "duty_type",
                                                       query.names_in([r["detail"] for r in rows]))
    book = openpyxl.load_workbook(io.BytesIO(query.export_xlsx(admin, query.AuditFilter(entity="duty_type"))))
    cells = [c.value for row in book.active.iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, str) and f"{name_zh} (#{world.gd})" in v for v in cells)


def test_without_names_or_for_a_record_gone_the_id_stays():
    detail = {"before": {"owner_sub_centre_id": None}, "after": {"owner_sub_centre_id": 999}}
    assert labels.text(detail, "zh", "duty_type") == labels.text(detail, "zh", "duty_type", {"sub_centre_id": {}})
    assert "999" in labels.text(detail, "zh", "duty_type", {"owner_sub_centre_id": {1: "x"}})
    named = labels.text(detail, "zh", "duty_type", {"owner_sub_centre_id": {999: "浙江分中心"}})
    assert "浙江分中心 (#999)" in named
