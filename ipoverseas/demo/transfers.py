"""Demo transfers from the national centre (`network.transfers`): disputes handed to the demo
sub-centres in every state — pending (some overdue), accepted (a lead that became a consultation of
the sub-centre, or a consultation moved there), refused with a reason (some sent elsewhere
since), withdrawn. Placed relative to the moment of loading, so the acceptance clock always has
something current to show. Every row is `is_demo`; `remove()` deletes them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ipoverseas.consultations import calendar, clock, workflow
from ipoverseas.core import config
from ipoverseas.core.models import Consultation, ConsultationEvent, Transfer, User

# (company, country, what happened, days until the enterprise's deadline or None, contact)
LEADS = (
    ("杭州示例照明科技有限公司", "US", "美国专利权人在得州东区法院起诉其 LED 灯丝灯侵犯发明专利，已收到传票，需 21 天内答辩。", 18,
     "王经理 0571-8800 0001"),
    ("宁波示例小家电有限公司", "DE", "在科隆展会上收到德国竞争对手申请的临时禁令，展品被要求下架。", 5, "李女士 0574-8700 0002"),
    ("深圳示例无人机有限公司", "US", "被列入 Schedule A 诉讼被告名单，亚马逊店铺资金被冻结。", 10, "陈先生 0755-2600 0003"),
    ("东莞示例电池有限公司", "EU", "欧盟海关以涉嫌侵犯外观设计为由扣押一批储能电池，需 10 个工作日内回应。", 9, "刘经理 0769-2200 0004"),
    ("佛山示例家具有限公司", "GB", "英国买家转来权利人警告函，指控沙发外观侵犯其注册外观设计。", 25, ""),
    ("苏州示例机床有限公司", "JP", "日本企业来函主张其数控系统侵犯发明专利，要求支付许可费。", None, "周工 0512-6600 0006"),
    ("温州示例鞋业有限公司", "BR", "巴西商标被当地代理商抢注，产品清关受阻。", 30, "郑总 0577-8800 0007"),
    ("义乌示例饰品有限公司", "US", "TRO 冻结 PayPal 账户，原告主张版权侵权。", 7, "吴女士 0579-8500 0008"),
    ("厦门示例运动器材有限公司", "AU", "澳大利亚竞争对手起诉其健身器材侵犯创新专利。", 28, ""),
    ("青岛示例轮胎有限公司", "IN", "印度海关暂扣轮胎，权利人主张花纹外观设计侵权。", 12, "孙经理 0532-8000 0010"),
    ("合肥示例显示科技有限公司", "KR", "韩国企业提起专利无效宣告后又发起侵权诉讼。", None, "何先生 0551-6300 0011"),
    ("成都示例软件有限公司", "US", "被指控盗用前雇主商业秘密，美国法院发出证据保全令。", 15, "杨女士 028-8500 0012"),
    ("长沙示例工程机械有限公司", "FR", "法国展会上被采取侵权扣押（saisie-contrefaçon），需尽快评估应对。", 6, "黄工 0731-8800 0013"),
    ("天津示例自行车有限公司", "NL", "荷兰法院对其电动自行车发出临时禁令。", 11, ""),
)
NOTES = ("请尽快联系企业，评估应诉方案。", "企业所在地属贵中心服务范围，请接收并跟进。", "时限紧，请优先处理。",
         "国家中心接到企业来电，转贵中心对接。", "")
REFUSALS = ("该企业不在本分中心服务区域，建议转交企业注册地分中心。", "本中心暂无熟悉该国程序的专家，建议转交其他分中心。",
            "企业已委托律师处理，无需本中心介入。")

# (state, target, lead index or None for a consultation, days ago the transfer was made)
PLAN = (
    ("pending", "ZJ", 0, 0.2), ("pending", "ZJ", 1, 1.0), ("pending", "ZJ", 2, 6.0), ("pending", "GD", 3, 0.5),
    ("pending", "GD", 4, 5.0), ("pending", "JS", 5, 2.0), ("pending", "SH", None, 1.5), ("pending", "ZJ", None, 0.8),
    ("accepted", "ZJ", 6, 1.2), ("accepted", "GD", 7, 1.5), ("accepted", "ZJ", 8, 0.7), ("accepted", "ZJ", None, 20),
    ("accepted", "GD", None, 15), ("accepted", "BJ", None, 30), ("accepted", "SD", None, 12),
    ("refused", "ZJ", 9, 14), ("refused", "GD", 10, 9), ("refused", "FJ", 11, 4), ("refused", "ZJ", None, 8),
    ("withdrawn", "ZJ", 12, 10), ("withdrawn", "HB", 13, 7), ("withdrawn", "GD", None, 21),
)
RETRANSFER = {15: ("SD", "accepted"), 16: ("JS", "pending")}   # refused rows (by position) sent elsewhere


def _days() -> float:
    return float(config.get("transfer_accept_days"))


def load(session: Session, rng: random.Random, now: datetime, users: dict[str, int],
         sub_centres: dict[str, int]) -> dict[str, int]:
    """Add the demo transfers (and the consultations accepted leads became); returns counts."""
    staff = {"ZJ": users.get("staff"), "GD": users.get("staff_gd")}
    admin = users.get("admin")
    basis = clock.basis(_days())
    open_ones = list(session.scalars(select(Consultation).where(Consultation.is_demo.is_(True),
                                                              Consultation.status.in_(workflow.OPEN))
                                     .order_by(Consultation.id)))
    rng.shuffle(open_ones)
    made: list[Transfer] = []
    new_consultations = 0

    def add(state: str, code: str, lead: int | None, days_ago: float, previous: Transfer | None = None) -> Transfer:
        nonlocal new_consultations
        created = now - timedelta(days=days_ago)
        t = Transfer(status="pending", sub_centre_id=sub_centres[code], note=rng.choice(NOTES), created_by_id=admin,
                     created_at=created, updated_at=created, is_demo=True, clock_basis=basis,
                     previous_id=previous.id if previous else None, contact="", description="")
        if lead is not None:
            company, country, text, deadline_in, contact = LEADS[lead]
            t.kind, t.company, t.country, t.description, t.contact = "lead", company, country, text, contact
            t.enterprise_deadline = (now + timedelta(days=deadline_in)).date() if deadline_in else None
        else:
            # A consultation of another sub-centre: moved to the target when accepted (so an accepted
            # one already sits there), still where it was while pending, refused or withdrawn.
            c = next(c for c in open_ones if c.sub_centre_id != sub_centres[code])
            open_ones.remove(c)
            t.kind, t.consultation_id, t.company, t.country = "consultation", c.id, c.company, c.country
            t.enterprise_deadline, t.from_sub_centre_id = c.enterprise_deadline, c.sub_centre_id
            t.description, t.contact = c.question, c.contact or ""
            if state == "accepted":
                t.from_sub_centre_id = sub_centres["SH"] if c.sub_centre_id != sub_centres["SH"] else sub_centres["BJ"]
                t.sub_centre_id = c.sub_centre_id
        t.due_at = clock.deadline(created, _days())
        decided = min(now, created + timedelta(hours=rng.choice((3, 8, 20, 30, 52, 70))))
        if state == "accepted":
            code = next(k for k, v in sub_centres.items() if v == t.sub_centre_id)
            t.status, t.accepted_at, t.accepted_by_id = "accepted", decided, staff.get(code)
            if lead is not None:
                c = Consultation(sub_centre_id=t.sub_centre_id, created_by_id=staff.get(code), company=t.company,
                                 contact=t.contact, country=t.country, enterprise_deadline=t.enterprise_deadline,
                                 urgency="normal", question=t.description, status="new", created_at=decided,
                                 updated_at=decided, is_demo=True, disclaimer_accepted=False)
                session.add(c)
                session.flush()
                session.add(ConsultationEvent(consultation_id=c.id, at=decided, user_id=staff.get(code),
                                              from_status=None, to_status="new", note="transfer"))
                workflow.set_clock_facts(c, [(decided, None, "new")])
                new_consultations += 1
                t.result_consultation_id = c.id
            else:
                t.result_consultation_id = t.consultation_id
        elif state == "refused":
            t.status, t.refused_at, t.refused_by_id = "refused", decided, staff.get(code)
            t.refusal_reason = rng.choice(REFUSALS)
        elif state == "withdrawn":
            t.status, t.withdrawn_at = "withdrawn", decided
        if t.status != "pending":
            t.decision_days = calendar.working_time(created, decided)
            t.decided_on_time = t.decision_days <= _days() + 1e-9
        elif t.due_at is not None and t.due_at < now:
            t.overdue_notified_at = t.due_at      # the sweep has told them already
        session.add(t)
        session.flush()
        made.append(t)
        return t

    for position, (state, code, lead, days_ago) in enumerate(PLAN):
        t = add(state, code, lead, days_ago)
        if position in RETRANSFER:
            to, state2 = RETRANSFER[position]
            later = (now - t.refused_at).total_seconds() / 86400 - 0.1
            t.next_id = add(state2, to, lead, max(later, 0.05), previous=t).id
    return {"transfers": len(made), "transfer_consultations": new_consultations}


def remove(session: Session) -> int:
    """Delete the demo transfers (their notifications go with them); real transfers that name a
    demo user keep their row, without the link. Returns how many were deleted."""
    demo_users = select(User.id).where(User.is_demo.is_(True))
    for column in (Transfer.created_by_id, Transfer.accepted_by_id, Transfer.refused_by_id):
        session.execute(update(Transfer).where(Transfer.is_demo.is_(False), column.in_(demo_users))
                        .values({column.key: None}))
    session.execute(update(Transfer).where(Transfer.is_demo.is_(True)).values(previous_id=None, next_id=None))
    return session.execute(delete(Transfer).where(Transfer.is_demo.is_(True))).rowcount


def sub_centres_in_use() -> list:
    """Conditions keeping the demo sub-centres that real transfers name (to or from) from removal."""
    from ipoverseas.core.models import SubCentre
    return [~SubCentre.id.in_(select(Transfer.sub_centre_id)),
            ~SubCentre.id.in_(select(Transfer.from_sub_centre_id).where(Transfer.from_sub_centre_id.is_not(None)))]
