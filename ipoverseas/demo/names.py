"""Invented names for the demo content: people, Chinese companies, foreign parties, firms.

Everything here is made up. Company 字号 are built from deliberately unusual character
pairs, and every firm or company that a user could mistake for a real one carries no
real brand. The pools are fixed lists so that a seeded `random.Random` gives the same
content on every load.
"""

from __future__ import annotations

import random

# --- people -------------------------------------------------------------------

SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "萧", "田", "董", "潘", "袁", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "苏",
)
GIVEN = (
    "思源", "嘉怡", "子涵", "若琳", "晓峰", "文博", "雅婷", "志强", "海燕", "立新", "静怡",
    "建华", "宇航", "欣然", "俊杰", "晨曦", "一鸣", "慧敏", "凯文", "书瑶", "浩然", "婉清", "振宇",
    "佳琪", "天佑", "梦溪", "鹏程", "雨桐", "瑞霖", "清扬", "亦凡", "可欣", "承泽", "知远",
    "若愚", "维新", "昊天", "乐怡", "景行", "沐阳", "诗涵", "启航", "晓岚", "卓然", "安澜", "逸舟",
)

FOREIGN_PRACTITIONERS = (
    # name, organisation, title, countries, languages, bio
    ("Daniel Whitcombe", "Whitcombe Harlan LLP", "Partner, patent litigator", ("US",),
     ("en",), "美国执业律师，长期代理337调查和联邦地区法院专利诉讼，熟悉中国企业应诉流程。"),
    ("Sarah Ellingford", "Ellingford & Rowe PLLC", "Trademark attorney", ("US", "CA"),
     ("en", "zh"), "美国商标律师，专注跨境电商Schedule A案件应诉与和解谈判，可使用中文沟通。"),
    ("Markus Brenninger", "Brenninger Vogt Patentanwälte", "Patentanwalt", ("DE", "EU", "UPC"),
     ("de", "en"), "德国专利律师，处理展会临时禁令、德国法院专利诉讼及统一专利法院程序。"),
    ("Claire Montauban", "Cabinet Montauban & Associés", "Avocate associée", ("FR", "EU"),
     ("fr", "en"), "法国律师，代理海关扣押异议、外观设计与商标侵权诉讼。"),
    ("Nguyen Thi Lan Anh", "Lotus Bridge IP Co.", "商标代理人", ("VN", "LA", "KH"),
     ("vi", "en", "zh"), "越南知识产权代理人，熟悉越南商标异议、无效和海关备案程序。"),
    ("Rahul Mehrotra", "Mehrotra Anand Legal", "Advocate, IP practice", ("IN",),
     ("en",), "印度律师，代理德里高等法院专利与商标诉讼及禁令应对。"),
    ("Kenji Shimamura", "島村国際特許事務所", "弁理士", ("JP",),
     ("ja", "en", "zh"), "日本弁理士，擅长外观设计、实用新型及日本海关进口禁止申请应对。"),
    ("Emre Yıldızoğlu", "Yıldızoğlu Hukuk Bürosu", "Avukat, IP partner", ("TR",),
     ("tr", "en"), "土耳其律师，代理商标抢注撤销、海关扣押和刑事搜查程序。"),
)

TITLES_CN = (
    ("合伙人律师", 8), ("高级律师", 4), ("律师", 3), ("专利代理师", 6), ("资深专利代理师", 3),
    ("商标代理人", 4), ("教授", 3), ("副教授", 2), ("研究员", 1), ("知识产权总监", 2),
)

# --- organisations ----------------------------------------------------------------

