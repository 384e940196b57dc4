"""The page "转交 / Transfers" through AppTest: the admin sees every transfer with counts and
creates one from a lead; staff see their sub-centre's only, accept one (it becomes their
consultation) and refuse one with a reason; another sub-centre's transfer by id in the URL shows
"not found"; the admin sends a refused one elsewhere; others see nothing."""

import re

import pytest
from sqlalchemy import select

from ipoverseas.core import db, i18n
from ipoverseas.core.models import SubCentre, Transfer
from tests.pages.apptest import run_page, texts

NOT_FOUND = i18n.t("errors.not_found", "zh")


def _pending(code: str, kind: str = "lead") -> int:
    with db.read_session() as s:
        centre = s.scalar(select(SubCentre.id).where(SubCentre.code == code))
        return s.scalar(select(Transfer.id).where(Transfer.sub_centre_id == centre, Transfer.status == "pending",
                                                  Transfer.kind == kind).order_by(Transfer.id))


def _row(tid) -> Transfer:
    with db.read_session() as s:
        return s.get(Transfer, tid)


def test_the_admin_sees_every_transfer_with_counts_and_transfers_a_lead(sqlite_demo_database, principal):
    at = run_page("transfers", principal("admin"), lang="zh")
    assert not at.exception and at.title[0].value == "国家中心转交"
    shown = texts(at)
    assert "待接收" in shown and "超时未接收" in shown
    table = at.dataframe[0].value
    assert {"浙江分中心", "广东分中心"} <= set(table["接收分中心"]) and "—" in set(table["接收时限（北京时间）"])
    with db.read_session() as s:
        total = s.query(Transfer).count()
    assert len(table) == min(total, 50)
    at.text_input(key="transfers_company").input("测试示例贸易有限公司")
    at.selectbox(key="transfers_country").set_value("US")
    at.text_area(key="transfers_description").input("在美国被诉侵犯外观设计专利。")
    with db.read_session() as s:
        gd = s.scalar(select(SubCentre.id).where(SubCentre.code == "GD"))
    at.selectbox(key="transfers_lead_target").set_value(gd)
    at.button(key="FormSubmitter:transfers_lead_form-转交").click().run()
    assert not at.exception and "已转交" in texts(at), texts(at)
    with db.read_session() as s:
        new = s.scalar(select(Transfer).where(Transfer.company == "测试示例贸易有限公司"))
        assert new.sub_centre_id == gd and new.status == "pending"


def test_a_lead_without_its_facts_is_refused_field_by_field(sqlite_demo_database, principal):
    at = run_page("transfers", principal("admin"), lang="zh")
    at.button(key="FormSubmitter:transfers_lead_form-转交").click().run()
    shown = texts(at)
    assert "企业: 必填" in shown and "纠纷简述: 必填" in shown and "接收分中心: 请选择" in shown and "已转交" not in shown


def test_staff_see_their_own_and_accept_one_that_becomes_their_consultation(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("transfers", staff, lang="zh")
    assert not at.exception
    table = at.dataframe[0].value
    ids = {int(link.split("=")[1]) for link in table["#"]}
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
        assert ids and {s.get(Transfer, i).sub_centre_id for i in ids} == {zj}
        assert len(ids) == s.query(Transfer).filter(Transfer.sub_centre_id == zj).count()
    tid = _pending("ZJ")
    at = run_page("transfers", staff, lang="zh", query={"transfer": str(tid)})
    assert not at.exception and f"转交 #{tid}" in texts(at) and "个工作日" in texts(at)
    at.button(key="transfers_accept").click().run()
    assert not at.exception and "已接收，已成为本分中心的咨询" in texts(at)
    row = _row(tid)
    assert row.status == "accepted" and row.result_consultation_id
    at = run_page("transfers", staff, lang="zh", query={"transfer": str(tid)})
    links = [(link.proto.page, link.proto.query_string) for link in at.get("page_link")]
    assert ("consultations", f"consultation={row.result_consultation_id}") in links


def test_staff_refuse_with_a_reason(sqlite_demo_database, principal):
    tid = _pending("ZJ", "consultation")
    at = run_page("transfers", principal("staff"), lang="zh", query={"transfer": str(tid)})
    assert re.search(r"原分中心\*\*: \S+分中心", "\n".join(str(m.value) for m in at.markdown))   # a name, not a code
    at.button(key="FormSubmitter:transfers_refuse_form-退回").click().run()
    assert "退回理由: 必填" in texts(at) and _row(tid).status == "pending"
    at.text_area(key="transfers_reason").input("本中心暂无熟悉该国程序的专家。")
    at.button(key="FormSubmitter:transfers_refuse_form-退回").click().run()
    assert not at.exception and _row(tid).status == "refused"


@pytest.mark.parametrize("who", ["staff", "staff_gd"])
def test_another_sub_centres_transfer_by_id_in_the_url_is_not_found(sqlite_demo_database, principal, who):
    other = _pending("GD" if who == "staff" else "ZJ")
    at = run_page("transfers", principal(who), lang="zh", query={"transfer": str(other)})
    assert not at.exception and NOT_FOUND in texts(at)
    assert not at.button or all(b.key != "transfers_accept" for b in at.button)
    with db.read_session() as s:
        company = s.get(Transfer, other).company
    assert company not in texts(at)


def test_the_admin_sends_a_refused_transfer_elsewhere(sqlite_demo_database, principal):
    with db.read_session() as s:
        refused = s.scalar(select(Transfer.id).where(Transfer.status == "refused", Transfer.next_id.is_(None),
                                                     Transfer.kind == "lead").order_by(Transfer.id))
        js = s.scalar(select(SubCentre.id).where(SubCentre.code == "JS"))
    at = run_page("transfers", principal("admin"), lang="zh", query={"transfer": str(refused)})
    assert "退回理由" in texts(at)
    at.selectbox(key="transfers_retransfer_target").set_value(js)
    at.button(key="FormSubmitter:transfers_retransfer_form-改转").click().run()
    assert not at.exception and "已转交" in texts(at)
    assert _row(_row(refused).next_id).sub_centre_id == js


@pytest.mark.parametrize("who", ["expert", "enterprise"])
def test_others_see_nothing_of_transfers(sqlite_demo_database, principal, who):
    at = run_page("transfers", principal(who), lang="zh")
    assert not at.dataframe and not at.title


def test_user_written_text_of_a_transfer_shows_literally(sqlite_demo_database, principal):
    from ipoverseas.network import transfers

    hostile = "![](http://127.0.0.77:9/x.png) **bold** <img src=x>"
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
    tid = transfers.create(principal("admin"), sub_centre_id=zj, note=hostile,
                           lead=transfers.Lead(hostile, "US", hostile, None, hostile))
    at = run_page("transfers", principal("staff"), lang="zh", query={"transfer": str(tid)})
    assert not at.exception
    md = "\n".join(str(m.value) for m in at.markdown)
    assert "![](http://127.0.0.77:9/x.png)" not in md and "http://127.0.0.77:9/x.png" in texts(at)
    assert [t.value for t in at.text].count(hostile) == 2          # the description and the note, as plain text
