"""Controlled vocabularies: one code per value, zh and en labels, and input aliases.

`lookup(value)` accepts a code, either label or an alias, in any case, with stray
spaces, full-width characters and zero-width characters: 美国, USA, United States
and US all give `US`.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterable

import pycountry

from .markdown import INVISIBLE


@dataclass(frozen=True)
class Term:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def normalize(value: object) -> str:
    """Fold full-width forms, drop zero-width characters, collapse spaces, casefold."""
    text = unicodedata.normalize("NFKC", str(value))
    text = INVISIBLE.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.casefold()


@dataclass
class Vocabulary:
    name: str
    terms: tuple[Term, ...]
    _index: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            for key in (term.code, term.zh, term.en, *term.aliases):
                if key:
                    self._index.setdefault(normalize(key), term.code)
                    self._index.setdefault(normalize(key).replace(" ", ""), term.code)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    @cached_property
    def by_code(self) -> dict[str, Term]:
        return {t.code: t for t in self.terms}

    def lookup(self, value: object) -> str | None:
        """The code for a code, label or alias; None when nothing matches."""
        if value is None:
            return None
        key = normalize(value)
        return self._index.get(key) or self._index.get(key.replace(" ", ""))

    def label(self, code: str | None, lang: str) -> str:
        if code is None:
            return ""
        term = self.by_code.get(code)
        return term.label(lang) if term else code

    def options(self, lang: str) -> dict[str, str]:
        """code -> label, in vocabulary order, for select boxes."""
        return {t.code: t.label(lang) for t in self.terms}

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


def _vocab(name: str, rows: Iterable[tuple]) -> Vocabulary:
    return Vocabulary(name, tuple(Term(r[0], r[1], r[2], tuple(r[3]) if len(r) > 3 else ()) for r in rows))


# --- countries and jurisdictions -------------------------------------------------

# Names the centre uses in Chinese where the ISO translation differs from usage.
_ZH_OVERRIDES = {
    "TW": "中国台湾", "HK": "中国香港", "MO": "中国澳门", "KR": "韩国", "KP": "朝鲜",
    "US": "美国", "GB": "英国", "RU": "俄罗斯", "VN": "越南", "LA": "老挝", "IR": "伊朗",
    "SY": "叙利亚", "TZ": "坦桑尼亚", "BO": "玻利维亚", "VE": "委内瑞拉", "MD": "摩尔多瓦",
}
_EXTRA_ALIASES = {
    "US": ("USA", "U.S.", "U.S.A.", "America", "美利坚合众国", "美國"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "England", "英國"),
    "DE": ("Deutschland",), "KR": ("South Korea", "Republic of Korea", "南韩"),
    "RU": ("Russia",), "VN": ("Vietnam",), "TR": ("Turkey", "Turkiye", "土耳其"),
    "AE": ("UAE", "阿联酋"), "SA": ("KSA", "沙特"), "CN": ("PRC", "中国大陆"),
    "TW": ("Taiwan", "台湾"), "HK": ("Hong Kong", "香港"), "MO": ("Macao", "Macau", "澳门"),
    "NL": ("Holland", "The Netherlands"), "CZ": ("Czech Republic",), "IR": ("Iran",),
}
EXTRA_JURISDICTIONS = (
    ("EU", "欧盟", "European Union", ("European Union (EU)", "欧洲联盟")),
    ("EUIPO", "欧盟知识产权局", "EUIPO", ("EU Intellectual Property Office",)),
    ("EPO", "欧洲专利局", "European Patent Office", ()),
    ("UPC", "欧洲统一专利法院", "Unified Patent Court", ("统一专利法院",)),
    ("WIPO", "世界知识产权组织", "WIPO", ("World Intellectual Property Organization", "世界知识产权组织（WIPO）")),
    ("GCC", "海湾阿拉伯国家合作委员会", "Gulf Cooperation Council", ("海合会", "GCC Patent Office")),
    ("ARIPO", "非洲地区知识产权组织", "ARIPO", ()),
    ("OAPI", "非洲知识产权组织", "OAPI", ()),
    ("EAPO", "欧亚专利组织", "Eurasian Patent Organization", ()),
)


@lru_cache(maxsize=1)
def _countries() -> Vocabulary:
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        en = getattr(c, "common_name", None) or c.name
        zh_name = _ZH_OVERRIDES.get(c.alpha_2) or zh.gettext(c.name)
        aliases = {c.alpha_3, c.name, getattr(c, "official_name", "") or "", zh.gettext(c.name)}
        aliases |= set(_EXTRA_ALIASES.get(c.alpha_2, ()))
        rows.append((c.alpha_2, zh_name, en, tuple(a for a in aliases if a)))
    rows.extend(EXTRA_JURISDICTIONS)
    return _vocab("country", rows)


def numeric_to_alpha2(numeric: str | int) -> str | None:
    """ISO 3166 numeric id (as in world-atlas map data) to alpha-2."""
    country = pycountry.countries.get(numeric=str(int(numeric)).zfill(3))
    return country.alpha_2 if country else None


# --- the domain's own vocabularies -------------------------------------------------

IP_TYPES = _vocab("ip_type", [
    ("patent", "发明专利", "Patent", ["专利", "invention patent", "发明"]),
    ("utility_model", "实用新型", "Utility model", ["实用新型专利"]),
    ("design", "外观设计", "Design", ["外观设计专利", "industrial design", "design patent", "外观"]),
    ("trademark", "商标", "Trademark", ["trade mark", "商标权", "TM"]),
    ("copyright", "著作权", "Copyright", ["版权"]),
    ("trade_secret", "商业秘密", "Trade secret", ["trade secrets", "技术秘密"]),
    ("domain_name", "域名", "Domain name", []),
])

DISPUTE_TYPES = _vocab("dispute_type", [
    ("litigation", "诉讼", "Litigation", ["court litigation", "侵权诉讼", "lawsuit"]),
    ("itc_337", "美国337调查", "ITC Section 337", ["337", "337调查", "Section 337", "337 investigation", "ITC"]),
    ("customs", "海关扣押", "Customs detention", ["海关扣货", "customs seizure", "边境措施", "海关"]),
    ("trade_fair", "展会禁令", "Trade-fair injunction", ["展会纠纷", "trade fair", "展会"]),
    ("ecommerce", "电商平台投诉/Schedule A", "E-commerce takedown / Schedule A TRO",
     ["Schedule A", "电商投诉", "TRO", "跨境电商", "e-commerce", "ecommerce takedown", "平台投诉"]),
    ("squatting", "商标抢注与异议", "Trademark squatting / opposition",
     ["商标抢注", "抢注", "trademark squatting", "opposition", "商标异议"]),
    ("licensing", "许可与合同", "Licensing / contract", ["许可", "合同纠纷", "licensing", "contract", "FRAND"]),
    ("trade_secret_criminal", "商业秘密与刑事", "Trade secret / criminal",
     ["商业秘密纠纷", "刑事", "criminal", "trade secret"]),
])

FORUMS = _vocab("forum", [
    ("court", "法院", "Court", ["district court", "法庭"]),
    ("itc", "美国国际贸易委员会", "US ITC", ["ITC", "USITC", "国际贸易委员会"]),
    ("customs", "海关", "Customs", ["customs authority"]),
    ("trade_fair", "展会", "Trade fair", ["exhibition", "展览会"]),
    ("ecommerce_platform", "电商平台", "E-commerce platform", ["Amazon", "亚马逊", "platform", "平台"]),
    ("ip_office", "知识产权局", "IP office", ["patent office", "trademark office", "专利局", "商标局"]),
    ("arbitration", "仲裁/调解", "Arbitration / mediation", ["arbitration", "仲裁", "调解", "mediation"]),
    ("other", "其他", "Other", []),
])

INDUSTRIES = _vocab("industry", [
    ("electronics", "电子信息", "Electronics", ["电子", "consumer electronics", "消费电子"]),
    ("telecom", "通信", "Telecommunications", ["telecom", "通讯"]),
    ("machinery", "机械装备", "Machinery", ["机械", "装备制造"]),
    ("auto", "汽车及零部件", "Automotive", ["汽车", "auto parts", "汽车零部件"]),
    ("new_energy", "新能源", "New energy", ["光伏", "储能", "solar", "battery", "锂电"]),
    ("chemicals", "化工材料", "Chemicals & materials", ["化工", "材料"]),
    ("pharma", "医药", "Pharmaceuticals", ["生物医药", "pharmaceutical"]),
    ("medical_devices", "医疗器械", "Medical devices", ["医疗设备"]),
    ("textiles", "纺织服装", "Textiles & apparel", ["服装", "纺织", "apparel"]),
    ("light_industry", "轻工家居玩具", "Light industry, home & toys", ["家居", "玩具", "轻工", "toys", "furniture"]),
    ("food_agri", "食品农业", "Food & agriculture", ["食品", "农业"]),
    ("software", "软件与互联网", "Software & internet", ["软件", "互联网", "internet"]),
    ("other", "其他", "Other", []),
])

OUTCOMES = _vocab("outcome", [
    ("pending", "未决", "Pending", ["进行中", "ongoing"]),
    ("won", "胜诉/不侵权", "Won / no infringement", ["胜诉", "不侵权", "win", "no violation"]),
    ("partial", "部分胜诉", "Partly won", ["部分胜诉", "partial win"]),
    ("lost", "败诉", "Lost", ["败诉", "loss", "违反", "exclusion order"]),
    ("settled", "和解", "Settled", ["和解结案", "settlement", "consent order"]),
    ("withdrawn", "撤诉/撤回", "Withdrawn", ["撤诉", "撤回", "dismissed"]),
    ("default_judgment", "缺席判决", "Default judgment", ["缺席", "default"]),
])

PARTY_ROLES = _vocab("party_role", [
    ("defendant", "被告/被申请人", "Defendant / respondent", ["被告", "被申请人", "被调查方", "respondent", "被诉方"]),
    ("plaintiff", "原告/申请人", "Plaintiff / complainant", ["原告", "申请人", "权利人", "complainant", "right holder"]),
    ("third_party", "第三方", "Third party", []),
])

CASE_STATUSES = _vocab("case_status", [
    ("ongoing", "进行中", "Ongoing", ["未结", "审理中", "open"]),
    ("closed", "已结案", "Closed", ["结案", "已结"]),
])

REVIEW_STATUSES = _vocab("review_status", [
    ("submitted", "待审核", "Submitted", []),
    ("returned", "已退回", "Returned", []),
    ("approved", "已通过", "Approved", []),
    ("published", "已发布", "Published", []),
])

DISTINCTIONS = _vocab("distinction", [
    ("typical", "典型案例", "Typical case", ["典型"]),
    ("guiding", "指导案例", "Guiding case", ["指导"]),
])

ARTICLE_KINDS = _vocab("article_kind", [
    ("country_guide", "国别指南", "Country guide", ["country guide", "国别指引"]),
    ("law_procedure", "法律与程序", "Law & procedure", ["法律法规", "程序", "law"]),
    ("risk_alert", "风险预警", "Risk alert", ["预警", "alert"]),
    ("practice_guide", "实务指引", "Practice guide", ["实务", "指引", "guide"]),
])

ACTIVITY_KINDS = _vocab("activity_kind", [
    ("training", "培训", "Training session", ["培训会", "培训活动", "讲座", "training"]),
    ("publicity", "宣传活动", "Publicity event", ["宣传", "宣讲", "publicity"]),
    ("publication", "发布报告或指引", "Report or guide published", ["发布", "报告", "指引", "出版", "publication"]),
    ("funding_help", "协助申请资助", "Helped to apply for assistance funding", ["资助", "资助申请", "funding"]),
    ("agency_match", "对接服务机构", "Matched with an IP service agency", ["对接", "服务机构", "agency"]),
    ("other", "其他", "Other", ["其它", "other"]),
])

ARTICLE_STATUSES = _vocab("article_status", [
    ("draft", "草稿", "Draft", []),
    ("published", "已发布", "Published", []),
])

SEVERITIES = _vocab("severity", [
    ("high", "高", "High", ["高风险", "严重"]),
    ("medium", "中", "Medium", ["中风险", "一般"]),
    ("low", "低", "Low", ["低风险"]),
])

STAGES = _vocab("stage", [
    ("prevention", "出海前风险防范", "Risk prevention before market entry", ["风险防范", "prevention"]),
    ("letter", "收到警告函/律师函", "Received a warning letter", ["警告函", "律师函", "cease and desist"]),
    ("complaint", "收到平台投诉", "Received a platform complaint", ["投诉", "takedown"]),
    ("sued", "已被起诉/被调查", "Sued or under investigation", ["被诉", "起诉", "sued"]),
    ("detained", "货物被扣", "Goods detained", ["扣货", "detained"]),
    ("account_frozen", "账户被冻结", "Account frozen", ["冻结", "frozen"]),
    ("trade_fair", "展会受阻", "Stopped at a trade fair", ["展会"]),
    ("enforcing", "主动维权", "Enforcing own rights", ["维权"]),
    ("other", "其他", "Other", []),
])

URGENCIES = _vocab("urgency", [
    ("normal", "一般", "Normal", []),
    ("urgent", "紧急", "Urgent", []),
    ("critical", "特急", "Critical", []),
])

CONSULTATION_STATUSES = _vocab("consultation_status", [
    ("new", "待分派", "New", []),
    ("assigned", "已分派", "Assigned", []),
    ("accepted", "专家已接受", "Accepted", []),
    ("waiting", "等待企业补充", "Waiting on enterprise", []),
    ("answered", "已答复", "Answered", []),
    ("closed", "已关闭", "Closed", []),
])
# A consultation is open until it is answered; the expert holds it while it is with them.
CONSULTATION_OPEN = ("new", "assigned", "accepted", "waiting")
CONSULTATION_WITH_EXPERT = ("assigned", "accepted", "waiting")

LANGUAGES = _vocab("language", [
    ("zh", "中文", "Chinese", ["汉语", "普通话", "chinese", "中"]),
    ("en", "英语", "English", ["英文", "english", "英"]),
    ("ja", "日语", "Japanese", ["日文"]),
    ("ko", "韩语", "Korean", ["韩文"]),
    ("de", "德语", "German", ["德文"]),
    ("fr", "法语", "French", ["法文"]),
    ("es", "西班牙语", "Spanish", ["西班牙文"]),
    ("pt", "葡萄牙语", "Portuguese", ["葡萄牙文"]),
    ("ru", "俄语", "Russian", ["俄文"]),
    ("ar", "阿拉伯语", "Arabic", ["阿拉伯文"]),
    ("vi", "越南语", "Vietnamese", ["越南文"]),
    ("th", "泰语", "Thai", ["泰文"]),
    ("id", "印尼语", "Indonesian", ["印度尼西亚语"]),
    ("tr", "土耳其语", "Turkish", []),
])

PROVINCES = _vocab("province", [
    ("BJ", "北京", "Beijing"), ("TJ", "天津", "Tianjin"), ("HE", "河北", "Hebei"),
    ("SX", "山西", "Shanxi"), ("NM", "内蒙古", "Inner Mongolia"), ("LN", "辽宁", "Liaoning"),
    ("JL", "吉林", "Jilin"), ("HL", "黑龙江", "Heilongjiang"), ("SH", "上海", "Shanghai"),
    ("JS", "江苏", "Jiangsu"), ("ZJ", "浙江", "Zhejiang"), ("AH", "安徽", "Anhui"),
    ("FJ", "福建", "Fujian"), ("JX", "江西", "Jiangxi"), ("SD", "山东", "Shandong"),
    ("HA", "河南", "Henan"), ("HB", "湖北", "Hubei"), ("HN", "湖南", "Hunan"),
    ("GD", "广东", "Guangdong"), ("GX", "广西", "Guangxi"), ("HI", "海南", "Hainan"),
    ("CQ", "重庆", "Chongqing"), ("SC", "四川", "Sichuan"), ("GZ", "贵州", "Guizhou"),
    ("YN", "云南", "Yunnan"), ("XZ", "西藏", "Tibet"), ("SN", "陕西", "Shaanxi"),
    ("GS", "甘肃", "Gansu"), ("QH", "青海", "Qinghai"), ("NX", "宁夏", "Ningxia"),
    ("XJ", "新疆", "Xinjiang"),
])

ROLES = _vocab("role", [
    ("enterprise", "企业用户", "Enterprise", ["企业"]),
    ("staff", "分中心工作人员", "Sub-centre staff", ["分中心", "工作人员"]),
    ("expert", "专家", "Expert", []),
    ("admin", "国家中心管理员", "National centre admin", ["管理员", "administrator"]),
])


def countries() -> Vocabulary:
    return _countries()


def all_vocabularies() -> dict[str, Vocabulary]:
    return {v.name: v for v in (
        countries(), IP_TYPES, DISPUTE_TYPES, FORUMS, INDUSTRIES, OUTCOMES, PARTY_ROLES,
        CASE_STATUSES, REVIEW_STATUSES, DISTINCTIONS, ARTICLE_KINDS, ARTICLE_STATUSES,
        SEVERITIES, STAGES, URGENCIES, CONSULTATION_STATUSES, LANGUAGES, PROVINCES, ROLES,
    )}