LAW_FIRMS = (
    "杭州衡澈律师事务所", "宁波澜行律师事务所", "深圳鉴衡律师事务所", "广州知潮律师事务所",
    "南京序衡律师事务所", "苏州禾章律师事务所", "上海砚界律师事务所", "上海澄域律师事务所",
    "北京棠衡律师事务所", "北京砺章律师事务所", "青岛海衍律师事务所", "厦门鹭衡律师事务所",
    "成都蜀衡律师事务所", "武汉江衡律师事务所", "天津津衍律师事务所", "合肥庐章律师事务所",
    "长沙湘衡律师事务所", "福州榕衍律师事务所", "上海沪衍律师事务所", "北京京澈律师事务所",
    "深圳前衍律师事务所", "杭州钱章律师事务所", "广州羊城衡章律师事务所",
)
AGENCIES = (
    "杭州弈知专利代理事务所", "深圳鹏翎知识产权代理有限公司", "广州穗衡专利商标事务所",
    "南京钟衍专利代理事务所", "上海浦澈知识产权代理有限公司", "北京知棠专利代理有限公司",
    "济南泉衡专利商标代理有限公司", "厦门鹭翎知识产权代理有限公司", "成都锦衡专利代理事务所",
    "武汉楚澈知识产权代理有限公司", "天津渤衍专利代理事务所", "合肥巢衡专利代理事务所",
    "长沙麓章知识产权代理有限公司", "宁波甬衍专利代理事务所", "上海临章专利代理事务所",
    "苏州姑衍专利代理事务所", "北京燕澈知识产权代理有限公司", "深圳湾章专利商标代理有限公司",
)
UNIVERSITIES = (
    "东海政法大学知识产权学院", "江南理工大学法学院", "华南经贸大学知识产权研究中心",
    "北方科技大学法学院", "西南财经政法学院知识产权研究所", "中部理工大学知识产权学院",
)

# Cities of each sub-centre's region: experts mostly work at a firm in their own region.
SUB_CENTRE_CITIES = {
    "ZJ": ("杭州", "宁波"), "GD": ("深圳", "广州"), "JS": ("南京", "苏州"), "SH": ("上海",),
    "BJ": ("北京",), "SD": ("青岛", "济南"), "FJ": ("厦门", "福州"), "SC": ("成都",), "HB": ("武汉",),
    "TJ": ("天津",), "AH": ("合肥",), "HN": ("长沙",),
}


def local_first(rng: random.Random, pool: tuple[str, ...], sub_centre: str) -> str:
    """A name from `pool`, usually one in the sub-centre's own cities."""
    local = [n for n in pool if n.startswith(SUB_CENTRE_CITIES.get(sub_centre, ("-",)))]
    return rng.choice(local if local and rng.random() < 0.85 else pool)


# --- Chinese companies ------------------------------------------------------------

CITIES = {
    "ZJ": ("宁波", "杭州", "温州", "义乌", "台州", "金华", "绍兴", "永康", "慈溪"),
    "GD": ("深圳", "广州", "东莞", "佛山", "中山", "汕头", "珠海", "惠州"),
    "JS": ("苏州", "南京", "无锡", "常州", "南通", "昆山"),
    "SH": ("上海",),
    "FJ": ("厦门", "泉州", "福州", "晋江", "莆田"),
    "SD": ("青岛", "济南", "烟台", "潍坊", "临沂"),
    "BJ": ("北京",),
    "SC": ("成都", "绵阳"),
    "HB": ("武汉", "襄阳"),
    "TJ": ("天津",),
    "AH": ("合肥", "芜湖"),
    "HN": ("长沙", "株洲"),
    "HA": ("郑州", "洛阳"),
    "HE": ("石家庄", "保定"),
    "LN": ("大连", "沈阳"),
    "CQ": ("重庆",),
    "JX": ("南昌", "赣州"),
    "GX": ("南宁", "柳州"),
    "SN": ("西安",),
}
_ZIHAO_A = "澜曜琨岚骁翎钜禾沐弈岫珩煦晞澈泓琅铖颀骐堃淏璟濠锴"
_ZIHAO_B = "程拓朗晟峯迩衍棠舜岳川麟昶驰阔澜泽睿凯恒瀚宸"

