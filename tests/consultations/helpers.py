"""A small, fully known world for the consultation and expert service tests.

Two sub-centres, two enterprises, staff in each sub-centre, an admin, and three experts
with accounts whose specialties differ in known ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.accounts import passwords
from ipoverseas.core import db
from ipoverseas.core.models import (Case, Expert, ExpertCountry, ExpertIndustry, ExpertIpType, ExpertLanguage, ExpertPartyLink, SubCentre, User)

PASSWORD = "correct-horse-1"


@dataclass
class World:
    zj: int
    gd: int
    experts: dict[str, int]

    def p(self, username: str) -> policy.Principal:
        with db.read_session() as s:
            return policy.Principal.of(s.scalar(select(User).where(User.username == username)))


def _expert(ref, sub, name, countries, ip_types, industries, languages, capacity=5) -> Expert:
    return Expert(expert_ref=ref, sub_centre_id=sub, name=name, organisation=f"{name} LLP", title="Attorney",
                  bio=f"{name} bio", email=f"{ref.lower()}@example.com", phone="+86 1",
                  capacity_per_month=capacity,
                  countries=[ExpertCountry(country=c) for c in countries],
                  ip_types=[ExpertIpType(ip_type=t) for t in ip_types],
                  industries=[ExpertIndustry(industry=i) for i in industries],
                  languages=[ExpertLanguage(language=lang) for lang in languages])


@lru_cache(maxsize=1)
def _hash() -> str:
    return passwords.hash_password(PASSWORD)


def build_world() -> World:
    with db.write_session() as s:
        zj = SubCentre(code="ZJ", name_zh="浙江分中心", name_en="Zhejiang", province="ZJ")
        gd = SubCentre(code="GD", name_zh="广东分中心", name_en="Guangdong", province="GD")
        s.add_all([zj, gd])
        s.flush()
        best = _expert("E-1", zj.id, "Best Match", ["US", "CA"], ["patent", "trademark"], ["electronics"], ["zh", "en"])
        partial = _expert("E-2", zj.id, "Partial Match", ["US"], ["copyright"], ["textiles"], ["zh"])
        conflicted = _expert("E-3", gd.id, "Conflicted Match", ["US"], ["patent"], ["electronics"], ["zh", "en"])
        german = _expert("E-4", gd.id, "German Expert", ["DE", "EU"], ["patent", "design"], ["machinery"],
                         ["zh", "en", "de"])
        s.add_all([best, partial, conflicted, german])
        s.flush()
        s.add(ExpertPartyLink(expert_id=conflicted.id, party="Acme Lighting Corp.", note="former client"))
        s.flush()
        users = [
            ("ent_a", policy.ENTERPRISE, None, None, "Ningbo A Ltd"),
            ("ent_b", policy.ENTERPRISE, None, None, "Shenzhen B Ltd"),
            ("staff_zj", policy.STAFF, "ZJ", None, None),
            ("staff_gd", policy.STAFF, "GD", None, None),
            ("admin", policy.ADMIN, None, None, None),
            ("exp_best", policy.EXPERT, "ZJ", best.id, None),
            ("exp_partial", policy.EXPERT, "ZJ", partial.id, None),
            ("exp_conflicted", policy.EXPERT, "GD", conflicted.id, None),
        ]
        codes = {"ZJ": zj.id, "GD": gd.id, None: None}
        for name, role, sub, expert_id, org in users:
            # Users inserted directly with one precomputed hash: argon2 per user would slow every test.
            s.add(User(username=name, password_hash=_hash(), role=role, display_name=name,
                       sub_centre_id=codes[sub], expert_id=expert_id, organisation=org,
                       email=f"{name}@example.com"))
        return World(zj.id, gd.id, {"best": best.id, "partial": partial.id, "conflicted": conflicted.id,
                                    "german": german.id})


def add_case(world: World, **values) -> int:
    defaults = dict(case_ref="C-1", sub_centre_id=world.zj, title="A case", country="US", dispute_type="litigation",
                    review_status="published")
    defaults.update(values)
    with db.write_session() as s:
        case = Case(**defaults)
        s.add(case)
        s.flush()
        return case.id
