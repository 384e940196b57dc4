"""The demo's year of reporting: every demo sub-centre's duties of this year, with a plausible
mix of reports accepted on time, late, returned (some handed in again), awaiting review and
missing, each with its text or a small real docx/xlsx/pdf file. Flagged `is_demo`."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipoverseas.core import localtime
from ipoverseas.core.models import DutyItem, DutySubmission, DutyType, StoredFile
from ipoverseas.network import duerules
from ipoverseas.network.duties import period_label
from . import documents

# Of the reports already due: how they went (weights)
PAST = (("accepted_on_time", 62), ("accepted_late", 9), ("returned_then_accepted", 6), ("returned", 5),
        ("submitted_on_time", 6), ("submitted_late", 3), ("missing", 9))
RETURN_REASONS = ("请补充本期典型案例的基本案情和应对结果。", "月度数据与咨询台账不一致，请核对后重新报送。",
                  "请按模板补充培训场次和参训企业数量。", "附件无法打开，请重新上传 PDF 版本。")


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of a Beijing day, as stored (naive UTC)."""
    return localtime.from_local(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59))))


def _text(duty: DutyType, period: str, centre: str, rng: random.Random, figures: dict) -> str:
    lines = [f"## {centre}{duty.name_zh}（{period_label(period, 'zh')}）", ""]
    if figures:
        lines += ["| 指标 | 数值 |", "| --- | --- |"] + [
            f"| {next(f['zh'] for f in duty.figures if f['code'] == k)} | {v} |" for k, v in figures.items()] + [""]
    lines += [rng.choice(["- 走访重点外贸企业，梳理海外参展和跨境电商中的知识产权风险。",
                          "- 联合商务部门举办海外知识产权纠纷应对培训。",
                          "- 跟进辖区企业在美国的“Schedule A”电商诉讼，协助对接专家。"]),
              rng.choice(["- 完成本期涉外纠纷线索排查并建立台账。", "- 更新重点国家知识产权风险提示。"])]
    return "\n".join(lines)


def _file(kind: str, duty: DutyType, period: str, centre_code: str, rng: random.Random) -> tuple[str, bytes]:
    stem = f"{centre_code}-{duty.code}-{period}"
    if kind == "docx":
        return stem + ".docx", documents.docx(f"{duty.name_zh}（{period_label(period, 'zh')}）",
                                              ["一、工作开展情况", "二、存在的问题", "三、下一步工作打算"])
    if kind == "xlsx":
        return stem + ".xlsx", documents.xlsx(duty.name_zh, [("纠纷类型", "数量"), ("美国337调查", rng.randint(0, 3)),
                                                            ("电商平台投诉", rng.randint(1, 9)),
                                                            ("海关扣押", rng.randint(0, 4))])
    return stem + ".pdf", documents.pdf([f"{duty.name_en}, {period}", f"Sub-centre {centre_code}",
                                         "1. Work done  2. Problems  3. Next steps"])


def build(session: Session, rng: random.Random, today: date, sub_centres: dict[str, int],
          names: dict[str, str], staff_by_code: dict[str, int], admin_id: int) -> dict[str, int]:
    """Add the demo year's items, submissions and files to `session`; returns their counts."""
    year = today.year
    counts = {"duty_items": 0, "duty_submissions": 0, "stored_files": 0}
    for duty in session.scalars(select(DutyType).where(DutyType.active.is_(True)).order_by(DutyType.position)):
        once = duerules.once_date(duty.due_rule) if duty.frequency == "once" else None
        spans = duerules.periods(duty.frequency, year, once_on=once)
        rule_basis = duerules.basis(duty.due_rule)
        for code, centre_id in sub_centres.items():
            for p in spans:
                due = duerules.due_date(duty.due_rule, p)
                item = DutyItem(duty_type_id=duty.id, sub_centre_id=centre_id, year=year, period=p.code,
                                period_start=p.start, period_end=p.end, due_on=due, basis=rule_basis,
                                status="open", is_demo=True)
                session.add(item)
                counts["duty_items"] += 1
                if due < today - timedelta(days=30):
                    item.reminded_overdue_at = _at(due, rng)   # the reminders of a report long past went out then
                if due > today:
                    continue
                outcome = rng.choices([o for o, _ in PAST], [w for _, w in PAST])[0]
                if outcome == "missing":
                    continue
                session.flush()
                late = "late" in outcome
                first_day = due + timedelta(days=rng.randint(1, 12)) if late else due - timedelta(days=rng.randint(0, 6))
                first_day = min(first_day, today)
                steps = {"accepted_on_time": ["accepted"], "accepted_late": ["accepted"],
                         "returned_then_accepted": ["returned", "accepted"], "returned": ["returned"],
                         "submitted_on_time": [None], "submitted_late": [None]}[outcome]
                day = first_day
                for n, decision in enumerate(steps):
                    figures = {f["code"]: rng.randint(0, 40) for f in duty.figures or []}
                    kind = rng.choice(["docx", "xlsx", "pdf", None, None])
                    file_id = None
                    if kind:
                        name, content = _file(kind, duty, p.code, code, rng)
                        stored = StoredFile(name=name, kind=kind, size=len(content), content=content,
                                            sha256=hashlib.sha256(content).hexdigest(), created_by=staff_by_code.get(code),
                                            created_at=_at(day, rng), is_demo=True)
                        session.add(stored)
                        session.flush()
                        file_id = stored.id
                        counts["stored_files"] += 1
                    at = _at(day, rng)
                    reviewed = min(day + timedelta(days=rng.randint(1, 5)), today) if decision else None
                    session.add(DutySubmission(
                        item_id=item.id, submitted_by=staff_by_code.get(code), submitted_at=at,
                        text=_text(duty, p.code, names[code], rng, figures) if (kind is None or rng.random() < 0.5) else "",
                        figures=figures, file_id=file_id, decision=decision,
                        reason=rng.choice(RETURN_REASONS) if decision == "returned" else "",
                        reviewed_by=admin_id if decision else None,
                        reviewed_at=_at(reviewed, rng) if reviewed else None, is_demo=True))
                    counts["duty_submissions"] += 1
                    if n == 0:
                        item.first_submitted_at, item.on_time = at, day <= due
                    item.last_submitted_at = at
                    item.status = decision or "submitted"
                    item.reviewed_at = _at(reviewed, rng) if reviewed else None
                    if reviewed:
                        day = min(reviewed + timedelta(days=rng.randint(1, 6)), today)
    return counts