INDUSTRY_WORDS = {
    "electronics": ("电子科技", "电器", "智能科技", "数码科技", "光电"),
    "telecom": ("通信技术", "网络科技", "通讯设备"),
    "machinery": ("机械", "机电", "工具", "泵业", "智能装备"),
    "auto": ("汽车配件", "车业", "汽车电子", "车灯"),
    "new_energy": ("新能源科技", "光伏科技", "储能技术", "电池"),
    "chemicals": ("化工", "新材料", "高分子材料"),
    "pharma": ("药业", "生物医药", "制药"),
    "medical_devices": ("医疗器械", "医疗科技", "康复器材"),
    "textiles": ("服饰", "纺织", "鞋业", "箱包"),
    "light_industry": ("家居用品", "玩具", "日用品", "工艺品", "户外用品", "宠物用品"),
    "food_agri": ("食品", "茶业", "农业科技"),
    "software": ("网络科技", "软件", "信息技术"),
    "other": ("实业", "贸易"),
}


def zihao(rng: random.Random) -> str:
    return rng.choice(_ZIHAO_A) + rng.choice(_ZIHAO_B)


def chinese_company(rng: random.Random, province: str, industry: str) -> str:
    city = rng.choice(CITIES.get(province, ("",)))
    word = rng.choice(INDUSTRY_WORDS.get(industry, INDUSTRY_WORDS["other"]))
    suffix = "股份有限公司" if rng.random() < 0.15 else "有限公司"
    return f"{city}{zihao(rng)}{word}{suffix}"


# --- foreign parties ----------------------------------------------------------------
# Right holders and counterparties by market; the short pools make names repeat across
# cases, as real repeat players do (and give the conflict check something to find).

