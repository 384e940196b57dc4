"""Demo cases: about 335 foreign IP disputes with Chinese parties, 2016-2026.

The mix follows what the centre sees: about 40% in the United States (Section 337
investigations, mass "Schedule A" e-commerce suits in the Northern District of
Illinois, district-court patent suits), German trade-fair injunctions, customs
detentions in EU ports, trademark squatting in South-East Asia, and a long tail of
other markets. Texts are built from templates per dispute type so that they read
naturally, differ from one case to the next and carry the terms people search for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ipoverseas.core.models import Case, Expert, ExpertPartyLink
from ipoverseas.core.vocab import IP_TYPES, PROVINCES, countries
from . import names

# Case dates are anchored to a fixed day, so the case library is the same on every load.
ANCHOR = date(2026, 11, 1)


@dataclass(frozen=True)
class Scenario:
    country: str
    dispute_type: str
    count: int
    forums: tuple[tuple[str, int], ...]
    ip_types: tuple[tuple[str, int], ...]
    industries: tuple[tuple[str, int], ...]
    plaintiff_share: float = 0.0   # share of cases where the Chinese party is the plaintiff/applicant
    min_year: int = 2016
    defendants: tuple[int, int] | None = None


ELEC_MACH_NE = (("electronics", 40), ("machinery", 25), ("new_energy", 25), ("telecom", 5), ("medical_devices", 5))
CONSUMER = (("light_industry", 40), ("electronics", 25), ("textiles", 15), ("auto", 10), ("machinery", 10))
TM_DESIGN = (("trademark", 55), ("design", 30), ("patent", 15))
SQUAT_IND = (("light_industry", 30), ("electronics", 20), ("auto", 15), ("food_agri", 10), ("textiles", 10),
             ("machinery", 10), ("new_energy", 5))

SCENARIOS: tuple[Scenario, ...] = (
    # United States (about 40%)
    Scenario("US", "itc_337", 30, (("itc", 1),), (("patent", 85), ("trademark", 5), ("trade_secret", 10)),
             ELEC_MACH_NE, defendants=(1, 12)),
    Scenario("US", "ecommerce", 56, (("court", 1),),
             (("trademark", 45), ("design", 25), ("copyright", 20), ("patent", 10)),
             (("light_industry", 45), ("textiles", 20), ("electronics", 20), ("auto", 10), ("machinery", 5)),
             min_year=2018, defendants=(20, 600)),
    Scenario("US", "ecommerce", 12, (("ecommerce_platform", 1),), (("patent", 50), ("design", 30), ("trademark", 20)),
             CONSUMER, min_year=2018),
    Scenario("US", "litigation", 26, (("court", 1),),
             (("patent", 60), ("trademark", 20), ("design", 10), ("copyright", 10)),
             (("electronics", 30), ("machinery", 20), ("new_energy", 15), ("auto", 10), ("medical_devices", 10),
              ("light_industry", 15)), plaintiff_share=0.15, defendants=(1, 3)),
    Scenario("US", "trade_secret_criminal", 6, (("court", 1),), (("trade_secret", 1),),
             (("electronics", 30), ("chemicals", 25), ("software", 25), ("new_energy", 20))),
    Scenario("US", "licensing", 6, (("court", 60), ("arbitration", 40)), (("patent", 85), ("copyright", 15)),
             (("telecom", 50), ("electronics", 30), ("software", 20))),
    # Germany and the UPC
    Scenario("DE", "trade_fair", 24, (("trade_fair", 60), ("court", 40)),
             (("design", 35), ("patent", 25), ("utility_model", 20), ("trademark", 20)),
             (("machinery", 30), ("electronics", 25), ("light_industry", 20), ("auto", 15), ("new_energy", 10))),
    Scenario("DE", "litigation", 8, (("court", 1),), (("patent", 60), ("utility_model", 20), ("design", 20)),
             (("telecom", 30), ("auto", 25), ("electronics", 25), ("machinery", 20)), plaintiff_share=0.1),
    Scenario("UPC", "litigation", 4, (("court", 1),), (("patent", 1),),
             (("electronics", 40), ("new_energy", 40), ("medical_devices", 20)), min_year=2023),
    # Customs detentions in EU ports and the UK
    Scenario("DE", "customs", 5, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("NL", "customs", 5, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("BE", "customs", 3, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("FR", "customs", 3, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("IT", "customs", 2, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("ES", "customs", 2, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("PL", "customs", 2, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("GB", "customs", 2, (("customs", 1),), TM_DESIGN, CONSUMER),
    # Other Europe
    Scenario("FR", "trade_fair", 3, (("trade_fair", 50), ("court", 50)), (("design", 60), ("trademark", 40)),
             (("light_industry", 60), ("machinery", 40))),
    Scenario("IT", "trade_fair", 3, (("trade_fair", 1),), (("design", 60), ("trademark", 40)),
             (("auto", 50), ("light_industry", 50))),
    Scenario("ES", "trade_fair", 2, (("court", 1),), (("patent", 1),), (("telecom", 1),)),
    Scenario("GB", "litigation", 5, (("court", 1),), (("patent", 60), ("trademark", 20), ("design", 20)),
             (("telecom", 40), ("electronics", 30), ("light_industry", 30))),
    Scenario("GB", "ecommerce", 3, (("court", 50), ("ecommerce_platform", 50)), (("trademark", 60), ("copyright", 40)),
             CONSUMER, min_year=2019, defendants=(10, 150)),
    Scenario("FR", "litigation", 2, (("court", 1),), (("design", 50), ("trademark", 50)), CONSUMER),
    Scenario("RU", "squatting", 3, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("RU", "litigation", 3, (("court", 1),), (("trademark", 60), ("patent", 40)),
             (("auto", 40), ("machinery", 30), ("electronics", 30))),
    # South-East Asia
    Scenario("VN", "squatting", 9, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("TH", "squatting", 7, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("ID", "squatting", 8, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("PH", "squatting", 5, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("MY", "squatting", 5, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("SG", "squatting", 2, (("ip_office", 1),), (("trademark", 80), ("domain_name", 20)), SQUAT_IND,
             plaintiff_share=1.0),
    Scenario("VN", "customs", 2, (("customs", 1),), (("trademark", 1),), SQUAT_IND),
    Scenario("TH", "customs", 1, (("customs", 1),), (("trademark", 1),), SQUAT_IND),
    Scenario("ID", "litigation", 2, (("court", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=0.5),
    # India, Latin America, Türkiye, the Gulf
    Scenario("IN", "litigation", 6, (("court", 1),), (("patent", 70), ("design", 30)),
             (("telecom", 50), ("electronics", 30), ("pharma", 20))),
    Scenario("IN", "squatting", 3, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("IN", "customs", 2, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("BR", "customs", 3, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("BR", "squatting", 3, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("BR", "litigation", 2, (("court", 1),), (("patent", 50), ("trademark", 50)),
             (("machinery", 50), ("auto", 50))),
    Scenario("MX", "customs", 4, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("MX", "squatting", 3, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("TR", "customs", 4, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("TR", "squatting", 3, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("AE", "customs", 4, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("AE", "squatting", 2, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("SA", "customs", 2, (("customs", 1),), TM_DESIGN, CONSUMER),
    Scenario("SA", "squatting", 2, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    # Japan, Korea, Australia, Canada, Africa
    Scenario("JP", "litigation", 6, (("court", 1),), (("patent", 50), ("design", 30), ("utility_model", 20)),
             (("electronics", 40), ("auto", 30), ("medical_devices", 30))),
    Scenario("JP", "customs", 3, (("customs", 1),), (("trademark", 50), ("design", 50)), CONSUMER),
    Scenario("KR", "litigation", 4, (("court", 1),), (("patent", 60), ("design", 40)),
             (("electronics", 50), ("new_energy", 50))),
    Scenario("KR", "trade_secret_criminal", 2, (("court", 1),), (("trade_secret", 1),),
             (("electronics", 50), ("new_energy", 50))),
    Scenario("KR", "squatting", 2, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("AU", "litigation", 3, (("court", 1),), (("trademark", 50), ("patent", 50)),
             (("new_energy", 50), ("light_industry", 50))),
    Scenario("AU", "ecommerce", 2, (("ecommerce_platform", 1),), (("trademark", 1),), CONSUMER),
    Scenario("AU", "squatting", 1, (("ip_office", 1),), (("trademark", 1),), SQUAT_IND, plaintiff_share=1.0),
    Scenario("CA", "ecommerce", 2, (("court", 1),), (("trademark", 1),), CONSUMER, defendants=(15, 80)),
    Scenario("CA", "litigation", 2, (("court", 1),), (("patent", 1),), (("machinery", 50), ("electronics", 50))),
    Scenario("ZA", "customs", 1, (("customs", 1),), (("trademark", 1),), CONSUMER),
    Scenario("EG", "customs", 1, (("customs", 1),), (("trademark", 1),), CONSUMER),
)

YEAR_WEIGHTS = {2016: 3, 2017: 4, 2018: 5, 2019: 6, 2020: 6, 2021: 8, 2022: 10, 2023: 12, 2024: 14, 2025: 16, 2026: 13}
PROVINCE_WEIGHTS = {
    "ZJ": 22, "GD": 22, "JS": 12, "SH": 10, "FJ": 8, "SD": 7, "BJ": 4, "SC": 3, "HB": 3, "TJ": 2,
    "AH": 3, "HN": 3, "HA": 1, "HE": 1, "LN": 1, "CQ": 1, "JX": 1, "GX": 1, "SN": 1,
}
DURATION_DAYS = {
    "ecommerce": (45, 260), "itc_337": (120, 560), "trade_fair": (2, 90), "customs": (10, 150),
    "squatting": (150, 900), "litigation": (180, 1100), "licensing": (200, 900),
    "trade_secret_criminal": (300, 1200),
}
OUTCOMES = {
    "ecommerce": (("default_judgment", 45), ("settled", 35), ("withdrawn", 10), ("won", 7), ("lost", 3)),
    "ecommerce_platform": (("won", 30), ("settled", 25), ("withdrawn", 20), ("lost", 25)),
    "itc_337": (("settled", 35), ("withdrawn", 12), ("lost", 15), ("won", 20), ("default_judgment", 10),
                ("partial", 8)),
    "trade_fair": (("settled", 40), ("lost", 25), ("won", 20), ("withdrawn", 15)),
    "customs": (("won", 40), ("lost", 30), ("settled", 20), ("withdrawn", 10)),
    "squatting": (("won", 45), ("partial", 10), ("lost", 20), ("settled", 20), ("withdrawn", 5)),
    "litigation": (("won", 25), ("lost", 20), ("settled", 33), ("partial", 10), ("withdrawn", 10),
                   ("default_judgment", 2)),
    "licensing": (("settled", 60), ("won", 15), ("lost", 15), ("partial", 10)),
    "trade_secret_criminal": (("lost", 30), ("settled", 30), ("won", 25), ("withdrawn", 15)),
}
AMOUNT_USD = {
    "ecommerce": (5_000, 400_000), "itc_337": (500_000, 40_000_000), "trade_fair": (5_000, 120_000),
    "customs": (10_000, 800_000), "squatting": (5_000, 200_000), "litigation": (50_000, 20_000_000),
    "licensing": (200_000, 30_000_000), "trade_secret_criminal": (300_000, 50_000_000),
}

PRODUCTS = {
    "electronics": ("无线耳机", "蓝牙音箱", "移动电源", "智能手表", "LED灯具", "快充充电器", "电子烟具", "投影仪"),
    "telecom": ("4G通信模组", "无线路由器", "智能手机", "5G基站天线", "物联网模块"),
    "machinery": ("电动工具", "园林机械", "数控机床配件", "水泵", "割草机", "电动扳手"),
    "auto": ("汽车灯具", "铝合金轮毂", "刹车片", "车载充电器", "摩托车配件", "汽车脚垫"),
    "new_energy": ("光伏组件", "储能电池", "光伏逆变器", "电动自行车电池", "便携式储能电源"),
    "chemicals": ("化工中间体", "工业涂料", "高分子材料", "锂电池隔膜材料"),
    "pharma": ("原料药", "仿制药制剂", "医药中间体"),
    "medical_devices": ("指夹式血氧仪", "电子体温计", "医用口罩", "牙科器械", "雾化器"),
    "textiles": ("运动服装", "羽绒服", "箱包", "运动鞋", "瑜伽服"),
    "light_industry": ("毛绒玩具", "户外家具", "厨房小家电", "宠物用品", "圣诞装饰灯", "保温杯", "化妆刷",
                       "儿童积木", "手机壳", "假发"),
    "food_agri": ("茶叶", "调味品", "休闲食品", "农用喷雾器"),
    "software": ("手机应用", "游戏软件", "工业控制软件", "SaaS管理系统"),
}
INDUSTRY_SHORT = {
    "electronics": "电子", "telecom": "通信设备", "machinery": "机械", "auto": "汽车零部件",
    "new_energy": "新能源", "chemicals": "化工", "pharma": "医药", "medical_devices": "医疗器械",
    "textiles": "服装", "light_industry": "轻工", "food_agri": "食品", "software": "软件",
}

US_COURTS = ("美国德克萨斯州东区联邦地区法院", "美国特拉华州联邦地区法院", "美国加利福尼亚州中区联邦地区法院",
             "美国纽约州南区联邦地区法院", "美国德克萨斯州西区联邦地区法院")
SCHEDULE_A_COURTS = (("美国伊利诺伊州北区联邦地区法院", 80), ("美国佛罗里达州南区联邦地区法院", 12),
                     ("美国宾夕法尼亚州西区联邦地区法院", 8))
COURTS = {
    "DE": ("杜塞尔多夫地区法院", "慕尼黑第一地区法院", "曼海姆地区法院", "汉堡地区法院"),
    "UPC": ("统一专利法院杜塞尔多夫地方分庭", "统一专利法院慕尼黑地方分庭", "统一专利法院海牙地方分庭"),
    "GB": ("英格兰及威尔士高等法院",), "FR": ("巴黎司法法院",), "ES": ("巴塞罗那商事法院",),
    "JP": ("东京地方法院", "大阪地方法院"), "KR": ("首尔中央地方法院",), "IN": ("德里高等法院",),
    "BR": ("圣保罗州法院",), "AU": ("澳大利亚联邦法院",), "CA": ("加拿大联邦法院",),
    "RU": ("俄罗斯知识产权法院",), "ID": ("雅加达中央商事法院",),
}
IP_OFFICES = {
    "VN": "越南国家知识产权局", "TH": "泰国知识产权厅", "ID": "印尼知识产权总局", "PH": "菲律宾知识产权局",
    "MY": "马来西亚知识产权局", "SG": "新加坡知识产权局", "IN": "印度商标注册处", "BR": "巴西国家工业产权局",
    "MX": "墨西哥工业产权局", "TR": "土耳其专利商标局", "AE": "阿联酋经济部商标局", "SA": "沙特知识产权局",
    "KR": "韩国知识产权局", "RU": "俄罗斯联邦知识产权局", "AU": "澳大利亚知识产权局",
}
CUSTOMS_PORTS = {
    "DE": "汉堡港海关", "NL": "鹿特丹港海关", "BE": "安特卫普港海关", "FR": "勒阿弗尔港海关",
    "IT": "热那亚港海关", "ES": "瓦伦西亚港海关", "PL": "格但斯克港海关", "GB": "英国边境执法署",
    "VN": "海防海关", "TH": "林查班港海关", "IN": "孟买海关", "BR": "桑托斯港海关", "MX": "曼萨尼约港海关",
    "TR": "伊斯坦布尔海关", "AE": "迪拜海关", "SA": "吉达港海关", "JP": "大阪海关", "ZA": "德班港海关",
    "EG": "亚历山大港海关",
}
FAIRS = {
    "DE": {"machinery": ("汉诺威工业博览会", "科隆国际五金博览会"), "electronics": ("柏林国际消费电子展",),
           "new_energy": ("慕尼黑国际太阳能技术博览会",), "light_industry": ("法兰克福国际消费品展览会", "纽伦堡国际玩具展"),
           "auto": ("法兰克福国际汽车零配件展",), "medical_devices": ("杜塞尔多夫国际医疗器械展",)},
    "FR": {"_": ("巴黎国际家居装饰博览会", "巴黎国际农业机械展")},
    "IT": {"auto": ("米兰国际摩托车展",), "_": ("米兰国际家具展",)},
    "ES": {"_": ("巴塞罗那世界移动通信大会",)},
}

# --- texts ---------------------------------------------------------------------------

TITLES = {
    "itc_337": ("美国337调查：某{product}企业被诉{ip}侵权案", "美国337调查：{n}家中国企业涉{product}{ip}侵权调查案",
                "美国337调查：{opp}诉某{short}企业{product}侵权案"),
    "ecommerce_sched": ("美国Schedule A诉讼：{n}家跨境电商卖家因{product}被诉{ip}侵权案",
                        "美国电商TRO案：某{product}卖家店铺资金被冻结案",
                        "美国Schedule A诉讼：{opp}起诉{n}名{product}卖家{ip}侵权案"),
    "ecommerce_platform": ("{country}电商平台投诉：某{product}卖家遭{ip}侵权投诉案",
                           "{country}亚马逊平台投诉：某{short}企业{product}链接被下架案"),
    "ecommerce_court": ("{country}电商批量诉讼：{n}名{product}卖家被诉{ip}侵权案",),
    "trade_fair": ("{country}展会禁令：某{product}企业参展遭临时禁令案", "{fair}：某{short}企业{product}被诉{ip}侵权案",
                   "{country}展会纠纷：某{product}企业展品涉嫌{ip}侵权被撤展案"),
    "customs": ("{country}海关扣押：某{product}出口货物涉嫌{ip}侵权被扣案", "{port}扣货案：某{short}企业{product}被疑侵犯{ip}",
                "{country}海关扣押：某企业{product}因{ip}问题被扣留案"),
    "squatting": ("{country}商标抢注：某{product}品牌商标被抢注异议案", "{country}商标抢注：某{short}企业商标被当地经销商抢注案",
                  "{country}商标无效宣告：某{product}品牌夺回被抢注商标案"),
    "litigation_def": ("{country}{ip}侵权诉讼：某{product}企业被诉侵权案", "{country}{ip}诉讼：{opp}诉某{short}企业案",
                       "{court}{ip}侵权案：某{product}企业应诉纪实"),
    "litigation_pla": ("{country}{ip}侵权诉讼：某{short}企业主动起诉维权案", "{country}维权诉讼：某{product}企业起诉当地仿冒者案"),
    "licensing": ("{country}专利许可纠纷：某{product}企业标准必要专利许可费争议案", "{country}许可合同纠纷：某{short}企业与{opp}许可争议案"),
    "trade_secret_criminal": ("{country}商业秘密纠纷：某{short}企业被指控窃取商业秘密案",
                              "{country}商业秘密案：某{product}企业前员工跳槽引发侵权指控案"),
}

INTROS = {
    "itc_337": (
        "{year}年，{opp}向美国国际贸易委员会（ITC）提起337调查申请，指控包括{party}在内的{n}家企业出口至美国的{product}侵犯其{ip}。",
        "{party}主要向北美出口{product}。{year}年，美国国际贸易委员会应{opp}申请对其发起337调查，申请人请求发布普遍排除令。",
        "{opp}以{party}等企业的{product}侵犯其多项美国{ip}为由申请337调查，涉案企业面临被排除出美国市场的风险。",
    ),
    "ecommerce_sched": (
        "{year}年，{opp}在{court}以Schedule A方式起诉{n}名跨境电商卖家，指控其销售的{product}侵犯其{ip}，{party}的店铺位列被告名单。",
        "{party}在亚马逊、沃尔玛等平台销售{product}，突然收到平台通知称店铺资金因{court}的临时限制令（TRO）被冻结。原告{opp}在同一案件中起诉了{n}名被告。",
        "{opp}委托律师事务所以“Schedule A”批量起诉方式，在{court}对{n}个网店主张{ip}侵权，并申请了临时限制令和资产冻结，{party}是其中之一。",
    ),
    "ecommerce_platform": (
        "{party}在{country}电商平台上销售{product}，{year}年收到平台通知，{opp}投诉其链接侵犯{ip}，多个热销链接被下架。",
        "{opp}通过平台知识产权投诉机制对{party}的{product}发起{ip}侵权投诉，平台要求卖家在限期内提交申诉材料，否则将下架商品并限制账户。",
    ),
    "ecommerce_court": (
        "{opp}在{court}对{n}名网店经营者提起{ip}侵权诉讼，并申请冻结其平台账户资金，{party}名列其中。",
    ),
    "trade_fair": (
        "{year}年{party}参加{fair}，开展第二天即被送达{opp}申请的临时禁令，指控其展出的{product}侵犯{ip}，展品被要求撤下。",
        "在{fair}期间，{opp}认为{party}展出的{product}与其{ip}相同或近似，向法院申请并获得诉前临时禁令，由法院执行官到展台送达。",
        "{party}首次赴{country}参展即遭遇知识产权纠纷：{opp}向展会主办方投诉并向法院申请禁令，指控其{product}侵犯{ip}。",
    ),
    "customs": (
        "{year}年，{party}出口至{country}的一批{product}在{port}被扣留。{opp}此前已在当地海关进行知识产权备案，认为该批货物侵犯其{ip}。",
        "{port}在查验中发现{party}的{product}涉嫌侵犯{opp}的{ip}，遂依职权采取海关扣押措施并通知权利人和收货人。",
        "{party}发往{country}的集装箱因涉嫌侵犯{opp}的{ip}被{port}暂扣，货值较大，客户催货压力明显。",
    ),
    "squatting": (
        "{party}拟开拓{country}市场时发现，当地公司{opp}已抢先在{office}申请注册其核心商标，并开始以此向其经销商索要费用。",
        "{year}年，{party}的前代理商{opp}在{office}将{party}的商标以自己名义申请注册，构成典型的商标抢注。",
        "{party}的{product}在{country}销量上升后，{opp}在{office}抢注了与其商标相同的标识，并向当地海关和平台发起投诉。",
    ),
    "litigation_def": (
        "{year}年，{opp}在{court}起诉{party}，指控其在{market}销售的{product}侵犯其{ip}，请求禁令和损害赔偿。",
        "{party}向{country}出口{product}多年。{opp}以侵犯{ip}为由在{court}提起诉讼，同时向其主要客户发送警告函。",
        "{opp}在{court}对{party}提起{ip}侵权诉讼，并申请初步禁令，企业在当地的销售渠道受到严重影响。",
    ),
    "litigation_pla": (
        "{party}发现{opp}在{country}大量销售仿冒其{product}的产品，遂在{court}提起{ip}侵权诉讼。",
        "{year}年，{party}在{court}起诉{opp}侵犯其{ip}，这是该企业首次在海外主动维权。",
    ),
    "licensing": (
        "{opp}声称持有与{product}相关的标准必要专利，要求{party}按较高费率支付许可费，双方谈判破裂后进入{forum}程序。",
        "{party}与{opp}的许可合同到期后，就续约费率和FRAND义务产生争议，{opp}在{court}提起诉讼。",
    ),
    "trade_secret_criminal": (
        "{opp}指控{party}通过招聘其前员工获取{product}相关技术资料，在{court}提起商业秘密侵权诉讼，并引发执法部门调查。",
        "{year}年，{party}在{country}的子公司被{opp}指控窃取商业秘密，涉及{product}的工艺参数和客户名单，相关人员面临刑事风险。",
    ),
}

RESULTS = {
    "ecommerce": {
        "default_judgment": ("多数被告未到庭应诉，法院作出缺席判决，判令赔偿并将冻结的平台资金划转给原告。",
                             "{party}未及时应诉，法院对其作出缺席判决，账户内资金被全部划扣。"),
        "settled": ("{party}委托美国律师评估后与原告达成和解，支付{amount}和解金后账户解冻。",
                    "{party}与原告达成和解，原告撤回对其起诉，店铺资金随之解冻。",
                    "经律师与原告谈判，{party}以{amount}和解，原告撤回对其起诉并解除临时限制令。"),
        "withdrawn": ("在被告提出管辖权和证据异议后，原告对{party}撤回起诉，冻结资金随之解除。",),
        "won": ("{party}积极应诉并提交不侵权证据，法院拒绝将临时限制令转为初步禁令，对其驳回起诉。",),
        "lost": ("{party}应诉后法院仍认定构成侵权，判令其赔偿{amount}并永久停止销售涉案产品。",
                 "{party}应诉后法院仍认定构成侵权，发布永久禁令并划扣了冻结资金。"),
        "pending": ("目前案件仍在审理中，临时限制令和资产冻结尚未解除。",),
    },
    "ecommerce_platform": {
        "won": ("{party}提交不侵权比对说明后，平台恢复了被下架的链接。",
                "{party}申请平台的专利中立评估，评估人认定不侵权，链接恢复上架。"),
        "settled": ("{party}与投诉方沟通后达成和解，投诉方撤回投诉，链接恢复。",),
        "withdrawn": ("投诉方在收到{party}的申诉材料后撤回了投诉。",),
        "lost": ("申诉未获平台支持，涉案链接被永久下架，店铺绩效受到影响。",),
        "pending": ("目前申诉仍在平台审核中，涉案链接暂时下架。",),
    },
    "itc_337": {
        "won": ("经行政法官审理，ITC最终裁定不存在违反337条款的行为，涉案产品可继续进入美国市场。",),
        "lost": ("ITC最终裁定违反337条款，发布有限排除令和禁止令，涉案产品被禁止进入美国市场。",),
        "settled": ("调查期间双方达成和解协议，{party}获得许可后ITC以和解为由终止对其调查。",
                    "{party}在证据开示阶段与申请人达成和解，支付{amount}许可费后被撤出调查。"),
        "withdrawn": ("申请人在证据开示阶段撤回对{party}的指控，调查随即终止。",),
        "default_judgment": ("部分被申请人未应诉被认定缺席，ITC对其发布普遍排除令，{party}的产品亦受影响。",),
        "partial": ("ITC裁定部分型号产品侵权，{party}通过规避设计保住了新款产品的美国市场。",),
        "pending": ("目前调查仍在进行中，尚待行政法官作出初裁。",),
    },
    "trade_fair": {
        "won": ("{party}提交在先设计证据并提出异议，法院撤销了临时禁令。",),
        "lost": ("法院依单方申请作出临时禁令，{party}被要求撤下展品并承担律师费{amount}。",
                 "法院依单方申请作出临时禁令，{party}被要求撤下全部涉案展品，并被禁止在{country}销售。"),
        "settled": ("{party}签署带违约金条款的停止侵权声明并支付费用，纠纷以和解了结。",
                    "经现场律师协调，{party}与权利人和解，承诺不在当地销售涉案型号。"),
        "withdrawn": ("展会结束后权利人撤回了禁令申请。",),
        "pending": ("目前本案实体诉讼仍在进行中。",),
    },
    "customs": {
        "won": ("{party}在法定期限内提交不侵权说明和权属证明，海关解除扣押，货物放行。",),
        "lost": ("{party}未能在期限内提出异议，涉案货物被认定侵权并予以销毁。",),
        "settled": ("经律师协调，{party}与权利人达成和解，同意销毁部分货物并更换包装后放行其余货物。",),
        "withdrawn": ("权利人未在期限内提起诉讼，海关依法放行货物。",),
        "pending": ("目前货物仍处于扣押状态，权利人已提起诉讼。",),
    },
    "squatting": {
        "won": ("{party}提出异议并举证其商标在先使用和知名度，{office}支持了异议，抢注商标被驳回。",
                "{party}以恶意抢注为由提出无效宣告请求，{office}宣告抢注商标无效。"),
        "lost": ("因{party}无法证明在当地的在先使用，异议未获支持，抢注商标获准注册。",),
        "partial": ("{office}部分支持异议，抢注商标在核心商品类别上被驳回。",),
        "settled": ("经谈判，{party}以{amount}购回抢注商标。", "经谈判，{party}支付转让费后购回了抢注商标。"),
        "withdrawn": ("抢注人在答辩期内主动撤回了商标申请。",),
        "pending": ("目前异议程序仍在审理中。",),
    },
    "litigation_def": {
        "won": ("法院认定不构成侵权，驳回原告全部诉讼请求。", "{party}提起无效请求，涉案专利被宣告无效，原告随后撤诉。"),
        "lost": ("法院判决{party}构成侵权，判令停止侵权并赔偿{amount}。", "法院判决{party}构成侵权，判令停止侵权并赔偿损失。"),
        "partial": ("法院认定部分产品构成侵权，判赔金额远低于原告主张。",),
        "settled": ("双方在审前达成和解，{party}支付许可费并获得授权。",),
        "withdrawn": ("原告在{party}提出不侵权抗辩后撤回起诉。",),
        "default_judgment": ("{party}未应诉，法院作出缺席判决，判赔{amount}。", "{party}未应诉，法院作出缺席判决并发布禁令。"),
        "pending": ("目前案件仍在审理中。",),
    },
    "litigation_pla": {
        "won": ("法院支持{party}的诉讼请求，判令被告停止侵权并赔偿{amount}。", "法院支持{party}的诉讼请求，判令被告停止侵权。"),
        "lost": ("法院认定被告不构成侵权，{party}败诉。",),
        "partial": ("法院认定部分侵权成立，判赔金额低于{party}的主张。",),
        "settled": ("被告同意停止销售并支付赔偿，双方和解。",),
        "withdrawn": ("被告下架产品并承诺不再销售后，{party}撤回起诉。",),
        "default_judgment": ("被告未应诉，法院作出缺席判决支持{party}。",),
        "pending": ("目前案件仍在审理中。",),
    },
    "licensing": {
        "settled": ("双方最终以低于初始报价的费率签订全球许可协议，许可费总额{amount}。",
                    "双方最终以低于初始报价的费率签订全球许可协议。"),
        "won": ("法院认定对方报价不符合FRAND原则，支持了{party}主张的费率区间。",),
        "lost": ("法院支持了权利人的费率主张，{party}需补缴许可费{amount}。", "法院支持了权利人的费率主张，{party}需按该费率补缴许可费。"),
        "partial": ("裁决费率介于双方报价之间，{party}节省了可观的许可成本。",),
        "pending": ("目前双方仍在诉讼与谈判并行推进中。",),
    },
    "trade_secret_criminal": {
        "lost": ("陪审团认定构成商业秘密侵权，判令{party}赔偿{amount}并禁止使用相关技术。",
                 "法院认定构成商业秘密侵权，禁止{party}使用相关技术并判令赔偿。"),
        "settled": ("双方达成和解，{party}支付补偿并接受第三方审计，民事诉讼撤回。",),
        "won": ("{party}证明相关技术系独立研发，法院驳回了全部指控。",),
        "withdrawn": ("检方在审查证据后撤销了指控，对方亦撤回民事诉讼。",),
        "pending": ("目前民事诉讼和相关调查仍在进行中。",),
    },
}

GUIDANCE = {
    "itc_337": (
        "分中心第一时间组织专家研判，建议企业在规定期限内应诉，避免被认定缺席而遭受普遍排除令。",
        "专家建议企业同步启动涉案专利无效（IPR）程序并开展规避设计，以增加和解谈判筹码。",
        "分中心协助企业联合其他被申请人共同委托律师，分摊应诉成本，并梳理现有技术证据。",
        "专家指导企业做好证据开示准备，保全研发记录，评估和解与继续抗辩的成本收益。",
    ),
    "ecommerce": (
        "分中心提示企业不要忽视法院传票，应在临时限制令听证前评估是否应诉，并核实原告主张的侵权证据。",
        "专家建议企业委托美国律师提出管辖异议或与原告协商和解，同时排查店铺内其他可能侵权的链接。",
        "分中心帮助企业核算冻结金额与应诉成本，指导其在和解协议中争取尽快解冻账户资金。",
        "专家协助企业检索原告商标和外观设计专利的有效性，发现权利存在瑕疵后据此谈判。",
        "分中心组织同案被告企业交流应对经验，并推荐熟悉Schedule A案件的律师。",
    ),
    "ecommerce_platform": (
        "分中心建议企业在平台规定的期限内提交申诉，附上不侵权比对和产品设计开发记录。",
        "专家建议企业联系投诉方了解其权利依据，必要时通过平台的专利中立评估程序解决。",
        "分中心提示企业下架同类高风险链接，防止账户因多次投诉被停用。",
        "专家协助企业核查投诉方{ip}的权利状态，发现权利存在瑕疵后据此向平台申诉。",
    ),
    "trade_fair": (
        "分中心建议企业参展前进行专利和外观设计检索，随身携带在先设计证据和权属文件，必要时提前提交保护函。",
        "专家现场远程指导企业配合法院执行官，不与对方发生冲突，并在律师审阅前不要签署停止侵权声明。",
        "分中心协调当地律师在48小时内评估禁令依据，帮助企业判断是否提出异议。",
        "专家提醒企业注意停止侵权声明中违约金条款的风险，争取修改措辞、缩小承诺范围。",
    ),
    "customs": (
        "分中心提示企业在海关通知后的法定期限内提出异议，并准备商标授权书、设计来源证明等材料。",
        "专家建议企业核查收货人和订单背景，评估是否为OEM贴牌加工，并与权利人沟通争取放行。",
        "分中心协助企业联系当地代理人，向海关说明货物为合法授权产品，申请提供担保后放行。",
        "专家建议企业梳理出口产品的知识产权清单，对高风险市场提前开展海关备案检索。",
    ),
    "squatting": (
        "分中心建议企业在异议期内提出异议，收集当地销售发票、广告投放和经销合同等在先使用证据。",
        "专家指导企业以恶意抢注为由提出无效宣告，并同步在当地补充申请商标，必要时通过马德里体系延伸保护。",
        "分中心协助企业评估购回商标与法律程序的成本，建议先发律师函施压再谈判。",
        "专家提醒企业检查与代理商的合同是否约定商标归属条款，以代理人抢注条款主张权利。",
    ),
    "litigation": (
        "分中心组织专家对涉案{ip}进行侵权比对，建议企业尽早聘请当地律师并评估无效抗辩。",
        "专家建议企业保留完整的研发和销售记录，评估损害赔偿风险，并考虑和解或交叉许可。",
        "分中心帮助企业与当地律所建立联系，争取到律师费用分期和封顶安排。",
        "专家建议企业在应诉的同时启动规避设计，降低禁令对出口业务的冲击。",
    ),
    "licensing": (
        "专家帮助企业梳理对方专利组合的必要性与有效性，建议以可比许可协议为依据提出反报价。",
        "分中心建议企业保留谈判往来记录，证明自身是善意被许可人，以应对禁令风险。",
        "专家提示企业评估在中国法院提起费率裁决诉讼的可能性，形成平行程序。",
    ),
    "trade_secret_criminal": (
        "分中心建议企业立即开展内部调查，隔离涉案资料，并为员工聘请独立的刑事辩护律师。",
        "专家指导企业完善入职背景审查和保密承诺，证明涉案技术系独立研发。",
        "分中心提示企业相关人员出境前评估刑事风险，必要时暂缓赴当地出差。",
    ),
}

LESSONS = {
    "ecommerce_platform": (
        "平台投诉处理周期短，卖家应熟悉平台申诉规则并在期限内提交完整材料。",
        "跨境电商卖家上架前应检索商标、外观设计专利和版权，避免在标题和图片中使用他人品牌。",
        "投诉往往是诉讼的前奏，被投诉后应同步评估被起诉的风险，分散店铺资金。",
        "自有产品应及时在主要市场申请外观设计专利和商标，并完成平台品牌备案。",
    ),
    "itc_337": (
        "337调查节奏快、成本高，企业应提前建立专利预警机制，在进入美国市场前完成自由实施（FTO）分析。",
        "积极应诉往往能换来更好的和解条件，缺席将直接导致排除令。",
        "规避设计和现有技术检索是337调查中最有效的防御手段之一。",
        "行业企业联合应诉可以显著降低单家企业的应诉成本。",
    ),
    "ecommerce": (
        "Schedule A案件中大多数被告选择沉默，最终被缺席判决并划扣资金；及时应诉通常可以争取到较低的和解金额。",
        "跨境电商卖家上架前应检索商标、外观设计专利和版权，避免在标题和图片中使用他人品牌。",
        "店铺资金应分散管理，避免单一账户被冻结导致经营中断。",
        "收到平台冻结通知后，应第一时间查明案号和原告，不要轻信所谓“代理撤案”服务。",
    ),
    "trade_fair": (
        "参展前的知识产权排查和保护函是应对展会临时禁令的关键。",
        "德国展会禁令可在一天内作出，企业要提前准备应急预案和当地律师联系方式。",
        "不要在压力下签署停止侵权声明，其违约金条款可能带来长期风险。",
        "展会既是营销场合，也是竞争对手取证和维权的场合，展品和宣传资料要经过合规审查。",
    ),
    "customs": (
        "出口贴牌产品要核实委托方的商标授权，保存授权链条文件。",
        "海关扣押的异议期限很短，企业需要提前确定当地代理人。",
        "企业自身的商标和外观设计也应在主要市场海关备案，形成主动保护。",
        "扣货不等于侵权，准备充分的不侵权证据往往可以争取放行。",
    ),
    "squatting": (
        "商标注册具有地域性，“产品未动、商标先行”，进入新市场前应在当地完成商标布局。",
        "与海外代理商签订合同时应明确商标归属，并保留往来证据。",
        "遭遇抢注后应尽快在异议期内行动，错过异议期后只能通过成本更高的无效程序解决。",
        "购回被抢注商标是不得已的选择，提前注册的成本远低于事后补救。",
    ),
    "litigation": (
        "进入目标市场前开展专利和商标风险排查，可以大幅降低被诉风险。",
        "海外诉讼费用高昂，企业可考虑购买海外知识产权侵权责任保险。",
        "积极的无效抗辩可以改变谈判力量对比。",
        "企业要重视警告函，及时寻求专业意见而不是置之不理。",
    ),
    "licensing": (
        "通信类企业出海前应评估标准必要专利许可成本，将其纳入产品定价。",
        "FRAND谈判中保留善意谈判的证据，是抵御禁令的重要基础。",
        "加入专利池或采用平行程序，可以提高许可谈判效率。",
    ),
    "trade_secret_criminal": (
        "招聘竞争对手员工时要做好背景审查，并要求其书面承诺不带入前雇主资料。",
        "商业秘密案件可能同时涉及民事和刑事责任，企业要建立完善的合规体系。",
        "技术研发过程要留痕，独立研发证据是最有力的抗辩。",
    ),
}

DISTINCTION_REASONS = {
    "typical": (
        "该案反映了{country}{dtype}纠纷的典型特征，应对过程完整，对同类企业具有参考价值。",
        "案情在{dtype}案件中具有代表性，企业应对及时、结果较好，可作为典型案例推广。",
        "该案集中体现了{short}行业企业出海面临的{ip}风险，经验具有普遍意义。",
    ),
    "guiding": (
        "该案确立了应对{country}{dtype}纠纷的有效路径，其抗辩策略可供同类案件直接参照。",
        "该案的应对方法（先行无效、联合应诉、谈判和解）经专家评审具有指导意义，列为指导案例。",
    ),
}
REVIEW_NOTES = (
    "案情摘要缺少结案时间和裁判结果，请补充后重新提交。",
    "当事人名称未做脱敏处理，请确认是否需要保密。",
    "请补充应对指导和经验启示部分，并核对涉案金额。",
    "案件类型与争议机构不一致，请核实后修改。",
)
SOURCES = ("{sc}案例收集", "{sc}企业走访", "{sc}专家推荐", "公开裁判文书整理")


def _pick(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _amount_text(amount: Decimal | None, rng: random.Random) -> str:
    if amount is None:
        return "一定金额"
    value = float(amount) / 10_000
    return f"约{value:.0f}万美元" if value >= 100 else f"约{value:.1f}万美元"


def _random_date(rng: random.Random, year: int, earliest: date | None = None) -> date:
    start = date(year, 1, 1)
    if earliest and earliest > start:
        start = earliest
    end = min(date(year, 12, 31), ANCHOR - timedelta(days=3))
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _fill(template: str, ctx: dict) -> str:
    return template.format(**ctx)


def build(rng: random.Random, sub_centres: dict[str, int], sub_centre_names: dict[str, str],
          experts: list[Expert], staff_by_sub_centre: dict[str, int]) -> list[Case]:
    """The demo cases, in filing order. Not yet added to a session."""
    cv = countries()
    years, year_w = zip(*YEAR_WEIGHTS.items())
    provinces, prov_w = zip(*PROVINCE_WEIGHTS.items())
    sc_codes = list(sub_centres)
    experts_by_country: dict[str, list[Expert]] = {}
    for expert in experts:
        if expert.active:
            for c in expert.countries:
                experts_by_country.setdefault(c.country, []).append(expert)

    specs = []
    for sc in SCENARIOS:
        for _ in range(sc.count):
            specs.append(sc)

    rows: list[dict] = []
    for sc in specs:
        eligible = [y for y in years if y >= sc.min_year]
        year = rng.choices(eligible, [year_w[years.index(y)] for y in eligible])[0]
        filed = _random_date(rng, year, date(2023, 6, 1) if sc.country == "UPC" else None)
        rows.append({"sc": sc, "filed": filed})
    rows.sort(key=lambda r: r["filed"])

    seq: dict[tuple[str, int], int] = {}
    cases: list[Case] = []
    titles: set[str] = set()   # the titles given so far: each case gets its own
    for row in rows:
        sc: Scenario = row["sc"]
        filed: date = row["filed"]
        dtype = sc.dispute_type
        forum = _pick(rng, sc.forums)
        ip = _pick(rng, sc.ip_types)
        industry = _pick(rng, sc.industries)
        province = rng.choices(provinces, prov_w)[0]
        sub_code = province if province in sub_centres and rng.random() < 0.93 else rng.choice(sc_codes)
        plaintiff = rng.random() < sc.plaintiff_share
        role = "plaintiff" if plaintiff else "defendant"
        if dtype == "ecommerce" and forum == "ecommerce_platform":
            role = "defendant"

        platform = dtype == "ecommerce" and forum == "ecommerce_platform"
        lo, hi = (7, 90) if platform else DURATION_DAYS[dtype]
        closed_on = filed + timedelta(days=rng.randint(lo, hi))
        if closed_on <= ANCHOR and rng.random() > 0.04:
            status, outcome = "closed", _pick(rng, OUTCOMES["ecommerce_platform" if platform else dtype])
            if role == "plaintiff" and outcome == "default_judgment" and dtype == "squatting":
                outcome = "won"
        else:
            status, outcome, closed_on = "ongoing", "pending", None

        amount = None
        if rng.random() < 0.6:
            lo_a, hi_a = AMOUNT_USD[dtype]
            # log-uniform, rounded to hundreds
            value = lo_a * (hi_a / lo_a) ** rng.random()
            amount = Decimal(int(round(value, -2)))
        defendants = None
        if sc.defendants:
            a, b = sc.defendants
            if dtype == "ecommerce":
                defendants = int(a * (b / a) ** rng.random())
            else:
                defendants = rng.randint(a, b)
        elif role == "defendant" and dtype in ("litigation", "trade_fair"):
            defendants = rng.choice((1, 1, 1, 2, 3))
        if platform:
            defendants = None

        # parties
        chinese = names.chinese_company(rng, province, industry)
        confidential = rng.random() < 0.3
        opp = _opposing(rng, sc.country, dtype, industry, ip)
        product = rng.choice(PRODUCTS.get(industry, ("产品",)))
        short = INDUSTRY_SHORT.get(industry, "制造")
        party = f"{PROVINCES.label(province, 'zh')}某{short}企业"
        country_zh = cv.label(sc.country, "zh")
        ip_zh = IP_TYPES.label(ip, "zh")
        if ip == "patent":
            ip_zh = "专利"
        elif ip == "design":
            ip_zh = "外观设计专利" if sc.country in ("US", "CN", "JP", "KR") else "外观设计"

        court = _court(rng, sc.country, dtype)
        fair = _fair(rng, sc.country, industry)
        ctx = {
            "year": filed.year, "opp": opp, "party": party, "n": defendants or 1, "product": product,
            "ip": ip_zh, "country": country_zh, "court": court, "fair": fair, "short": short,
            "port": CUSTOMS_PORTS.get(sc.country, f"{country_zh}海关"),
            "office": IP_OFFICES.get(sc.country, f"{country_zh}知识产权局"),
            "forum": "仲裁" if forum == "arbitration" else "诉讼",
            "amount": _amount_text(amount, rng), "dtype": _dtype_zh(dtype),
            "market": "欧洲多国" if sc.country == "UPC" else country_zh,
        }
        # texts
        if dtype == "ecommerce":
            key = "ecommerce_platform" if platform else (
                "ecommerce_sched" if sc.country == "US" else "ecommerce_court")
            result_key = "ecommerce_platform" if platform else "ecommerce"
        elif dtype == "litigation":
            key = result_key = "litigation_pla" if role == "plaintiff" else "litigation_def"
        else:
            key = result_key = dtype
        title = _fill(rng.choice(TITLES[key]), ctx)
        if ctx["n"] <= 1:
            title = title.replace("1家中国企业", "某中国企业").replace("1名", "某").replace("1家", "某")
        title = _distinct(title, titles, PROVINCES.label(province, "zh"), filed.year)
        results = RESULTS[result_key]
        options = results.get(outcome) or results["pending"]
        if amount is None:
            # an outcome that names a sum reads badly without one
            options = [o for o in options if "{amount}" not in o] or options
        result = _fill(rng.choice(options), ctx)
        summary = _fill(rng.choice(INTROS[key]), ctx)
        if dtype == "ecommerce" and forum == "court" and sc.country == "US" and rng.random() < 0.6:
            summary += "法院在原告单方申请下签发了临时限制令，被告店铺资金被冻结。"
        summary += result
        if amount and rng.random() < 0.5 and "{amount}" not in "".join(results.get(outcome, ())):
            summary += f"案件涉及金额{_amount_text(amount, rng)}。"
        guidance_key = "litigation" if dtype == "litigation" else dtype
        guidance = "".join(_fill(g, ctx) for g in rng.sample(
            GUIDANCE["ecommerce_platform" if platform else guidance_key], 2))
        lessons = "".join(_fill(x, ctx) for x in rng.sample(
            LESSONS["ecommerce_platform" if platform else guidance_key], rng.choice((2, 2, 3))))

        seq_key = (sub_code, filed.year)
        seq[seq_key] = seq.get(seq_key, 0) + 1
        case_ref = f"{sub_code}-{filed.year}-{seq[seq_key]:04d}"
        sc_name = sub_centre_names.get(sub_code, f"{sub_code}分中心")
        source = rng.choice(SOURCES).format(sc=sc_name)

        expert_id = None
        if rng.random() < 0.3:
            pool = [e for e in experts_by_country.get(sc.country, []) if e.sub_centre_id == sub_centres[sub_code]]
            pool = pool or experts_by_country.get(sc.country, [])
            if pool:
                expert_id = rng.choice(pool).id

        cases.append(Case(
            case_ref=case_ref, sub_centre_id=sub_centres[sub_code], title=title[:300], country=sc.country,
            forum=forum, dispute_type=dtype, ip_type=ip, industry=industry, province=province,
            chinese_party=chinese, chinese_party_role=role, party_confidential=confidential,
            opposing_party=opp, filed_on=filed, closed_on=closed_on, status=status, outcome=outcome,
            amount_usd=amount, defendants_count=defendants, summary=summary, guidance=guidance,
            lessons=lessons, source=source, expert_id=expert_id, created_by_id=staff_by_sub_centre.get(sub_code),
            is_demo=True,
        ))

    _review(rng, cases)
    return cases


def _distinct(title: str, seen: set[str], province: str, year: int) -> str:
    """No two cases share a title (two cases that read the same look like one entered twice): on a
    clash, name the party's province ("浙江某..."), then the year, then a number. Takes nothing from
    the random generator, so a load stays the same as the one before."""
    candidates = [title]
    if "某" in title:
        candidates.append(title.replace("某", f"{province}某", 1))
    candidates += [f"{c}（{year}年）" for c in list(candidates)]
    candidates += [f"{title}（{year}年之{n}）" for n in range(2, 100)]
    chosen = next(c for c in candidates if c[:300] not in seen)[:300]
    seen.add(chosen)
    return chosen


def _dtype_zh(dtype: str) -> str:
    return {"itc_337": "337调查", "ecommerce": "跨境电商", "trade_fair": "展会", "customs": "海关扣押",
            "squatting": "商标抢注", "litigation": "知识产权诉讼", "licensing": "专利许可",
            "trade_secret_criminal": "商业秘密"}[dtype]


def _opposing(rng: random.Random, country: str, dtype: str, industry: str, ip: str) -> str:
    if country == "US":
        if dtype == "ecommerce":
            if ip == "copyright" and rng.random() < 0.5:
                return "Galloway Art Licensing LLC"
            pool = names.US_BRANDS
        elif dtype == "trade_secret_criminal":
            pool = tuple(p for p in names.US_TECH if "Patent Holdings" not in p)
        elif dtype in ("itc_337", "licensing"):
            pool = names.US_TECH
        else:
            pool = names.US_TECH + names.US_BRANDS[:4]
    elif dtype == "squatting" and country in names.SQUATTERS:
        return rng.choice(names.SQUATTERS[country])
    elif country in ("DE", "UPC"):
        pool = names.DE_PARTIES
    elif dtype == "customs" and country in ("NL", "BE", "FR", "IT", "ES", "PL"):
        pool = names.EU_PARTIES
    else:
        pool = names.OTHER_PARTIES.get(country) or names.US_BRANDS
    return rng.choice(names.fitting(pool, industry))


def _court(rng: random.Random, country: str, dtype: str) -> str:
    if country == "US":
        if dtype == "ecommerce":
            return _pick(rng, SCHEDULE_A_COURTS)
        return rng.choice(US_COURTS)
    return rng.choice(COURTS.get(country, (f"{countries().label(country, 'zh')}法院",)))


def _fair(rng: random.Random, country: str, industry: str) -> str:
    fairs = FAIRS.get(country)
    if not fairs:
        return f"{countries().label(country, 'zh')}某国际展会"
    options = fairs.get(industry) or fairs.get("_") or sum((list(v) for v in fairs.values()), [])
    return rng.choice(options)


def _review(rng: random.Random, cases: list[Case]) -> None:
    """Review statuses: ~80% published (25 typical, 8 guiding); the rest in the workflow."""
    recent = [c for c in cases if c.filed_on >= ANCHOR - timedelta(days=720)]
    in_review = set(id(c) for c in rng.sample(recent, min(len(recent), int(len(cases) * 0.2))))
    published = []
    for case in cases:
        end = case.closed_on or case.filed_on
        if id(case) in in_review:
            case.review_status = rng.choices(("submitted", "approved", "returned"), (50, 25, 25))[0]
            created = ANCHOR - timedelta(days=rng.randint(0, 80))
            case.created_at = datetime.combine(max(created, case.filed_on), time(rng.randint(1, 9), rng.randint(0, 59)))
            if case.review_status == "returned":
                case.review_note = rng.choice(REVIEW_NOTES)
        else:
            case.review_status = "published"
            pub = min(end + timedelta(days=rng.randint(10, 90)), ANCHOR)
            case.created_at = datetime.combine(max(case.filed_on, pub - timedelta(days=rng.randint(3, 20))),
                                               time(rng.randint(1, 9), rng.randint(0, 59)))
            case.published_at = datetime.combine(pub, time(rng.randint(1, 9), rng.randint(0, 59)))
            if case.published_at < case.created_at:
                case.published_at = case.created_at + timedelta(hours=rng.randint(2, 48))
            published.append(case)
        case.updated_at = case.published_at or case.created_at
    closed_published = [c for c in published if c.status == "closed"]
    chosen = rng.sample(closed_published, 33)
    cv = countries()
    for i, case in enumerate(chosen):
        kind = "guiding" if i < 8 else "typical"
        case.distinction = kind
        case.distinction_reason = rng.choice(DISTINCTION_REASONS[kind]).format(
            country=cv.label(case.country, "zh"), dtype=_dtype_zh(case.dispute_type),
            short=INDUSTRY_SHORT.get(case.industry, "制造"), ip=IP_TYPES.label(case.ip_type, "zh"))


def party_links(rng: random.Random, experts: list[Expert], cases: list[Case]) -> list[ExpertPartyLink]:
    """Parties the experts have acted for: the Chinese clients of cases they advised, and a
    few foreign right holders (the opposing parties of other cases) they once represented."""
    links: list[ExpertPartyLink] = []
    seen: set[tuple[int, str]] = set()
    advised = [c for c in cases if c.expert_id]
    for case in rng.sample(advised, min(30, len(advised))):
        key = (case.expert_id, case.chinese_party)
        if key not in seen:
            seen.add(key)
            links.append(ExpertPartyLink(expert_id=case.expert_id, party=case.chinese_party, case_id=case.id,
                                         note="曾为该企业提供应诉指导"))
    opposing = sorted({c.opposing_party for c in cases if c.opposing_party})
    active = [e for e in experts if e.active]
    # Expert #1 once acted for a US brand: the conflict check has a case to catch.
    for expert, party in [(experts[0], "Lumenpeak Lighting Corp.")] + [
            (rng.choice(active), rng.choice(opposing)) for _ in range(18)]:
        key = (expert.id, party)
        if key not in seen:
            seen.add(key)
            links.append(ExpertPartyLink(expert_id=expert.id, party=party, case_id=None,
                                         note=rng.choice(("曾代理该公司在华商标事务", "曾担任该公司法律顾问",
                                                          "所在律所曾代理该公司专利诉讼"))))
    return links
