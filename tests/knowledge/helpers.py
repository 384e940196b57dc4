"""A small, fully known knowledge base for the knowledge tests (independent of the demo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ipoverseas.access import policy
from ipoverseas.core import db
from ipoverseas.core.models import (Article, ArticleCountry, ArticleIndustry, ArticleIpType, Case, SubCentre, User)

TODAY = date(2026, 11, 25)


@dataclass
class World:
    admin: policy.Principal
    staff: policy.Principal          # sub-centre ZJ
    staff_gd: policy.Principal       # sub-centre GD
    enterprise: policy.Principal
    expert: policy.Principal
    zj: int
    gd: int
    ids: dict[str, int]            # article ref -> id
    case_ids: dict[str, int]       # case ref -> id


ARTICLES = [
    # ref, sub-centre, kind, title_zh, title_en, countries, ip_types, industries, dispute, severity, valid_until, status, published_on
    ("G-US", "ZJ", "country_guide", "美国知识产权保护指南", "US IP guide", ["US"], ["patent", "trademark"], ["electronics"],
     None, None, None, "published", date(2026, 1, 10)),
    ("L-337", None, "law_procedure", "美国337调查程序", "Section 337 procedure", ["US"], ["patent"], [],
     "itc_337", None, None, "published", date(2025, 6, 1)),
    ("P-DE", "GD", "practice_guide", "德国展会应对实务", "German trade fair practice", ["DE"], ["design", "patent"],
     ["machinery"], "trade_fair", None, None, "published", date(2026, 3, 3)),
    ("A-US-ACTIVE", "ZJ", "risk_alert", "美国Schedule A诉讼高发预警", "Schedule A surge alert", ["US"], ["trademark"],
     ["light_industry"], "ecommerce", "high", date(2026, 12, 31), "published", date(2026, 9, 1)),
    ("A-DE-ACTIVE", "GD", "risk_alert", "德国海关扣货预警", "German customs alert", ["DE", "EU"], ["trademark"],
     ["textiles"], "customs", "medium", date(2027, 3, 31), "published", date(2026, 10, 1)),
    ("A-US-OLD", None, "risk_alert", "美国旧预警", "Old US alert", ["US"], ["patent"], ["electronics"],
     "itc_337", "low", date(2025, 1, 31), "published", date(2024, 12, 1)),
    ("D-ZJ", "ZJ", "country_guide", "越南草稿指南", "Vietnam draft", ["VN"], ["trademark"], [],
     None, None, None, "draft", None),
    ("D-GD", "GD", "country_guide", "日本草稿指南", "Japan draft", ["JP"], ["patent"], [],
     None, None, None, "draft", None),
]

CASES = [
    # ref, sub-centre, country, dispute, review status, distinction, filed
    ("C1", "ZJ", "US", "itc_337", "published", "typical", date(2024, 5, 1)),
    ("C2", "ZJ", "US", "itc_337", "published", None, date(2025, 5, 1)),
    ("C3", "GD", "US", "itc_337", "submitted", None, date(2025, 7, 1)),
    ("C4", "GD", "US", "ecommerce", "published", None, date(2025, 8, 1)),
    ("C5", "GD", "DE", "trade_fair", "published", "guiding", date(2023, 9, 1)),
]


def _user(s, username: str, role: str, sub_centre_id: int | None = None) -> policy.Principal:
    user = User(username=username, display_name=username.upper(), password_hash="x", role=role,
                sub_centre_id=sub_centre_id)
    s.add(user)
    s.flush()
    return policy.Principal.of(user)


def make_world() -> World:
    with db.write_session() as s:
        zj = SubCentre(code="ZJ", name_zh="浙江分中心", name_en="Zhejiang")
        gd = SubCentre(code="GD", name_zh="广东分中心", name_en="Guangdong")
        s.add_all([zj, gd])
        s.flush()
        codes = {"ZJ": zj.id, "GD": gd.id, None: None}
        world = World(admin=_user(s, "k_admin", "admin"), staff=_user(s, "k_staff", "staff", zj.id),
                      staff_gd=_user(s, "k_staff_gd", "staff", gd.id), enterprise=_user(s, "k_ent", "enterprise"),
                      expert=_user(s, "k_expert", "expert"), zj=zj.id, gd=gd.id, ids={}, case_ids={})
        for (ref, sc, kind, tzh, ten, countries, ips, inds, dispute, severity, valid, status, pub) in ARTICLES:
            article = Article(ref=ref, sub_centre_id=codes[sc], kind=kind, title_zh=tzh, title_en=ten,
                              body=f"## {tzh}\n\n正文 body of {ref}.", dispute_type=dispute, severity=severity,
                              valid_until=valid, status=status, published_on=pub, source="test source",
                              countries=[ArticleCountry(country=c) for c in countries],
                              ip_types=[ArticleIpType(ip_type=c) for c in ips],
                              industries=[ArticleIndustry(industry=c) for c in inds])
            s.add(article)
            s.flush()
            world.ids[ref] = article.id
        for ref, sc, country, dispute, review, distinction, filed in CASES:
            case = Case(case_ref=ref, sub_centre_id=codes[sc], title=f"Case {ref}", country=country,
                        dispute_type=dispute, review_status=review, distinction=distinction, filed_on=filed)
            s.add(case)
            s.flush()
            world.case_ids[ref] = case.id
    return world