US_BRANDS = (
    "Brightwave Audio LLC", "Kestrel Outdoor Gear Inc.", "Lumenpeak Lighting Corp.",
    "Harborline Home Products LLC", "Nimbus Kids Toys Inc.", "Silverpine Apparel Co.",
    "Corvane Power Tools Inc.", "Aurelia Beauty Brands LLC", "Redfern Pet Supply LLC",
    "Tallgrass Fitness Inc.", "Bluecrest Kitchenware LLC", "Galloway Art Licensing LLC",
)
US_TECH = (
    "Voltaris Technologies Inc.", "Quantiva Semiconductor Corp.", "Arcturus Wireless LLC",
    "Helionyx Solar Inc.", "Ferrowind Machinery Corp.", "Celestar Medical Devices Inc.",
    "Orbitek Networks Inc.", "Pinnacle Drive Systems LLC", "Tessaline Display Corp.",
    "Greyhaven Patent Holdings LLC",
)
DE_PARTIES = (
    "Hohenried Werkzeuge GmbH", "Kaltenbach Elektro GmbH & Co. KG", "Lindqvist Haushaltsgeräte GmbH",
    "Sternau Fahrzeugtechnik AG", "Weidenhof Design GmbH", "Brauneck Solartechnik GmbH",
)
EU_PARTIES = (
    "Verhoeven Consumer Brands B.V.", "Maison Delacourt SAS", "Fratelli Orsolini S.p.A.",
    "Nordvik Sport AB", "Castellón Hogar S.L.", "Vandermeer Lighting NV",
    "Ostrowski Tools Sp. z o.o.",
)
GB_PARTIES = ("Ashcombe Brands Ltd", "Penhallow Designs Ltd", "Thornbury Electricals plc")
# Local companies that registered a Chinese brand first (squatting cases).
SQUATTERS = {
    "VN": ("Công ty TNHH Thương mại Minh Phát Lộc", "Công ty CP Đầu tư Hoàng Gia Khang"),
    "TH": ("Siam Prosper Trading Co., Ltd.", "Chao Phraya Ventures Co., Ltd."),
    "ID": ("PT Sinar Abadi Gemilang", "PT Nusantara Cahaya Prima"),
    "PH": ("Luzon Greatwide Trading Corp.",),
    "MY": ("Perdana Megah Enterprise Sdn Bhd", "Kinabalu Jaya Trading Sdn Bhd"),
    "SG": ("Merlion Crest Trading Pte Ltd",),
    "IN": ("Shree Vardhman Impex Pvt Ltd", "Ganga Retail Brands Pvt Ltd"),
    "BR": ("Comercial Paraná Distribuidora Ltda.", "Alvorada Importação e Comércio Ltda."),
    "MX": ("Distribuidora Tulum Norte S.A. de C.V.", "Comercializadora Bajío Azul S.A. de C.V."),
    "TR": ("Boğaziçi Marka Yönetimi Ltd. Şti.", "Ege Yıldırım Dış Ticaret Ltd. Şti."),
    "AE": ("Al Noor Brands FZE", "Desert Pearl Trading LLC"),
    "SA": ("Najd Crescent Trading Est.", "Hijaz Star Commercial Est."),
    "RU": ("OOO Severnaya Zvezda Trade", "OOO Volga Brand Group"),
    "KR": ("Hanul Trading Co., Ltd.",),
    "AU": ("Coralbay Home Goods Pty Ltd",),
}
OTHER_PARTIES = {
    "IN": ("Sarvesh Telecom Innovations Pvt Ltd", "Kaveri Consumer Durables Pvt Ltd", "Brightwave Audio LLC"),
    "BR": ("Comercial Paraná Distribuidora Ltda.", "Vitória Marcas e Patentes Ltda.", "Kestrel Outdoor Gear Inc."),
    "MX": ("Grupo Sierra Alta Importaciones S.A. de C.V.", "Distribuidora Tulum Norte S.A. de C.V."),
    "TR": ("Anadolu Yıldız Ticaret A.Ş.", "Boğaziçi Marka Yönetimi Ltd. Şti."),
    "AE": ("Gulf Horizon General Trading LLC", "Al Noor Brands FZE"),
    "SA": ("Najd Crescent Trading Est.", "Gulf Horizon General Trading LLC"),
    "JP": ("Aobadai Seiki K.K.", "Mizunami Electric Co., Ltd.", "Kusanagi Design Works K.K."),
    "KR": ("Hanbit Display Co., Ltd.", "Seorin Cosmetics Inc.", "Daegwang Auto Parts Co., Ltd."),
    "GB": GB_PARTIES,
    "FR": ("Maison Delacourt SAS", "Atelier Rivesaltes SARL"),
    "RU": ("OOO Severnaya Zvezda Trade", "OOO Volga Brand Group"),
    "AU": ("Coralbay Home Goods Pty Ltd", "Kestrel Outdoor Gear Inc.", "Wattle Sun Energy Pty Ltd"),
    "CA": ("Maplecrest Outdoor Inc.", "Northstream Devices Inc."),
    "IT": ("Fratelli Orsolini S.p.A.", "Moretti Casa S.r.l."),
    "ES": ("Castellón Hogar S.L.",),
    "NL": ("Verhoeven Consumer Brands B.V.",),
    "SG": ("Merlion Crest Trading Pte Ltd",),
    "ZA": ("Karoo Brands (Pty) Ltd",),
    "EG": ("Nile Delta Trading Co.",),
    "PL": ("Ostrowski Tools Sp. z o.o.",),
    "BE": ("Vandermeer Lighting NV",),
}

