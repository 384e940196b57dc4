"""The demo's activities: about fourteen for each demo sub-centre this year (training sessions,
publicity events, reports published, funding help, agency matches), in the region's cities, some
with a small real PDF of evidence. Flagged `is_demo`."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ipoverseas.core.models import Activity, ActivityCountry, ActivityFile, ActivityIndustry, StoredFile
from . import documents

PER_CENTRE = 14
KINDS = (("training", 35), ("publicity", 25), ("publication", 10), ("funding_help", 12), ("agency_match", 12),
         ("other", 6))
CITIES = {"ZJ": ("杭州", "宁波", "温州", "义乌"), "GD": ("广州", "深圳", "东莞", "佛山"), "JS": ("南京", "苏州", "无锡"),
          "SH": ("上海",), "BJ": ("北京",), "SD": ("济南", "青岛", "烟台"), "FJ": ("福州", "厦门", "泉州"),
          "SC": ("成都", "绵阳"), "HB": ("武汉", "宜昌"), "TJ": ("天津",), "AH": ("合肥", "芜湖"), "HN": ("长沙", "株洲")}
TITLES = {
    "training": ("海外展会知识产权风险防控培训", "美国337调查应对实务培训", "跨境电商知识产权合规培训",
                 "欧洲专利布局与维权培训", "商标海外注册与抢注应对培训"),
    "publicity": ("“知识产权护航出海”进园区宣讲", "海外知识产权纠纷应对指导服务进企业", "外贸企业知识产权风险提示发布会"),
    "publication": ("{city}出口企业海外知识产权风险报告", "重点国家知识产权保护指引（{year}）", "跨境电商平台投诉应对指引"),
    "funding_help": ("协助企业申请海外知识产权维权援助资金", "协助企业申报海外知识产权保险补贴"),
    "agency_match": ("组织企业与涉外知识产权服务机构对接会", "为企业匹配美国当地律师事务所"),
    "other": ("走访重点外贸企业", "参加全国海外知识产权纠纷应对工作会议"),
}
ORGANISERS = ("市场监督管理局", "商务局", "贸促会", "海关", "外贸协会", "律师协会")
INDUSTRIES = ("electronics", "machinery", "light_industry", "textiles", "new_energy", "auto", "medical_devices")
COUNTRIES = ("US", "DE", "GB", "FR", "JP", "KR", "VN", "TH", "IN", "BR", "MX", "AE")


def build(session: Session, rng: random.Random, today: date, sub_centres: dict[str, int],
          created_by: dict[str, int]) -> dict[str, int]:
    """Add the demo activities (and their evidence files) to `session`; returns their counts."""
    start = date(today.year, 1, 5)
    span = max(1, (today - start).days)
    counts = {"activities": 0, "activity_files": 0}
    for code, centre_id in sub_centres.items():
        for n in range(PER_CENTRE):
            kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            held = start + timedelta(days=rng.randint(0, span))
            city = rng.choice(CITIES.get(code, ("杭州",)))
            title = rng.choice(TITLES[kind]).format(city=city, year=today.year)
            people = rng.randint(30, 300) if kind in ("training", "publicity") else None
            firms = rng.randint(5, 80) if kind != "publication" else None
            activity = Activity(
                activity_ref=f"{code}-{today.year}-HD-{n + 1:03d}", sub_centre_id=centre_id, held_on=held, kind=kind,
                title=title, city=city, organisers="、".join(city + o for o in rng.sample(ORGANISERS, 2)),
                participants=people, enterprises_reached=firms,
                article_url=f"https://www.example.gov.cn/{code.lower()}/news/{today.year}{n:03d}.html"
                if kind in ("publicity", "publication") else None,
                note="", created_by_id=created_by.get(code), is_demo=True,
                industries=[ActivityIndustry(industry=i) for i in rng.sample(INDUSTRIES, rng.randint(1, 3))],
                countries=[ActivityCountry(country=c) for c in rng.sample(COUNTRIES, rng.randint(0, 3))])
            session.add(activity)
            counts["activities"] += 1
            if kind == "training" and rng.random() < 0.5:
                session.flush()
                content = documents.pdf([f"Sign-in sheet: {held.isoformat()}", f"Sub-centre {code}",
                                         f"Participants: {people}"])
                stored = StoredFile(name=f"{code}-{held:%Y%m%d}-签到表.pdf", kind="pdf", size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(), content=content,
                                    created_by=created_by.get(code), is_demo=True)
                session.add(stored)
                session.flush()
                session.add(ActivityFile(activity_id=activity.id, file_id=stored.id))
                counts["activity_files"] += 1
    return counts
