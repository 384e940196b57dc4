"""The uploadable datasets: their columns, headers, kinds and where they are stored.

A column has a field name (the model attribute, or a facet name for multi-valued
facets), a Chinese and an English header, input aliases, a kind that decides how a
cell is read, and an optional vocabulary. Everything else (template, header mapping,
validation, plan, apply) is driven from these specs.

Cases, experts, articles and activities are a sub-centre's records: matched on their key within the
sub-centre imported into, created or updated, written as an import batch with history and
rollback (service.py). Accounts are read and checked the same way, but are created only, all or
nothing, by an admin, and are no batch (`batched=False`: accounts.py says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ipoverseas.core import vocab


def _model(name: str) -> Any:
    # By name, so the reader child (which never touches the database) does not import the
    # models and SQLAlchemy: about a second of its start-up.
    from ipoverseas.core import models

    return getattr(models, name)

# Kinds of column.
ID, TEXT, LONGTEXT, DATE, AMOUNT, INT, BOOL, VOCAB, MULTI, EMAIL, URL = (
    "id", "text", "longtext", "date", "amount", "int", "bool", "vocab", "multi", "email", "url")


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    kind: str = TEXT
    required: bool = False
    vocabulary: Any = None          # a vocab.Vocabulary, or a callable returning one
    aliases: tuple[str, ...] = ()
    max_len: int | None = None
    default: Any = None             # stored when the cell is blank (None: NULL)
    help_zh: str = ""
    help_en: str = ""
    example: Any = None
    # The template's dropdown when the values live in the database (a callable, called when the
    # template is built, never by the reader): the dataset's service checks the cell against them.
    choices: Callable[[], list[str]] | None = None

    @property
    def vocab(self) -> vocab.Vocabulary | None:
        v = self.vocabulary
        return v() if callable(v) else v

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Facet:
    """A multi-valued facet stored as rows of an association table."""

    table_name: str  # the association model's class name
    fk: str          # its column pointing at the parent
    value: str       # its value column

    @property
    def table(self) -> Any:
        return _model(self.table_name)


@dataclass(frozen=True)
class Dataset:
    name: str
    model_name: str                       # the model's class name (models.py)
    key: str                              # the natural key's field (unique per sub-centre)
    columns: tuple[Column, ...]
    sheet_names: tuple[str, ...]          # names the data sheet may have
    facets: dict[str, Facet] = field(default_factory=dict)
    entity: str = ""
    # What differs between datasets, said here rather than bent into the shared stages:
    action: str = "import_records"    # the policy action that allows importing it
    batched: bool = True              # a sub-centre's records, imported as a batch (service.py); False:
                                      # created only, by the dataset's own service, no batch (accounts.py)
    all_or_nothing: bool = False      # any problem and nothing is written: the reader keeps the rejected
                                      # rows' readable cells too, so later checks report every problem at once
    max_rows: int | None = None       # a lower limit than the upload_max_rows setting

    @property
    def model(self) -> Any:
        return _model(self.model_name)

    @property
    def key_column(self) -> Column:
        return next(c for c in self.columns if c.field == self.key)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)

    @property
    def scalar_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns if c.kind != MULTI and c.field != SUB_CENTRE)

    @property
    def facet_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns if c.kind == MULTI)


SUB_CENTRE = "sub_centre"  # an optional column naming the sub-centre a row belongs to

_SUB_CENTRE_COLUMN = Column(
    SUB_CENTRE, "分中心", "Sub-centre", ID, aliases=("分中心代码", "sub centre", "sub-centre code", "所属分中心"),
    help_zh="可不填。填写时须为本次导入的分中心代码（如 ZJ）；属于其他分中心的行不会被导入。",
    help_en="Optional. When given it must be the code of the sub-centre you import into (e.g. ZJ); "
            "rows of another sub-centre are never imported.")

_MULTI_HELP_ZH = "可填多个，用 、 , ; / 分隔。"
_MULTI_HELP_EN = "Several values allowed, separated by 、 , ; or /."

CASES = Dataset(
    name="cases", model_name="Case", key="case_ref", entity="case",
    sheet_names=("案件", "cases", "case", "案例", "案件库", "案件 cases", "数据", "data"),
    columns=(
        Column("case_ref", "案件编号", "Case ref", ID, True, aliases=("编号", "案号", "case id", "case no", "case number", "ref", "reference"),
               max_len=64, help_zh="本分中心内唯一的案件编号，作为文本填写。", help_en="The case's reference, unique within your sub-centre; entered as text.",
               example="示例-EXAMPLE-001"),
        Column("title", "案件名称", "Title", TEXT, True, aliases=("标题", "案由", "case title", "name"), max_len=300,
               help_zh="简要说明纠纷的名称。", help_en="A short name of the dispute.", example="某电器公司美国337调查案"),
        Column("country", "国家/地区", "Country / region", VOCAB, True, vocab.countries,
               aliases=("国家", "地区", "国家或地区", "jurisdiction", "country", "法域"),
               help_zh="从下拉列表选择；也可填中文名、英文名或代码（如 美国 / United States / US）。",
               help_en="Pick from the list; a Chinese or English name or a code also works (美国 / United States / US).",
               example="美国"),
        Column("forum", "审理机构", "Forum", VOCAB, False, vocab.FORUMS, aliases=("程序", "机构", "forum", "venue"),
               help_zh="法院、ITC、海关、展会、电商平台等。", help_en="Court, ITC, customs, trade fair, platform...", example="美国国际贸易委员会"),
        Column("dispute_type", "纠纷类型", "Dispute type", VOCAB, True, vocab.DISPUTE_TYPES, aliases=("类型", "案件类型", "dispute"),
               help_zh="从下拉列表选择。", help_en="Pick from the list.", example="美国337调查"),
        Column("ip_type", "知识产权类型", "IP type", VOCAB, False, vocab.IP_TYPES, aliases=("权利类型", "ip", "ip right"),
               help_zh="从下拉列表选择。", help_en="Pick from the list.", example="发明专利"),
        Column("industry", "行业", "Industry", VOCAB, False, vocab.INDUSTRIES, aliases=("所属行业", "sector"),
               help_zh="从下拉列表选择。", help_en="Pick from the list.", example="电子信息"),
        Column("province", "企业所在省份", "Province", VOCAB, False, vocab.PROVINCES, aliases=("省份", "省", "province of the chinese party"),
               help_zh="中方企业所在省份。", help_en="Province of the Chinese party.", example="浙江"),
        Column("chinese_party", "中方当事人", "Chinese party", TEXT, aliases=("中国企业", "中方企业", "chinese company"), max_len=300,
               help_zh="中方企业名称。", help_en="Name of the Chinese company.", example="宁波某电器有限公司"),
        Column("chinese_party_role", "中方角色", "Role of the Chinese party", VOCAB, False, vocab.PARTY_ROLES,
               aliases=("中方地位", "party role", "role"), help_zh="被告、原告或第三方。", help_en="Defendant, plaintiff or third party.",
               example="被告/被申请人"),
        Column("party_confidential", "当事人保密", "Party confidential", BOOL, aliases=("是否保密", "confidential"), default=False,
               help_zh="是/否。选“是”时公开版本隐去企业名称。", help_en="Yes/No. Yes hides the company's name when published.", example="否"),
        Column("opposing_party", "对方当事人", "Opposing party", TEXT, aliases=("对方", "外方当事人", "opponent"), max_len=300,
               help_zh="外方当事人名称。", help_en="Name of the opposing party.", example="Example Corp."),
        Column("filed_on", "立案日期", "Filed on", DATE, aliases=("起诉日期", "立案时间", "filing date", "filed"),
               help_zh="日期，如 2024-03-05。", help_en="A date such as 2024-03-05.", example="2024-03-05"),
        Column("closed_on", "结案日期", "Closed on", DATE, aliases=("结案时间", "closing date", "closed"),
               help_zh="日期；不得早于立案日期。", help_en="A date, not before the filing date.", example=""),
        Column("status", "案件状态", "Status", VOCAB, False, vocab.CASE_STATUSES, aliases=("状态", "case status"), default="ongoing",
               help_zh="进行中或已结案；空白视为进行中。", help_en="Ongoing or closed; blank means ongoing.", example="进行中"),
        Column("outcome", "结果", "Outcome", VOCAB, False, vocab.OUTCOMES, aliases=("案件结果", "裁决结果", "result"),
               help_zh="从下拉列表选择。", help_en="Pick from the list.", example="未决"),
        Column("amount_usd", "涉案金额(美元)", "Amount (USD)", AMOUNT, aliases=("涉案金额", "金额", "amount", "amount involved"),
               help_zh="数字，可带千分位逗号，如 1,250,000。", help_en="A number; thousands separators are fine, e.g. 1,250,000.",
               example="1,250,000"),
        Column("defendants_count", "中国被告数量", "Chinese defendants", INT, aliases=("被告数量", "被告数", "defendants"),
               help_zh="整数。", help_en="A whole number.", example="3"),
        Column("summary", "案情摘要", "Summary", LONGTEXT, aliases=("摘要", "案情", "案情简介"), default="",
               help_zh="案情简介。", help_en="What happened.", example="权利人以专利侵权为由申请337调查。"),
        Column("guidance", "应对指导", "Guidance", LONGTEXT, aliases=("指导意见", "应对措施"), default="",
               help_zh="分中心提供的指导。", help_en="The guidance the sub-centre gave.", example="组织应诉，提出不侵权抗辩。"),
        Column("lessons", "经验启示", "Lessons", LONGTEXT, aliases=("启示", "经验", "lessons learned"), default="",
               help_zh="可供其他企业借鉴之处。", help_en="What other companies can learn.", example="出口前开展FTO检索。"),
        Column("source", "来源", "Source", TEXT, aliases=("信息来源",), max_len=500,
               help_zh="信息来源。", help_en="Where the information comes from.", example="USITC EDIS"),
        Column("docket_no", "审理机构案号", "Docket number", ID,
               aliases=("诉讼案号", "调查编号", "立案号", "docket", "docket no", "docket number", "investigation number",
                        "investigation no"), max_len=64,
               help_zh="法院案号、337调查编号等；用于发现其他分中心已报送的同一纠纷。",
               help_en="The court's docket or the investigation number: it finds the same dispute reported "
                       "by another sub-centre.", example="337-TA-1234"),
        _SUB_CENTRE_COLUMN,
    ),
)

EXPERTS = Dataset(
    name="experts", model_name="Expert", key="expert_ref", entity="expert",
    sheet_names=("专家", "experts", "expert", "专家库", "专家 experts", "数据", "data"),
    facets={
        "countries": Facet("ExpertCountry", "expert_id", "country"),
        "ip_types": Facet("ExpertIpType", "expert_id", "ip_type"),
        "industries": Facet("ExpertIndustry", "expert_id", "industry"),
        "languages": Facet("ExpertLanguage", "expert_id", "language"),
    },
    columns=(
        Column("expert_ref", "专家编号", "Expert ref", ID, True, aliases=("编号", "expert id", "ref", "id"), max_len=64,
               help_zh="本分中心内唯一的专家编号，作为文本填写。", help_en="Unique within your sub-centre; entered as text.",
               example="示例-EXAMPLE-001"),
        Column("name", "姓名", "Name", TEXT, True, aliases=("专家姓名", "expert name"), max_len=200,
               help_zh="专家姓名。", help_en="The expert's name.", example="张三"),
        Column("organisation", "工作单位", "Organisation", TEXT, aliases=("单位", "律所", "organization", "firm"), max_len=300, default="",
               help_zh="律所、代理机构或高校。", help_en="Law firm, agency or university.", example="某某律师事务所"),
        Column("title", "职称", "Title", TEXT, aliases=("职务", "头衔", "position"), max_len=200, default="",
               help_zh="如 合伙人、专利代理师。", help_en="E.g. partner, patent attorney.", example="合伙人"),
        Column("countries", "擅长国家/地区", "Countries", MULTI, False, vocab.countries, aliases=("国家", "国家/地区", "擅长国家", "jurisdictions"),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="美国、欧盟"),
        Column("ip_types", "擅长知识产权类型", "IP types", MULTI, False, vocab.IP_TYPES, aliases=("知识产权类型", "专业领域", "ip"),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="发明专利、商标"),
        Column("industries", "擅长行业", "Industries", MULTI, False, vocab.INDUSTRIES, aliases=("行业", "industry"),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="电子信息"),
        Column("languages", "工作语言", "Languages", MULTI, False, vocab.LANGUAGES, aliases=("语言", "language"),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="中文、英语"),
        Column("bio", "简介", "Biography", LONGTEXT, aliases=("个人简介", "bio"), default="",
               help_zh="执业经历。", help_en="Professional background.", example="从事涉外专利诉讼十五年。"),
        Column("email", "邮箱", "Email", EMAIL, aliases=("电子邮箱", "e-mail", "mail"), max_len=254,
               help_zh="仅分中心和国家中心可见。", help_en="Seen by staff and admin only.", example="expert@example.com"),
        Column("phone", "电话", "Phone", ID, aliases=("联系电话", "手机", "telephone", "mobile"), max_len=64,
               help_zh="作为文本填写。", help_en="Entered as text.", example="13800000000"),
        Column("capacity_per_month", "每月可接咨询数", "Capacity per month", INT, aliases=("月接待量", "capacity"), default=4,
               help_zh="整数；空白为 4。", help_en="A whole number; blank means 4.", example="4"),
        Column("active", "是否在岗", "Active", BOOL, aliases=("在岗", "状态", "available"), default=True,
               help_zh="是/否；空白为“是”。", help_en="Yes/No; blank means yes.", example="是"),
        _SUB_CENTRE_COLUMN,
    ),
)

ARTICLES = Dataset(
    name="articles", model_name="Article", key="ref", entity="article",
    sheet_names=("文章", "知识库", "articles", "article", "文章 articles", "数据", "data"),
    facets={
        "countries": Facet("ArticleCountry", "article_id", "country"),
        "ip_types": Facet("ArticleIpType", "article_id", "ip_type"),
        "industries": Facet("ArticleIndustry", "article_id", "industry"),
    },
    columns=(
        Column("ref", "文章编号", "Article ref", ID, True, aliases=("编号", "article id", "ref", "id"), max_len=64,
               help_zh="本分中心内唯一的编号，作为文本填写。", help_en="Unique within your sub-centre; entered as text.",
               example="示例-EXAMPLE-001"),
        Column("kind", "文章类型", "Kind", VOCAB, True, vocab.ARTICLE_KINDS, aliases=("类型", "类别", "type", "category"),
               help_zh="国别指南、法律与程序、风险预警或实务指引。", help_en="Country guide, law & procedure, risk alert or practice guide.",
               example="风险预警"),
        Column("title_zh", "中文标题", "Title (Chinese)", TEXT, True, aliases=("标题", "title"), max_len=300,
               help_zh="必填。", help_en="Required.", example="美国337调查应诉要点"),
        Column("title_en", "英文标题", "Title (English)", TEXT, aliases=("english title",), max_len=300, default="",
               help_zh="可不填。", help_en="Optional.", example="Responding to a Section 337 investigation"),
        Column("body", "正文", "Body", LONGTEXT, aliases=("内容", "content", "text"), default="",
               help_zh="可使用 Markdown。", help_en="Markdown is fine.", example="……"),
        Column("language", "语言", "Language", VOCAB, False, vocab.LANGUAGES, aliases=("写作语言",), default="zh",
               help_zh="正文所用语言；空白为中文。", help_en="The body's language; blank means Chinese.", example="中文"),
        Column("countries", "国家/地区", "Countries", MULTI, False, vocab.countries, aliases=("国家", "jurisdictions", "country"),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="美国"),
        Column("ip_types", "知识产权类型", "IP types", MULTI, False, vocab.IP_TYPES, aliases=("ip",),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="发明专利"),
        Column("industries", "行业", "Industries", MULTI, False, vocab.INDUSTRIES, aliases=("industry",),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="电子信息"),
        Column("dispute_type", "纠纷类型", "Dispute type", VOCAB, False, vocab.DISPUTE_TYPES, aliases=("dispute",),
               help_zh="从下拉列表选择。", help_en="Pick from the list.", example="美国337调查"),
        Column("severity", "风险等级", "Severity", VOCAB, False, vocab.SEVERITIES, aliases=("等级", "risk level"),
               help_zh="风险预警填写：高、中、低。", help_en="For risk alerts: high, medium, low.", example="高"),
        Column("valid_until", "有效期至", "Valid until", DATE, aliases=("有效期", "expires"),
               help_zh="风险预警的有效期，日期。", help_en="For risk alerts: a date.", example="2026-12-31"),
        Column("source", "来源", "Source", TEXT, aliases=("信息来源",), max_len=500,
               help_zh="信息来源。", help_en="Where it comes from.", example="USITC"),
        Column("source_url", "来源链接", "Source URL", URL, aliases=("链接", "url", "link"), max_len=500,
               help_zh="以 http:// 或 https:// 开头。", help_en="Starts with http:// or https://.", example="https://www.usitc.gov/"),
        Column("status", "发布状态", "Status", VOCAB, False, vocab.ARTICLE_STATUSES, aliases=("状态",), default="draft",
               help_zh="草稿或已发布；空白为草稿。", help_en="Draft or published; blank means draft.", example="草稿"),
        Column("published_on", "发布日期", "Published on", DATE, aliases=("发布时间", "date"),
               help_zh="日期。", help_en="A date.", example="2024-03-05"),
        _SUB_CENTRE_COLUMN,
    ),
)

ACTIVITIES = Dataset(
    name="activities", model_name="Activity", key="activity_ref", entity="activity",
    sheet_names=("活动", "工作活动", "activities", "activity", "活动 activities", "数据", "data"),
    facets={
        "countries": Facet("ActivityCountry", "activity_id", "country"),
        "industries": Facet("ActivityIndustry", "activity_id", "industry"),
    },
    columns=(
        Column("activity_ref", "活动编号", "Activity ref", ID, True, aliases=("编号", "activity id", "ref", "id"),
               max_len=64, help_zh="本分中心内唯一的编号，作为文本填写。", help_en="Unique within your sub-centre; entered as text.",
               example="ZJ-2026-HD-001"),
        Column("held_on", "日期", "Date", DATE, True, aliases=("活动日期", "举办日期", "date", "held on"),
               help_zh="活动举办（或报告发布）的日期。", help_en="When it took place (or was published).",
               example="2026-05-20"),
        Column("kind", "活动类型", "Kind", VOCAB, True, vocab.ACTIVITY_KINDS, aliases=("类型", "type", "category"),
               help_zh="培训、宣传活动、发布报告或指引、协助申请资助、对接服务机构或其他。",
               help_en="Training, publicity, report or guide published, funding help, agency match or other.",
               example="培训"),
        Column("title", "名称", "Title", TEXT, True, aliases=("活动名称", "标题", "title", "name"), max_len=300,
               help_zh="必填。", help_en="Required.", example="海外展会知识产权风险防控培训"),
        Column("city", "城市", "City", TEXT, aliases=("地点", "举办地", "city", "place"), max_len=100, default="",
               help_zh="举办城市。", help_en="Where.", example="宁波"),
        Column("organisers", "主办及合作单位", "Organisers and partners", TEXT,
               aliases=("主办单位", "合作单位", "organisers", "partners"), max_len=500, default="",
               help_zh="可填多个单位。", help_en="One or more.", example="宁波市市场监管局、宁波市贸促会"),
        Column("participants", "参加人数", "Participants", INT, aliases=("人数", "participants", "attendees"),
               help_zh="整数。", help_en="A whole number.", example=120),
        Column("enterprises_reached", "覆盖企业数", "Enterprises reached", INT,
               aliases=("企业数", "服务企业数", "enterprises"), help_zh="整数。", help_en="A whole number.", example=45),
        Column("industries", "行业", "Industries", MULTI, False, vocab.INDUSTRIES, aliases=("industry",),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="电子信息"),
        Column("countries", "涉及国家/地区", "Countries concerned", MULTI, False, vocab.countries,
               aliases=("国家/地区", "国家", "countries", "country"),
               help_zh=_MULTI_HELP_ZH, help_en=_MULTI_HELP_EN, example="美国、德国"),
        Column("article_url", "报道链接", "Article link", URL, aliases=("链接", "url", "link", "新闻链接"), max_len=500,
               help_zh="发布的报道或文章链接，以 http:// 或 https:// 开头。", help_en="A published article, http(s)://.",
               example="https://www.example.gov.cn/news/1.html"),
        Column("note", "备注", "Note", LONGTEXT, aliases=("说明", "note", "remarks"), default="",
               help_zh="可不填。", help_en="Optional.", example=""),
        _SUB_CENTRE_COLUMN,
    ),
)


def _sub_centre_codes() -> list[str]:
    """The active sub-centres' codes: the template's dropdown (built in the server, never in the reader)."""
    from sqlalchemy import select

    from ipoverseas.core import db, models

    with db.read_session() as session:
        return list(session.scalars(select(models.SubCentre.code).where(models.SubCentre.active.is_(True))
                                    .order_by(models.SubCentre.code)))


ACCOUNTS = Dataset(
    name="accounts", model_name="User", key="username", entity="user",
    sheet_names=("账号", "accounts", "account", "users", "user", "用户", "账号 accounts", "数据", "data"),
    # Admin only; created only (a username that exists is a row problem); all or nothing; at most
    # 2,000 accounts a file; no sub-centre owns them: the sub-centre column is a staff account's own.
    action="manage_users", batched=False, all_or_nothing=True, max_rows=2_000,
    columns=(
        Column("username", "用户名", "Username", ID, True, aliases=("账号", "登录名", "用户账号", "login", "user name", "account"),
               max_len=80, help_zh="登录用的账号名：不含空格，最多 80 个字符，不区分大小写；不能与已有账号或本文件其他行重复。",
               help_en="The name to log in with: no spaces, at most 80 characters, case-insensitive; "
                       "not an existing account's nor another row's.",
               example="example.zhang"),
        Column("display_name", "姓名", "Display name", TEXT, True, aliases=("名称", "显示名", "name"), max_len=200,
               help_zh="账号显示的姓名或名称。", help_en="The name the account shows.", example="张三"),
        Column("role", "角色", "Role", VOCAB, True, vocab.ROLES, aliases=("账号类型", "用户类型", "account type"),
               help_zh="从下拉列表选择：企业用户、分中心工作人员、专家或国家中心管理员（也可填 企业、专家、staff 等）。",
               help_en="Pick from the list: enterprise, sub-centre staff, expert or national centre admin.",
               example="分中心工作人员"),
        Column("sub_centre_code", "分中心代码", "Sub-centre code", ID, aliases=("分中心", "所属分中心", "sub-centre", "sub centre"),
               max_len=32, choices=_sub_centre_codes,
               help_zh="分中心工作人员必填，从下拉列表选择有效的分中心代码（如 ZJ）；其他角色可不填。",
               help_en="Required for sub-centre staff: an active sub-centre's code from the list (e.g. ZJ); "
                       "optional for other roles.",
               example="ZJ"),
        Column("email", "邮箱", "E-mail", EMAIL, aliases=("电子邮箱", "email", "mail"), max_len=254,
               help_zh="可不填。", help_en="Optional.", example="zhang.san@example.cn"),
        Column("organisation", "单位", "Organisation", TEXT, aliases=("单位名称", "企业", "企业名称", "organization", "company"),
               max_len=200, help_zh="企业账号填写企业名称；可不填。", help_en="An enterprise account's company; optional.",
               example="浙江分中心"),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (CASES, EXPERTS, ARTICLES, ACTIVITIES, ACCOUNTS)}


def get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}: choose {', '.join(DATASETS)}") from None
