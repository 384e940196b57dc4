"""Demo consultations with their status events and message threads.

Timestamps are relative to the moment of loading (the last ~90 days), so the
working-day clock and the compliance figures always have something to show: some
open consultations are already older than the 3-working-day promise.

Message kinds written here: "question" (the enterprise's first question),
"followup" (a later post by either side), "answer" (the expert's answer).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from ipoverseas.core.models import Consultation, ConsultationEvent, ConsultationMessage, Expert, ProfileTerm
from . import companies, names


@dataclass(frozen=True)
class EnterpriseAccount:
    username: str
    organisation: str
    province: str           # also the sub-centre that triages its questions
    industry: str
    contact: str


# The first one is the demo "enterprise" account (demo.ACCOUNTS); the others are added here.
ENTERPRISES: tuple[EnterpriseAccount, ...] = (
    EnterpriseAccount("enterprise", "宁波示例电器有限公司", "ZJ", "electronics", "陈晓东（外贸部经理）"),
    EnterpriseAccount("enterprise2", "深圳澜拓智能科技有限公司", "GD", "electronics", "刘佳（法务主管）"),
    EnterpriseAccount("enterprise3", "苏州禾朗机电有限公司", "JS", "machinery", "周建国（总经理助理）"),
    EnterpriseAccount("enterprise4", "上海曜衍新能源科技有限公司", "SH", "new_energy", "孙悦（知识产权专员）"),
    EnterpriseAccount("enterprise5", "泉州岚驰鞋业有限公司", "FJ", "textiles", "林志鹏（电商运营总监）"),
    EnterpriseAccount("enterprise6", "青岛骁峯汽车配件有限公司", "SD", "auto", "王磊（出口业务部）"),
    EnterpriseAccount("enterprise7", "义乌沐棠家居用品有限公司", "ZJ", "light_industry", "何敏（跨境电商负责人）"),
) + tuple(EnterpriseAccount(f"company{n:02d}", name, province, industry, contact)
          for n, (name, province, industry, contact) in enumerate(companies.COMPANIES, start=1))


@dataclass(frozen=True)
class Topic:
    key: str
    country: str
    dispute_type: str
    stage: str
    ip_type: str
    industries: tuple[str, ...]      # enterprises this topic suits; empty = any
    opposing: tuple[str, ...]
    question: str
    answer: str
    products: tuple[str, ...] = field(default=())


DISCLAIMER = "\n\n*以上意见基于贵司提供的信息作出，仅供参考，不构成正式法律意见；具体行动前请委托当地执业律师。*"

TOPICS: tuple[Topic, ...] = (
    Topic("sched_a", "US", "ecommerce", "account_frozen", "trademark", (),
          ("Brightwave Audio LLC", "Harborline Home Products LLC", "Nimbus Kids Toys Inc.", "Silverpine Apparel Co."),
          "我司在亚马逊美国站销售的{product}，{days}天前收到平台邮件，称因美国伊利诺伊州北区联邦地区法院的临时限制令（TRO），"
          "店铺资金已被冻结，原告为{opp}，被告名单上有近{n}个店铺。请问：1）我们是否必须应诉？2）不应诉会有什么后果？"
          "3）和解金额一般在什么范围？",
          "## 初步意见\n\n这是典型的 **Schedule A** 批量诉讼。原告通常在获得临时限制令后申请初步禁令，"
          "被告不应诉的，法院一般会作出**缺席判决**并将冻结资金划转给原告。\n\n"
          "## 建议\n\n1. 立即通过PACER查询案号，核实原告的商标注册号及侵权截图是否确为贵司链接；\n"
          "2. 统计被冻结金额和涉案商品的实际销售额，作为和解谈判依据；\n"
          "3. 冻结金额较小（如低于5000美元）时，和解通常比应诉更经济；金额较大或确不侵权时，可委托美国律师提出异议；\n"
          "4. 下架同类可能侵权的链接，保留下架记录。\n\n"
          "## 时间节点\n\n- 临时限制令有效期一般为14天，注意初步禁令听证日期；\n- 答辩期一般为收到送达后21天。"),
    Topic("itc", "US", "itc_337", "sued", "patent", ("electronics", "new_energy", "machinery"),
          ("Voltaris Technologies Inc.", "Helionyx Solar Inc.", "Ferrowind Machinery Corp.",
           "Lumenpeak Lighting Corp."),
          "我司收到美国律师转来的337调查立案通知，申请人{opp}指控我司{product}侵犯其两项美国专利。"
          "我们在美国的年销售额约{sales}万美元。请问应诉流程、时间表和大致费用如何？是否可以只做规避设计不应诉？",
          "## 关于是否应诉\n\n**强烈建议应诉。** 337调查中被申请人不应诉将被认定缺席，ITC可直接发布排除令，"
          "涉案产品将无法进入美国市场，且规避设计产品也可能在海关受到阻拦。\n\n"
          "## 流程与时间\n\n- 立案后约20天内提交答辩；\n- 证据开示约6-8个月；\n- 行政法官初裁一般在立案后12个月左右，终裁约16-18个月。\n\n"
          "## 费用与策略\n\n1. 全程应诉费用通常在数百万美元量级，可考虑与其他被申请人联合应诉分摊；\n"
          "2. 同步评估向美国专利商标局提起IPR无效程序；\n3. 尽快启动规避设计并保留研发记录；\n"
          "4. 在证据开示前评估和解的可能性。"),
    Topic("fair_prep", "DE", "trade_fair", "prevention", "design",
          ("machinery", "electronics", "light_industry", "new_energy"),
          ("Hohenried Werkzeuge GmbH", "Kaltenbach Elektro GmbH & Co. KG", "Weidenhof Design GmbH"),
          "我司计划明年参加{fair}，展出新款{product}。听说德国展会上经常有临时禁令，竞争对手{opp}去年就在展会上投诉过中国企业。"
          "我们应提前做哪些准备？保护函怎么提交？",
          "## 参展前准备\n\n1. **检索**：针对展品做欧盟外观设计、德国实用新型和欧洲专利检索，重点关注主要竞争对手；\n"
          "2. **证据**：整理展品的设计稿、开发时间记录和在先公开证据，打印随身携带；\n"
          "3. **保护函（Schutzschrift）**：可通过德国中央保护函登记系统提交，法院在审查临时禁令申请时会一并考虑；\n"
          "4. **应急**：提前确定一名当地律师，留存联系方式。\n\n"
          "## 现场注意\n\n- 法院执行官送达禁令时应配合，但不要当场签署任何停止侵权声明；\n- 第一时间联系律师和分中心。"),
    Topic("fair_now", "DE", "trade_fair", "trade_fair", "design",
          ("machinery", "electronics", "light_industry", "auto"),
          ("Hohenried Werkzeuge GmbH", "Lindqvist Haushaltsgeräte GmbH", "Sternau Fahrzeugtechnik AG"),
          "我们正在德国参展，今天上午法院执行官到展台送达了临时禁令，申请人是{opp}，称我司{product}侵犯其外观设计。"
          "现在对方律师要求我们签署停止侵权声明并支付律师费，请问应该签吗？",
          "## 紧急建议\n\n1. **暂不签署**停止侵权声明。该声明通常附带高额违约金，一旦签署长期有效；\n"
          "2. 按禁令要求撤下涉案展品，避免被处以罚款；\n3. 拍照记录展台现状，保留送达文件；\n"
          "4. 请当地律师在48小时内评估禁令依据，如有在先设计证据，可提出异议（Widerspruch）。\n\n"
          "## 后续\n\n禁令只是临时措施，若对方权利基础薄弱，可通过异议撤销；如需和解，应由律师修改声明措辞，缩小承诺范围。"),
    Topic("customs_nl", "NL", "customs", "detained", "trademark", ("electronics", "light_industry", "textiles", "auto"),
          ("Verhoeven Consumer Brands B.V.", "Nordvik Sport AB", "Maison Delacourt SAS"),
          "我司一批发往荷兰的{product}在鹿特丹港被海关扣押，海关通知称涉嫌侵犯{opp}的商标，要求10个工作日内答复。"
          "这批货是客户贴牌订单，客户提供了商标授权书。请问如何回复海关？",
          "## 分析\n\n欧盟海关依第608/2013号条例采取边境措施。收到通知后，货物所有人可在**10个工作日**内表示是否同意销毁。\n\n"
          "## 建议\n\n1. 明确**不同意销毁**，并提交客户出具的商标授权书及授权链条文件；\n"
          "2. 核实授权方是否确为商标权人或其被许可人，授权范围是否覆盖该商品和地域；\n"
          "3. 如权利人在期限内起诉，需要当地律师应诉；\n4. 与收货人沟通，明确由谁承担滞港费用。\n\n"
          "今后接贴牌订单时，建议在合同中约定知识产权担保条款。"),
    Topic("squat_vn", "VN", "squatting", "enforcing", "trademark", (),
          ("Công ty TNHH Thương mại Minh Phát Lộc", "Công ty CP Đầu tư Hoàng Gia Khang"),
          "我们发现越南一家公司{opp}申请注册了和我司完全相同的商标，目前还在公告期。我们在越南通过经销商销售三年，有发票和报关单。"
          "请问如何提出异议？需要哪些证据？",
          "## 程序\n\n越南商标申请公告后，任何人可在注册前提出**异议**。建议尽快委托越南代理人提交。\n\n"
          "## 证据清单\n\n- 贵司在中国及其他国家的商标注册证；\n- 在越南的销售发票、报关单、经销合同；\n"
          "- 广告宣传、展会参展资料；\n- 证明对方知晓贵司商标的材料（如曾为经销商、曾有往来邮件）。\n\n"
          "## 同步措施\n\n请立即在越南提交自己的商标申请，必要时通过马德里体系指定越南，避免再次被抢注。"),
    Topic("squat_th", "TH", "squatting", "letter", "trademark", (),
          ("Siam Prosper Trading Co., Ltd.", "Chao Phraya Ventures Co., Ltd."),
          "泰国前经销商{opp}以自己名义注册了我们的商标，现在向我们新的经销商发律师函，要求停止销售{product}。我们该怎么办？",
          "## 分析\n\n这属于代理人抢注。泰国商标法允许以**恶意注册**为由申请撤销注册。\n\n"
          "## 建议\n\n1. 收集与该经销商的合作合同、邮件，证明其知晓并代理过贵司商标；\n"
          "2. 向泰国知识产权厅申请撤销该注册，同时提交自己的商标申请；\n"
          "3. 对新经销商的律师函给予书面回应，说明贵司的在先权利；\n4. 如对方提出转让，可评估以合理价格购回。"),
    Topic("warning_us", "US", "litigation", "letter", "patent", (),
          ("Quantiva Semiconductor Corp.", "Pinnacle Drive Systems LLC", "Greyhaven Patent Holdings LLC",
           "Corvane Power Tools Inc."),
          "收到美国{opp}律师发来的警告函，称我司{product}侵犯其美国专利，要求30天内答复并停止销售。请问需要回复吗？如何评估侵权风险？",
          "## 建议\n\n1. **不要置之不理**，也不要在未经评估的情况下承认侵权；\n"
          "2. 委托专利律师对照权利要求做侵权比对，并检索现有技术评估专利有效性；\n"
          "3. 核查对方是否为实际经营企业，还是专利主张实体（NPE）；\n"
          "4. 在评估完成前，可礼貌回函告知正在研究，争取时间。\n\n"
          "如对方是NPE，通常以许可费为目的，可在评估基础上谈判。"),
    Topic("sep_in", "IN", "litigation", "sued", "patent", ("electronics",),
          ("Sarvesh Telecom Innovations Pvt Ltd",),
          "印度德里高等法院起诉我司{product}侵犯标准必要专利，对方{opp}申请了临时禁令并要求缴存保证金。请问在印度应诉需要注意什么？",
          "## 要点\n\n1. 德里高等法院在标准必要专利案件中常要求被告**缴存保证金**（pro-tem security），应准备相应资金；\n"
          "2. 保留贵司在许可谈判中的善意证据，有利于抵御禁令；\n3. 评估对方专利的必要性和有效性；\n"
          "4. 关注印度诉讼的时间节点，及时提交书面陈述。"),
    Topic("amazon", "US", "ecommerce", "complaint", "design", ("light_industry", "electronics", "textiles"),
          ("Bluecrest Kitchenware LLC", "Redfern Pet Supply LLC", "Tallgrass Fitness Inc."),
          "亚马逊通知我们的{product}链接因外观设计专利侵权投诉被下架，投诉方{opp}。我们认为产品外观明显不同。怎样申诉？"
          "能否走亚马逊的专利中立评估程序？",
          "## 建议\n\n1. 先查询对方美国外观设计专利的图片，与贵司产品逐一比对，外观设计侵权以普通观察者标准判断；\n"
          "2. 如明显不同，可在卖家后台提交申诉，附比对说明；也可联系投诉方请求撤回投诉；\n"
          "3. 亚马逊的中立评估程序主要适用于发明专利，外观设计投诉一般需通过申诉或法院程序解决；\n"
          "4. 注意对方可能随后提起Schedule A诉讼，建议分散店铺资金。"),
    Topic("gulf", "AE", "squatting", "prevention", "trademark", (),
          ("Gulf Horizon General Trading LLC", "Al Noor Brands FZE"),
          "我司准备进入中东市场（阿联酋、沙特），销售{product}。当地经销商{opp}提出由他们代为注册商标。请问商标应如何布局？",
          "## 建议\n\n1. **商标应以贵司名义注册**，不要由经销商代为注册，避免日后被控制；\n"
          "2. 阿联酋、沙特需分别申请，海湾国家暂无统一的有效注册途径；\n"
          "3. 申请阿拉伯文商标，覆盖主要商品类别；\n4. 与经销商的合同中明确商标归属和终止后的处理。"),
    Topic("trade_secret", "US", "trade_secret_criminal", "letter", "trade_secret",
          ("electronics", "new_energy", "machinery"),
          ("Voltaris Technologies Inc.", "Orbitek Networks Inc."),
          "我司新招聘的一名工程师来自美国{opp}，对方发函称该员工带走了商业秘密，要求我们配合调查。请问我们有什么风险？",
          "## 风险\n\n美国商业秘密案件可能同时涉及民事诉讼和刑事调查，赔偿金额可能很高。\n\n"
          "## 建议\n\n1. 立即开展内部调查，隔离该员工可能带入的资料；\n2. 要求该员工书面确认未带入前雇主资料；\n"
          "3. 保留贵司独立研发的记录；\n4. 回函前请美国律师审阅，避免不当陈述。"),
    Topic("jp_design", "JP", "litigation", "letter", "design", ("electronics", "light_industry", "auto"),
          ("Aobadai Seiki K.K.", "Kusanagi Design Works K.K."),
          "日本客户转来{opp}的警告信，称我们出口的{product}侵犯其日本外观设计，要求停止进口。如何应对？",
          "## 建议\n\n1. 在日本特许厅数据库核对对方外观设计登记的状态和保护范围，日本外观设计还包括部分外观设计和关联外观设计；\n"
          "2. 评估相似性，必要时请日本弁理士出具意见；\n3. 关注对方是否已申请海关进口禁止；\n4. 与客户沟通责任分担。"),
    Topic("enforce_us", "US", "ecommerce", "enforcing", "trademark", (),
          ("", ),
          "我们在美国亚马逊发现大量卖家仿冒我司注册商标销售{product}，想主动维权。Schedule A方式可行吗？费用多少？",
          "## 分析\n\n贵司如已在美国注册商标，可以考虑以Schedule A方式在联邦地区法院批量起诉并申请临时限制令。\n\n"
          "## 注意\n\n1. 近年法院对批量起诉的审查趋严，需保证每个被告的侵权证据充分；\n"
          "2. 律师费通常按案件或按被告计费；\n3. 也可先使用亚马逊品牌备案和投诉工具，成本更低。"),
    Topic("customs_mx", "MX", "customs", "detained", "trademark", ("auto", "electronics", "light_industry"),
          ("Grupo Sierra Alta Importaciones S.A. de C.V.", "Distribuidora Tulum Norte S.A. de C.V."),
          "我司出口墨西哥的{product}在曼萨尼约港被扣，海关称当地公司{opp}持有相同商标。这个商标我们在墨西哥没注册。怎么办？",
          "## 分析\n\n墨西哥实行商标**注册在先**原则，对方如已合法注册，贵司在当地使用同一标识存在侵权风险。\n\n"
          "## 建议\n\n1. 核实对方注册是否存在恶意、是否连续三年未使用，可考虑撤销或无效；\n"
          "2. 短期内可与收货人协商更换标识后申请放行；\n3. 尽快在墨西哥提交商标申请。"),
)

PRODUCTS = {
    "electronics": ("蓝牙耳机", "移动电源", "智能手表", "LED台灯", "快充充电器"),
    "machinery": ("电动工具", "割草机", "水泵", "电动扳手"),
    "new_energy": ("便携式储能电源", "光伏逆变器", "储能电池"),
    "textiles": ("运动鞋", "瑜伽服", "户外背包"),
    "auto": ("汽车灯具", "刹车片", "车载充电器"),
    "light_industry": ("保温杯", "宠物用品", "户外家具", "儿童积木"),
}
FAIRS = ("法兰克福国际消费品展览会", "科隆国际五金博览会", "汉诺威工业博览会", "柏林国际消费电子展")

# Per status: how many, and (min, max) age in days at load time.
PLAN = (
    ("new", 10), ("assigned", 10), ("accepted", 8), ("waiting", 7), ("answered", 12), ("closed", 20),
)
LATE_OPEN_SHARE = 0.06     # open consultations already past the promise
SLOW_ANSWER_SHARE = 0.08   # answers sent after the promise
# How many of each status go to expert #1 (the demo expert's inbox).
EXPERT1 = {"assigned": 3, "accepted": 3, "waiting": 2, "answered": 3, "closed": 5}

RATING_COMMENTS = {
    5: ("答复非常及时，建议具体可操作，帮助我们避免了重大损失。", "专家很专业，分析透彻，非常感谢！", "回复快、思路清晰，已按建议处理。"),
    4: ("答复有帮助，希望能附上相关法条链接。", "总体满意，费用估算部分可以更具体。", "建议实用，沟通顺畅。"),
    3: ("答复较为原则，希望能更结合我们的产品情况。", "回复时间稍长，内容基本解决了问题。"),
    2: ("答复偏笼统，没有解决我们最关心的和解金额问题。",),
    1: ("等待时间太长，错过了答复期限。",),
}
WAIT_ASKS = (
    "请补充提供收到的法院文件或平台通知截图，以及涉案产品的照片和销售数据。",
    "为便于判断，请提供对方商标注册号或专利号，以及贵司产品的设计开发时间记录。",
    "请说明涉案产品在当地的销售渠道、年销售额和是否有当地经销商。",
)
WAIT_REPLIES = (
    "已上传法院通知和产品照片，涉案产品年销售额约30万美元。",
    "补充材料已附上，对方专利号见附件，我们的设计稿最早形成于三年前。",
    "我们主要通过当地两家经销商销售，去年销售额约120万元人民币。",
)
FOLLOWUPS = (
    ("谢谢专家答复。想再确认一下：如果选择和解，是否需要在和解协议中约定不再起诉的条款？",
     "需要。建议在和解协议中明确对方放弃对贵司现有产品的一切主张，并约定保密条款。"),
    ("请问贵分中心能否推荐当地律师？我们希望尽快委托。",
     "分中心已通过站内信发送三家合作律所的联系方式，请注意查收。"),
    ("答复收到。我们按建议提交了材料，后续有进展再向您报告。",
     "好的，如有新的通知请及时上传，我们会继续跟进。"),
)
FOLLOWUP_OUTCOMES = (("settled", 35), ("won", 25), ("withdrawn", 20), ("lost", 10), ("default_judgment", 10))


def _age_at_risk(now: datetime) -> float:
    """Days before `now` at which a clock started has used 90 % of the promise in working time: an
    age drawn in calendar days leaves none at risk on a weekend or a holiday morning."""
    from ipoverseas.consultations import clock, workflow
    target = 0.9 * workflow.promise_days()
    hours = 1
    while clock.elapsed(now - timedelta(hours=hours), now) < target and hours < 24 * 30:
        hours += 1
    return hours / 24


def _hours(rng: random.Random, lo: float, hi: float) -> timedelta:
    return timedelta(hours=rng.uniform(lo, hi))


def build(rng: random.Random, now: datetime, users: dict[str, int], sub_centres: dict[str, int],
          experts: list[Expert], expert_users: dict[int, int], staff_users: dict[str, int],
          admin_id: int) -> tuple[list[Consultation], list]:
    """Consultations plus, per consultation, its events and messages. The consultation ids
    exist only after a flush, so the caller adds and flushes the consultations first and then
    calls `attach(threads)` to get the events and messages with their consultation ids set."""
    active = [e for e in experts if e.active]
    expert1 = experts[0]
    consultations: list[Consultation] = []
    threads: list[tuple[Consultation, list[ConsultationEvent], list[ConsultationMessage]]] = []

    others = list(ENTERPRISES[1:])
    statuses = [status for status, count in PLAN for _ in range(count)]
    expert1_left = dict(EXPERT1)
    used = {t.key: 0 for t in TOPICS}

    zhejiang = [a for a in ENTERPRISES if a.province == "ZJ"]
    shown_late: set[str] = set()
    shown_at_risk = False
    for i, status in enumerate(statuses):
        # the demo enterprise asks about one in six; the other companies share the rest
        account = ENTERPRISES[0] if i % 6 == 0 else rng.choice(others)
        use_expert1 = expert1_left.get(status, 0) > 0 and account.province == "ZJ"
        if status in expert1_left and expert1_left[status] > 0 and not use_expert1 and rng.random() < 0.5:
            account, use_expert1 = rng.choice(zhejiang), True
        if use_expert1:
            expert1_left[status] -= 1
            candidates = [t for t in TOPICS if t.country == "US" and not t.industries or
                          (t.country == "US" and account.industry in t.industries)]
        else:
            candidates = [t for t in TOPICS if not t.industries or account.industry in t.industries]
        fewest = min(used[t.key] for t in candidates)
        topic = rng.choice([t for t in candidates if used[t.key] == fewest])
        used[topic.key] += 1
        product = rng.choice(PRODUCTS.get(account.industry, ("产品",)))
        opp = rng.choice(names.fitting(topic.opposing, account.industry)) or None
        question = topic.question.format(
            product=product, opp=opp or "", days=rng.randint(2, 9), n=rng.choice((80, 150, 260, 400)),
            sales=rng.choice((300, 800, 1500, 3000)), fair=rng.choice(FAIRS))

        # ages (days before now): most open ones are within the promise; a few are late (to show
        # the overdue and at-risk features), as at a centre that mostly keeps its promise
        if status in ("new", "assigned", "accepted"):
            late = rng.random() < LATE_OPEN_SHARE or status not in shown_late   # one late of each, at least
            shown_late.add(status)
            age = rng.uniform(5, 12) if late else rng.uniform(0.1, 2.8)
            if not late and not shown_at_risk:   # one at risk, whatever the weekday and hour of loading
                age, shown_at_risk = _age_at_risk(now), True
        elif status == "waiting":
            age = rng.uniform(2, 15)
        elif status == "answered":
            age = rng.uniform(2, 45)
        else:
            age = rng.uniform(12, 90)
        created = now - timedelta(days=age)
        created = created.replace(microsecond=0)

        sub_code = account.province if account.province in sub_centres else "ZJ"
        staff_id = staff_users.get(sub_code, admin_id)
        enterprise_id = users[account.username]

        if status == "new":
            expert = None
        elif use_expert1:
            expert = expert1
        else:
            covering = [e for e in active if e is not expert1
                        and any(c.country == topic.country for c in e.countries)]
            pool = [e for e in covering if e.sub_centre_id == sub_centres[sub_code]] or covering
            expert = rng.choice(pool or active[1:])
        expert_user = expert_users.get(expert.id) if expert else None

        deadline = None
        if rng.random() < 0.75:
            deadline = (created + timedelta(days=rng.randint(4, 45))).date()
        urgency = "normal"
        if deadline and (deadline - created.date()).days <= 10:
            urgency = "critical" if (deadline - created.date()).days <= 6 else "urgent"
        elif topic.stage in ("trade_fair", "account_frozen", "detained"):
            urgency = "urgent"

        # the chain of status changes
        steps: list[tuple[str, str, timedelta, int | None]] = []   # from, to, gap, user
        if status != "new":
            steps.append(("new", "assigned", _hours(rng, 1, 8), staff_id))
        if status in ("accepted", "waiting", "answered", "closed"):
            steps.append(("assigned", "accepted", _hours(rng, 1, 12), expert_user))
        paused = status == "waiting" or (status in ("answered", "closed") and rng.random() < 0.3)
        if paused:
            steps.append(("accepted", "waiting", _hours(rng, 3, 16), expert_user))
            if status != "waiting":
                steps.append(("waiting", "accepted", _hours(rng, 10, 72), enterprise_id))
        if status in ("answered", "closed"):
            slow = rng.random() < SLOW_ANSWER_SHARE
            steps.append(("accepted", "answered", _hours(rng, 90, 150) if slow else _hours(rng, 4, 30), expert_user))
        if status == "closed":
            steps.append(("answered", "closed", _hours(rng, 20, 240), enterprise_id))
        total = sum((s[2] for s in steps), timedelta())
        room = (now - created) - timedelta(hours=1)
        scale = 1.0
        if total > room:
            scale = max(room / total, 0.01) if total else 1.0

        consultation = Consultation(
            enterprise_user_id=enterprise_id, created_by_id=enterprise_id, sub_centre_id=sub_centres[sub_code],
            company=account.organisation, contact=account.contact, country=topic.country, ip_type=topic.ip_type,
            industry=account.industry, dispute_type=topic.dispute_type, stage=topic.stage, opposing_party=opp,
            enterprise_deadline=deadline, urgency=urgency, question=question, status=status,
            expert_id=expert.id if expert else None, disclaimer_accepted=True, created_at=created,
            updated_at=created, is_demo=True,
        )
        events = [ConsultationEvent(at=created, user_id=enterprise_id, from_status=None, to_status="new",
                                    note="企业提交咨询")]
        messages = [ConsultationMessage(author_id=enterprise_id, kind="question", body=question, created_at=created)]
        at = created
        wait_index = rng.randrange(len(WAIT_ASKS))
        for from_status, to_status, gap, user_id in steps:
            at = (at + gap * scale).replace(microsecond=0)
            note = None
            if to_status == "assigned":
                consultation.assigned_at = at
                note = f"分派专家：{expert.name}"
            elif to_status == "accepted" and from_status == "assigned":
                consultation.accepted_at = at
            elif to_status == "waiting":
                note = "等待企业补充材料"
                messages.append(ConsultationMessage(author_id=expert_user, kind="followup",
                                                    body=WAIT_ASKS[wait_index], created_at=at))
            elif to_status == "accepted":
                note = "企业已补充材料"
                messages.append(ConsultationMessage(author_id=enterprise_id, kind="followup",
                                                    body=WAIT_REPLIES[wait_index], created_at=at))
            elif to_status == "answered":
                consultation.answered_at = at
                consultation.answer = topic.answer + DISCLAIMER
                messages.append(ConsultationMessage(author_id=expert_user, kind="answer",
                                                    body=consultation.answer, created_at=at))
            elif to_status == "closed":
                consultation.closed_at = at
                note = "企业确认问题已解决"
            events.append(ConsultationEvent(at=at, user_id=user_id, from_status=from_status, to_status=to_status,
                                            expert_id=expert.id if to_status == "assigned" else None, note=note))
        consultation.updated_at = at

        if status == "closed":
            rating = rng.choices((5, 4, 3, 2, 1), (45, 30, 13, 7, 5))[0]
            consultation.rating = rating
            consultation.rating_comment = rng.choice(RATING_COMMENTS[rating])
            if rng.random() < 0.6:
                values, weights = zip(*FOLLOWUP_OUTCOMES)
                consultation.followup_outcome = rng.choices(values, weights)[0]
                if consultation.followup_outcome in ("settled", "won", "withdrawn") and rng.random() < 0.8:
                    consultation.loss_avoided_cny = Decimal(rng.randint(5, 600) * 10_000)
        if status in ("answered", "closed") and rng.random() < 0.3:
            ask, reply = rng.choice(FOLLOWUPS)
            t1 = consultation.answered_at + (min(consultation.closed_at or now, now) - consultation.answered_at) / 3
            t2 = consultation.answered_at + (min(consultation.closed_at or now, now) - consultation.answered_at) * 2 / 3
            messages.append(ConsultationMessage(author_id=enterprise_id, kind="followup", body=ask,
                                                created_at=t1.replace(microsecond=0)))
            messages.append(ConsultationMessage(author_id=expert_user or staff_id, kind="followup", body=reply,
                                                created_at=t2.replace(microsecond=0)))
        consultations.append(consultation)
        threads.append((consultation, events, messages))
    return consultations, threads


def profiles(users: dict[str, int], consultations: list[Consultation], markets: int = 3) -> list[ProfileTerm]:
    """Each demo enterprise's company profile: its industry, and as export markets the countries it
    asks about most (at most `markets`). The first demo enterprise keeps none, so the demo also shows
    an enterprise without a profile (its follows start from its consultations)."""
    terms: list[ProfileTerm] = []
    for account in ENTERPRISES[1:]:
        uid = users[account.username]
        asked: dict[str, int] = {}
        for c in consultations:
            if c.enterprise_user_id == uid and c.country:
                asked[c.country] = asked.get(c.country, 0) + 1
        top = sorted(asked, key=lambda code: (-asked[code], code))[:markets]
        terms.append(ProfileTerm(user_id=uid, facet="industry", value=account.industry))
        terms.extend(ProfileTerm(user_id=uid, facet="country", value=code) for code in top)
    return terms


def attach(threads) -> tuple[list[ConsultationEvent], list[ConsultationMessage]]:
    """Set the consultation ids (after a flush) on the events and messages, and the stored
    clock facts on the consultations (before the session flushes them again)."""
    from ipoverseas.consultations.workflow import set_clock_facts

    events, messages = [], []
    for consultation, evs, msgs in threads:
        set_clock_facts(consultation, [(e.at, e.from_status, e.to_status) for e in evs])
        for event in evs:
            event.consultation_id = consultation.id
            events.append(event)
        for message in msgs:
            message.consultation_id = consultation.id
            messages.append(message)
    return events, messages
