"""Demo experts: at least 60 profiles with their facets, away periods and party links."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ipoverseas.core.models import (Expert, ExpertAway, ExpertCountry, ExpertIndustry, ExpertIpType, ExpertLanguage)
from . import names

# How many Chinese experts each sub-centre has (the foreign ones are added on top).
PER_SUB_CENTRE = {
    "ZJ": 9, "GD": 9, "JS": 5, "SH": 5, "BJ": 5, "SD": 4, "FJ": 4,
    "SC": 3, "HB": 3, "TJ": 3, "AH": 3, "HN": 3,
}
# Sub-centres that keep the foreign practitioners on their rosters.
FOREIGN_HOME = ("SH", "GD", "BJ", "ZJ", "GD", "JS", "SH", "BJ")

# Specialty profiles: countries, IP types, industries, extra languages, focus text.
PROFILES = {
    "us_litigation": (("US", "CA"), ("patent", "trademark", "design"),
                      ("electronics", "machinery", "new_energy", "telecom", "light_industry"), ("en",),
                      "美国专利诉讼与337调查应诉"),
    "us_ecommerce": (("US", "GB", "CA", "AU"), ("trademark", "copyright", "design"),
                     ("light_industry", "textiles", "electronics", "auto"), ("en",),
                     "跨境电商知识产权纠纷、Schedule A诉讼与平台投诉应对"),
    "europe": (("DE", "EU", "FR", "IT", "NL", "UPC", "EUIPO"), ("patent", "design", "utility_model", "trademark"),
               ("machinery", "auto", "electronics", "new_energy"), ("en", "de"),
               "欧洲专利与外观设计纠纷、德国展会临时禁令应对"),
    "customs": (("EU", "DE", "NL", "BE", "US", "MX", "BR", "AE"), ("trademark", "design", "patent"),
                ("light_industry", "electronics", "textiles", "auto"), ("en",),
                "海关知识产权边境措施与扣货应对"),
    "sea": (("VN", "TH", "ID", "MY", "PH", "SG"), ("trademark", "design", "domain_name"),
            ("light_industry", "food_agri", "auto", "electronics", "textiles"), ("en",),
            "东南亚商标布局、抢注异议与无效"),
    "emerging": (("IN", "BR", "MX", "TR", "AE", "SA", "RU"), ("trademark", "patent", "design"),
                 ("electronics", "telecom", "auto", "machinery", "light_industry"), ("en",),
                 "新兴市场知识产权风险防控与商标维权"),
    "japan_korea": (("JP", "KR"), ("patent", "design", "utility_model", "trademark"),
                    ("electronics", "auto", "medical_devices", "chemicals"), ("ja",),
                    "日韩专利、外观设计纠纷与海关进口禁止程序"),
    "sep_licensing": (("US", "DE", "IN", "GB", "EU", "UPC"), ("patent",),
                      ("telecom", "electronics", "auto", "software"), ("en",),
                      "标准必要专利许可谈判与FRAND费率争议"),
    "trade_secret": (("US", "DE", "KR", "JP"), ("trade_secret", "copyright"),
                     ("software", "electronics", "chemicals", "new_energy"), ("en",),
                     "商业秘密保护、跨境刑事风险与合规"),
    "pharma": (("US", "EU", "IN", "BR"), ("patent", "trademark"),
               ("pharma", "medical_devices", "chemicals"), ("en",),
               "医药与医疗器械专利、仿制药上市风险评估"),
}
PROFILE_WEIGHTS = {
    "us_litigation": 7, "us_ecommerce": 7, "europe": 5, "customs": 4, "sea": 4, "emerging": 3,
    "japan_korea": 2, "sep_licensing": 2, "trade_secret": 2, "pharma": 2,
}
EXTRA_LANG = {"sea": ("vi", "th", "id"), "japan_korea": ("ja", "ko"), "emerging": ("es", "pt", "ru", "ar", "tr"),
              "europe": ("de", "fr")}

BIO_TEMPLATES = (
    "{title}，执业{years}年，主要从事{focus}。曾为{k}余家出海企业提供应诉指导，熟悉{countries}的程序与实务。",
    "长期专注{focus}，执业{years}年。近年代理{k}起涉及{countries}的知识产权纠纷，擅长在早期阶段评估风险并推动和解。",
    "现任{org}{title}，研究方向为{focus}。参与编写多份海外知识产权纠纷应对指引，曾为{k}家企业提供{countries}法律咨询。",
    "{title}，理工科背景，执业{years}年，聚焦{focus}。熟悉{countries}的侵权判定与证据规则，曾协助企业完成规避设计。",
)

ACADEMIC_TITLES = ("教授", "副教授", "研究员")
ACADEMIC_BIO_TEMPLATES = (
    "{title}，从事知识产权教学与研究{years}年，研究方向为{focus}。主持多项海外知识产权纠纷应对课题，"
    "为{k}余家企业提供过咨询，熟悉{countries}的相关法律。",
    "现任{org}{title}，长期研究{focus}，兼任多家行业协会知识产权顾问，曾参与{countries}相关案件的专家论证。",
)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def _title_org(rng: random.Random, profile: str, sub_centre: str) -> tuple[str, str]:
    titles, weights = zip(*names.TITLES_CN)
    title = rng.choices(titles, weights)[0]
    if title in ("教授", "副教授", "研究员"):
        return title, rng.choice(names.UNIVERSITIES)
    if title in ("专利代理师", "资深专利代理师", "商标代理人"):
        if profile in ("sea", "emerging", "customs") and title != "商标代理人" and rng.random() < 0.5:
            title = "商标代理人"
        return title, names.local_first(rng, names.AGENCIES, sub_centre)
    if title == "知识产权总监":
        return "知识产权顾问（原企业知识产权总监）", names.local_first(rng, names.LAW_FIRMS, sub_centre)
    return title, names.local_first(rng, names.LAW_FIRMS, sub_centre)


def _facets(rng: random.Random, profile: str) -> tuple[list[str], list[str], list[str], list[str]]:
    countries, ip_types, industries, langs, _ = PROFILES[profile]
    c = sorted(rng.sample(countries, k=min(len(countries), rng.randint(2, 4))), key=countries.index)
    if countries[0] not in c:
        c.insert(0, countries[0])
    ip = rng.sample(ip_types, k=min(len(ip_types), rng.randint(1, 3)))
    ind = rng.sample(industries, k=min(len(industries), rng.randint(2, 3)))
    lang = ["zh"] + [lang for lang in langs if rng.random() < 0.9]
    if profile in EXTRA_LANG and rng.random() < 0.5:
        extra = rng.choice(EXTRA_LANG[profile])
        if extra not in lang:
            lang.append(extra)
    if "en" not in lang and rng.random() < 0.6:
        lang.append("en")
    return c, ip, ind, lang


def _expert(ref: str, sub_centre_id: int, name: str, org: str, title: str, bio: str, email: str,
            phone: str, capacity: int, active: bool, countries, ip_types, industries, languages) -> Expert:
    return Expert(
        expert_ref=ref, sub_centre_id=sub_centre_id, name=name, organisation=org, title=title, bio=bio,
        email=email, phone=phone, capacity_per_month=capacity, active=active, is_demo=True,
        countries=[ExpertCountry(country=c) for c in dict.fromkeys(countries)],
        ip_types=[ExpertIpType(ip_type=t) for t in dict.fromkeys(ip_types)],
        industries=[ExpertIndustry(industry=i) for i in dict.fromkeys(industries)],
        languages=[ExpertLanguage(language=lang) for lang in dict.fromkeys(languages)],
    )


def build(rng: random.Random, sub_centre_ids: dict[str, int]) -> list[Expert]:
    """The expert profiles, expert #1 (EXP-ZJ-001) first. Not yet added to a session."""
    from ipoverseas.core.vocab import countries as country_vocab

    cv = country_vocab()
    experts: list[Expert] = []
    seq: dict[str, int] = {}
    used_names: set[str] = {"李明远"}

    def next_ref(code: str) -> str:
        seq[code] = seq.get(code, 0) + 1
        return f"EXP-{code}-{seq[code]:03d}"

    # Expert #1: the demo "expert" account's profile.
    experts.append(_expert(
        next_ref("ZJ"), sub_centre_ids["ZJ"], "李明远", "杭州衡澈律师事务所", "合伙人律师",
        "合伙人律师，执业15年，主要从事美国专利与商标纠纷应对，代理过多起337调查和Schedule A诉讼。"
        "熟悉消费电子行业的技术与市场，擅长应诉策略评估、规避设计和和解谈判。",
        "li.mingyuan@example.com", "138-5712-0416", 6, True,
        ["US", "CA"], ["patent", "trademark", "design"], ["electronics", "light_industry"], ["zh", "en"]))

    profiles, weights = zip(*PROFILE_WEIGHTS.items())
    for code, count in PER_SUB_CENTRE.items():
        for i in range(count - (1 if code == "ZJ" else 0)):
            profile = rng.choices(profiles, weights)[0]
            while True:
                name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN)
                if name not in used_names:
                    used_names.add(name)
                    break
            title, org = _title_org(rng, profile, code)
            c, ip, ind, lang = _facets(rng, profile)
            focus = PROFILES[profile][4]
            templates = ACADEMIC_BIO_TEMPLATES if title in ACADEMIC_TITLES else BIO_TEMPLATES
            bio = rng.choice(templates).format(
                title=title, years=rng.randint(6, 25), focus=focus, k=rng.randint(8, 60), org=org,
                countries="、".join(cv.label(x, "zh") for x in c[:3]))
            ref = next_ref(code)
            experts.append(_expert(
                ref, sub_centre_ids[code], name, org, title, bio, f"{ref.lower()}@example.com", _phone(rng),
                rng.randint(2, 8), True, c, ip, ind, lang))

    for (name, org, title, countries, langs, bio), home in zip(names.FOREIGN_PRACTITIONERS, FOREIGN_HOME):
        ip = ["patent", "design"] if "Pat" in title or "弁理士" in title else ["trademark", "patent"]
        if "Trademark" in title or "商标" in title:
            ip = ["trademark", "copyright"]
        ind = rng.sample(["electronics", "machinery", "light_industry", "auto", "telecom", "textiles"], k=3)
        ref = next_ref(home)
        experts.append(_expert(
            ref, sub_centre_ids[home], name, org, title, bio, f"{ref.lower()}@example.com", _phone(rng),
            rng.randint(2, 5), True, countries, ip, ind, list(dict.fromkeys([*langs, "en"]))))

    # A few inactive profiles (never expert #1 nor the experts with demo accounts).
    for expert in rng.sample(experts[10:], 4):
        expert.active = False
    return experts


