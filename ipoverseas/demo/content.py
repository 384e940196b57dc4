"""Builds the demo records: sub-centres, accounts, experts, cases, consultations, articles.

Everything is flagged `is_demo`. A fixed seed (`random.Random(2026)`) makes the content the
same on every load; only the consultations (and expert away periods) are placed relative to
the moment of loading, so the working-day clock always has something current to show.
The modules next to this one hold the pools and templates:

- `names`: invented people, companies, firms and foreign parties;
- `experts`: expert profiles, away periods;
- `cases`: the case library and the experts' party links (conflict-check data);
- `consultations`: the consultations, their status events and message threads;
- `articles`: the knowledge base, read from data/demo/articles.json when it exists.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.accounts import creation
from ipoverseas.core import localtime
from ipoverseas.core.models import SubCentre, utcnow
from ipoverseas.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from . import activities as activities_mod
from . import assessment as assessment_mod
from . import articles as articles_mod
from . import cases as cases_mod
from . import consultations as consultations_mod
from . import duties as duties_mod
from . import experts as experts_mod
from . import transfers as transfers_mod

SEED = 2026

SUB_CENTRES = (
    ("ZJ", "浙江分中心", "Zhejiang sub-centre", "ZJ"),
    ("GD", "广东分中心", "Guangdong sub-centre", "GD"),
    ("JS", "江苏分中心", "Jiangsu sub-centre", "JS"),
    ("SH", "上海分中心", "Shanghai sub-centre", "SH"),
    ("BJ", "北京分中心", "Beijing sub-centre", "BJ"),
    ("SD", "山东分中心", "Shandong sub-centre", "SD"),
    ("FJ", "福建分中心", "Fujian sub-centre", "FJ"),
    ("SC", "四川分中心", "Sichuan sub-centre", "SC"),
    ("HB", "湖北分中心", "Hubei sub-centre", "HB"),
    ("TJ", "天津分中心", "Tianjin sub-centre", "TJ"),
    ("AH", "安徽分中心", "Anhui sub-centre", "AH"),
    ("HN", "湖南分中心", "Hunan sub-centre", "HN"),
)

# A second staff account (another region) for permission tests and demos.
EXTRA_STAFF = (("staff_gd", "广东分中心 陈静", "GD"),)
# Expert accounts beyond the demo "expert" (linked to expert #1): username -> sub-centre whose
# first active expert (after #1) the account is linked to.
EXTRA_EXPERT_ACCOUNTS = (("expert2", "GD"), ("expert3", "SH"), ("expert4", "JS"), ("expert5", "BJ"))


def load_all(session: Session) -> dict[str, int]:
    rng = random.Random(SEED)
    now = utcnow().replace(microsecond=0)
    today = now.date()

    # 1. sub-centres
    # working since the start of the year, so that the year's assessment owes them its reports
    since = localtime.from_local(datetime(localtime.today(now).year, 1, 1))
    sub_centre_rows = [SubCentre(code=code, name_zh=zh, name_en=en, province=province, is_demo=True, created_at=since)
                       for code, zh, en, province in SUB_CENTRES]
    session.add_all(sub_centre_rows)
    session.flush()
    sub_centres = {row.code: row.id for row in sub_centre_rows}
    sub_centre_names = {row.code: row.name_zh for row in sub_centre_rows}

    # 2. experts (expert #1 first: EXP-ZJ-001, US patents/trademarks, electronics, zh/en)
    experts = experts_mod.build(rng, sub_centres)
    session.add_all(experts)
    session.flush()

    # 3. accounts
    users: dict[str, int] = {}
    expert_users: dict[int, int] = {}

    def create(username: str, role: str, display_name: str, sub_centre: str | None = None,
               organisation: str | None = None, expert_id: int | None = None, email: str | None = None) -> None:
        user = creation.add_account(session, username=username, password=DEMO_PASSWORD, role=role,
                                display_name=display_name, sub_centre_code=sub_centre, organisation=organisation,
                                expert_id=expert_id, email=email, is_demo=True)
        users[username] = user.id
        if expert_id:
            expert_users[expert_id] = user.id

    for account in ACCOUNTS:
        create(account.username, account.role, account.display_name, account.sub_centre, account.organisation,
               experts[0].id if account.role == policy.EXPERT else None)
    for username, display_name, code in EXTRA_STAFF:
        create(username, policy.STAFF, display_name, code)
    for enterprise in consultations_mod.ENTERPRISES[1:]:
        create(enterprise.username, policy.ENTERPRISE, enterprise.organisation,
               organisation=enterprise.organisation)
    linked = {experts[0].id}
    for username, code in EXTRA_EXPERT_ACCOUNTS:
        expert = next(e for e in experts if e.sub_centre_id == sub_centres[code] and e.active and e.id not in linked)
        linked.add(expert.id)
        create(username, policy.EXPERT, f"{expert.name} {expert.title}", code, expert_id=expert.id,
               email=expert.email)
    staff_users = {"ZJ": users["staff"], "GD": users["staff_gd"]}

    # 4. expert away periods
    away = experts_mod.away_periods(rng, experts, today)
    session.add_all(away)

    # 5. cases, then the party links that point at them
    cases = cases_mod.build(rng, sub_centres, sub_centre_names, experts, staff_users)
    session.add_all(cases)
    session.flush()
    links = cases_mod.party_links(rng, experts, cases)
    session.add_all(links)

    # 6. consultations with their events and messages
    consultations, threads = consultations_mod.build(
        rng, now, users, sub_centres, experts, expert_users, staff_users, users["admin"])
    session.add_all(consultations)
    session.flush()
    events, messages = consultations_mod.attach(threads)
    session.add_all(events)
    session.add_all(messages)
    session.add_all(consultations_mod.profiles(users, consultations))   # their follows start from these

    # 7. knowledge base (when data/demo/articles.json exists)
    articles = articles_mod.build()
    session.add_all(articles)
    session.flush()

    transfers = transfers_mod.load(session, rng, now, users, sub_centres)   # 8. transfers from the centre

    # 9. a year of the network's reporting duties
    reporting = duties_mod.build(session, rng, localtime.today(now), sub_centres, sub_centre_names,
                                 {code: uid for code, uid in staff_users.items()}, users["admin"])

    # 10. the sub-centres' activities of the year
    activities = activities_mod.build(session, random.Random(SEED + 9), localtime.today(now), sub_centres,
                                      staff_users)

    # 11. the centre's judgement in this year's assessment
    judgements = assessment_mod.build(session, localtime.today(now), sub_centres, users["admin"])

    return {**transfers, **judgements,
        "sub_centres": len(sub_centre_rows), "users": len(users), "experts": len(experts),
        "expert_away": len(away), "expert_party_links": len(links), "cases": len(cases),
        "consultations": len(consultations), "consultation_events": len(events),
        "consultation_messages": len(messages), "articles": len(articles), **reporting, **activities,
    }