# Which industries a party is active in; the cases pick a counterparty that fits the
# product when one does. Parties missing here fit any industry.
PARTY_INDUSTRIES = {
    "Brightwave Audio LLC": ("electronics",),
    "Kestrel Outdoor Gear Inc.": ("light_industry", "textiles"),
    "Lumenpeak Lighting Corp.": ("electronics", "light_industry"),
    "Harborline Home Products LLC": ("light_industry",),
    "Nimbus Kids Toys Inc.": ("light_industry",),
    "Silverpine Apparel Co.": ("textiles",),
    "Corvane Power Tools Inc.": ("machinery",),
    "Aurelia Beauty Brands LLC": ("light_industry", "textiles"),
    "Redfern Pet Supply LLC": ("light_industry",),
    "Tallgrass Fitness Inc.": ("textiles", "light_industry"),
    "Bluecrest Kitchenware LLC": ("light_industry", "electronics"),
    "Galloway Art Licensing LLC": ("light_industry", "textiles"),
    "Voltaris Technologies Inc.": ("electronics", "new_energy", "chemicals"),
    "Quantiva Semiconductor Corp.": ("electronics", "telecom", "software"),
    "Arcturus Wireless LLC": ("telecom", "electronics"),
    "Helionyx Solar Inc.": ("new_energy",),
    "Ferrowind Machinery Corp.": ("machinery", "auto"),
    "Celestar Medical Devices Inc.": ("medical_devices", "pharma"),
    "Orbitek Networks Inc.": ("telecom", "software"),
    "Pinnacle Drive Systems LLC": ("auto", "machinery"),
    "Tessaline Display Corp.": ("electronics",),
    "Greyhaven Patent Holdings LLC": ("electronics", "telecom", "light_industry"),
    "Hohenried Werkzeuge GmbH": ("machinery",),
    "Kaltenbach Elektro GmbH & Co. KG": ("electronics", "new_energy", "telecom"),
    "Lindqvist Haushaltsgeräte GmbH": ("electronics", "light_industry"),
    "Sternau Fahrzeugtechnik AG": ("auto",),
    "Weidenhof Design GmbH": ("light_industry", "textiles", "medical_devices"),
    "Brauneck Solartechnik GmbH": ("new_energy",),
    "Verhoeven Consumer Brands B.V.": ("light_industry", "electronics"),
    "Maison Delacourt SAS": ("textiles", "light_industry"),
    "Fratelli Orsolini S.p.A.": ("auto", "light_industry"),
    "Nordvik Sport AB": ("textiles",),
    "Castellón Hogar S.L.": ("light_industry",),
    "Vandermeer Lighting NV": ("electronics",),
    "Ostrowski Tools Sp. z o.o.": ("machinery", "auto"),
    "Ashcombe Brands Ltd": ("light_industry", "textiles"),
    "Penhallow Designs Ltd": ("light_industry",),
    "Thornbury Electricals plc": ("electronics", "telecom"),
    "Sarvesh Telecom Innovations Pvt Ltd": ("telecom", "electronics"),
    "Kaveri Consumer Durables Pvt Ltd": ("electronics", "light_industry", "pharma"),
    "Aobadai Seiki K.K.": ("machinery", "medical_devices"),
    "Mizunami Electric Co., Ltd.": ("electronics", "auto"),
    "Kusanagi Design Works K.K.": ("light_industry", "auto", "medical_devices"),
    "Hanbit Display Co., Ltd.": ("electronics", "new_energy"),
    "Seorin Cosmetics Inc.": ("light_industry",),
    "Daegwang Auto Parts Co., Ltd.": ("auto",),
    "Wattle Sun Energy Pty Ltd": ("new_energy",),
    "Coralbay Home Goods Pty Ltd": ("light_industry",),
    "Maplecrest Outdoor Inc.": ("light_industry", "textiles"),
    "Northstream Devices Inc.": ("electronics", "machinery"),
    "Moretti Casa S.r.l.": ("light_industry",),
    "Atelier Rivesaltes SARL": ("textiles", "light_industry"),
    "OOO Severnaya Zvezda Trade": ("auto", "machinery"),
    "OOO Volga Brand Group": ("electronics", "light_industry"),
    "Comercial Paraná Distribuidora Ltda.": ("auto", "machinery", "light_industry"),
    "Vitória Marcas e Patentes Ltda.": ("electronics", "machinery"),
}


def fitting(pool: tuple[str, ...], industry: str) -> list[str]:
    """The parties of `pool` that fit `industry` (all of them when none does)."""
    fit = [p for p in pool if industry in PARTY_INDUSTRIES.get(p, (industry,))]
    return fit or list(pool)
