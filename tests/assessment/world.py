"""A small world whose assessment for 2025 is counted by hand (see the numbers in each builder).

Sub-centres: A (since 2020: data of every kind), B (since 2020: nothing but two cases), C (set up on
10 August 2025: one case in Q4), D (inactive: not assessed). Users: admin, staff_a, staff_b.
Measured on 2026-03-01 (Beijing), so 2025 is a whole past year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from ipoverseas.access import policy
from ipoverseas.core import db, localtime
from ipoverseas.core.models import (Activity, Article, Case, Consultation, DutyItem, DutyType, Expert, SubCentre,
                                    Transfer, User)
from ipoverseas.network import duties
from tests.consultations.helpers import _hash

YEAR = 2025
TODAY = date(2026, 3, 1)


def bj(*args) -> datetime:
    """A Beijing wall-clock time as the UTC instant the database stores."""
    return localtime.from_local(datetime(*args))


@dataclass
class World:
    a: int
    b: int
    c: int
    d: int

    def p(self, username: str) -> policy.Principal:
        with db.read_session() as s:
            return policy.Principal.of(s.scalar(select(User).where(User.username == username)))


def build() -> World:
    with db.write_session() as s:
        centres = {code: SubCentre(code=code, name_zh=f"{code}分中心", name_en=f"Centre {code}", province=prov,
                                   created_at=created, active=active)
                   for code, prov, created, active in (("A", "ZJ", bj(2020, 1, 1), True), ("B", "GD", bj(2020, 1, 1), True),
                                                       ("C", "JS", bj(2025, 8, 10, 9), True),
                                                       ("D", "SH", bj(2020, 1, 1), False))}
        s.add_all(centres.values())
        s.flush()
        ids = {code: c.id for code, c in centres.items()}
        for name, role, sc in (("admin", policy.ADMIN, None), ("staff_a", policy.STAFF, "A"),
                               ("staff_b", policy.STAFF, "B")):
            s.add(User(username=name, password_hash=_hash(), role=role, display_name=name,
                       sub_centre_id=ids.get(sc)))
        _cases(s, ids)
        _consultations(s, ids["A"])
        _transfers(s, ids["A"])
        _activities(s, ids["A"])
        _experts(s, ids["A"])
    _duties(ids["A"])
    return World(ids["A"], ids["B"], ids["C"], ids["D"])


def _case(sc: int, ref: str, created: datetime) -> Case:
    return Case(case_ref=ref, sub_centre_id=sc, title=f"case {ref}", country="US", dispute_type="litigation",
                created_at=created, updated_at=created)


def _cases(s, ids) -> None:
    # A: Q1 twice, Q2 once (31 March 17:00 UTC is 1 April in Beijing), Q3 once, Q4 none -> 3 of 4 quarters
    a = ids["A"]
    s.add_all([_case(a, "A1", bj(2025, 1, 10)), _case(a, "A2", bj(2025, 3, 3)),
               _case(a, "A3", localtime.from_local(datetime(2025, 4, 1, 1, 0))), _case(a, "A4", bj(2025, 8, 1)),
               _case(a, "A0", bj(2024, 12, 31, 23))])                        # 2024: not counted
    # B: cases only in 2024 -> 0 of 4 quarters in 2025
    s.add_all([_case(ids["B"], "B1", bj(2024, 5, 1)), _case(ids["B"], "B2", bj(2024, 6, 1))])
    # C (from 10 Aug): owes Q3 and Q4; one case in Q4 -> 1 of 2
    s.add(_case(ids["C"], "C1", bj(2025, 11, 11)))


def _consultation(sc, created, **kw) -> Consultation:
    return Consultation(sub_centre_id=sc, company=kw.pop("company", "Co"), question="q", created_at=created,
                        updated_at=created, **kw)


def _consultations(s, a) -> None:
    s.add_all([
        # taken up in 0.5 day, answered on time, closed with an outcome, rated 5
        _consultation(a, bj(2025, 3, 3, 9), company="c1", status="closed", assign_days=0.5, first_answer_days=2.0,
                      answered_on_time=True, answered_at=bj(2025, 3, 5), closed_at=bj(2025, 3, 20),
                      followup_outcome="settled", rating=5, due_at=bj(2025, 3, 6, 9)),
        # taken up late (2 days), answered late, closed without an outcome, rated 3
        _consultation(a, bj(2025, 5, 6, 9), company="c2", status="closed", assign_days=2.0, first_answer_days=4.0,
                      answered_on_time=False, answered_at=bj(2025, 5, 12), closed_at=bj(2025, 5, 30), rating=3,
                      due_at=bj(2025, 5, 9, 9)),
        # never assigned, past its promise: late for both
        _consultation(a, bj(2025, 6, 2, 9), company="c3", status="new", due_at=bj(2025, 6, 5, 9)),
        # asked on 31 December, still within its promise when the year is measured: not counted yet
        _consultation(a, bj(2025, 12, 31, 10), company="c4", status="new", due_at=bj(2026, 1, 6, 10)),
        # 2024: not counted
        _consultation(a, bj(2024, 12, 1), company="c5", status="closed", assign_days=0.1, first_answer_days=1,
                      answered_on_time=True, rating=1, due_at=bj(2024, 12, 4)),
    ])


def _transfers(s, a) -> None:
    def t(status, created, **kw):
        return Transfer(kind="lead", company=kw.pop("company", "T"), sub_centre_id=a, status=status,
                        created_at=created, updated_at=created, **kw)
    s.add_all([t("accepted", bj(2025, 2, 3), company="t1", decided_on_time=True, due_at=bj(2025, 2, 5)),
               t("refused", bj(2025, 4, 1), company="t2", decided_on_time=False, due_at=bj(2025, 4, 3),
                 refusal_reason="no"),
               t("pending", bj(2025, 9, 1), company="t3", due_at=bj(2025, 9, 3)),          # overdue: counts as late
               t("withdrawn", bj(2025, 10, 1), company="t4", due_at=bj(2025, 10, 3)),      # not counted
               t("pending", bj(2025, 12, 31, 9), company="t5", due_at=bj(2026, 1, 5))])    # not due yet


def _activities(s, a) -> None:
    def act(n, kind, held_on):
        return Activity(activity_ref=f"ACT-{n}", sub_centre_id=a, held_on=held_on, kind=kind, title=f"{kind} {n}")
    rows = [act(n, "training", date(2025, n + 1, 10)) for n in range(5)]                    # 5 trainings
    rows += [act(10, "training", date(2024, 12, 10))]                                          # 2024
    rows += [act(20, "publicity", date(2025, 3, 1)), act(21, "publicity", date(2025, 9, 1))]   # 2 publicity
    rows += [act(30, "publication", date(2025, 6, 1))]                                         # 1 publication
    rows += [act(40 + n, "agency_match", date(2025, 7, 1 + n)) for n in range(3)]              # 3 agency matches
    s.add_all(rows)
    s.add_all([Article(ref="ART-1", sub_centre_id=a, kind="risk_alert", title_zh="预警一", status="published",
                       published_on=date(2025, 10, 1)),                                      # + 1 publication
               Article(ref="ART-2", sub_centre_id=a, kind="risk_alert", title_zh="草稿", status="draft",
                       published_on=None)])


def _experts(s, a) -> None:
    def e(n, active=True, created=bj(2024, 1, 1)):
        return Expert(expert_ref=f"E{n}", sub_centre_id=a, name=f"Expert {n}", active=active, created_at=created,
                      updated_at=created)
    s.add_all([e(1), e(2), e(3, created=bj(2025, 12, 31, 12)), e(4, active=False), e(5, created=bj(2026, 1, 2))])


def _duties(a) -> None:
    """A's reports due in 2025 of the annual plan, monthly status and annual summary: 1 + 11 + 1 = 13
    (December's status falls due in January 2026). On time: the plan and 6 monthly -> 7 of 13."""
    duties.ensure_year(YEAR)
    with db.write_session() as s:
        types = dict(s.execute(select(DutyType.code, DutyType.id)).all())
        s.execute(update(DutyItem).where(DutyItem.sub_centre_id == a, DutyItem.duty_type_id == types["annual_plan"],
                                         DutyItem.year == YEAR).values(status="accepted", on_time=True))
        monthly = list(s.scalars(select(DutyItem).where(
            DutyItem.sub_centre_id == a, DutyItem.duty_type_id == types["monthly_status"], DutyItem.year == YEAR)
            .order_by(DutyItem.period)))
        for n, item in enumerate(monthly[:8]):
            item.status, item.on_time = "submitted", n < 6