def away_periods(rng: random.Random, experts: list[Expert], today: date) -> list[ExpertAway]:
    """Away periods: some now, some soon, one past. Expert #1 is never away now."""
    pool = [e for e in experts[1:] if e.active]
    chosen = rng.sample(pool, 7)
    notes = ("出国参加学术会议", "年假", "开庭期间暂停接收新咨询", "外派海外工作", "休产假", "参加专项培训")
    rows = []
    for i, expert in enumerate(chosen):
        if i < 3:        # away now
            start = today - timedelta(days=rng.randint(1, 10))
            end = today + timedelta(days=rng.randint(3, 20))
        elif i < 6:      # away soon
            start = today + timedelta(days=rng.randint(5, 30))
            end = start + timedelta(days=rng.randint(5, 21))
        else:            # back already
            end = today - timedelta(days=rng.randint(5, 30))
            start = end - timedelta(days=rng.randint(7, 20))
        rows.append(ExpertAway(expert_id=expert.id, starts_on=start, ends_on=end, note=rng.choice(notes)))
    # Expert #1 has a period coming up, so the demo expert sees one.
    rows.append(ExpertAway(expert_id=experts[0].id, starts_on=today + timedelta(days=40),
                           ends_on=today + timedelta(days=47), note="出国参加国际知识产权研讨会"))
    return rows
