"""The registry of actions: every permission decision of the app, one row each (DESIGN.md §4).

Read a row as "a <role> may <action> on <scope>". `ipoverseas.access.policy` answers from it, both
for one record and as SQL; the README's policy table is generated from it, and
tests/access/test_policy.py checks every action x role through the service, the SQL and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ipoverseas.access.principal import ADMIN, ENTERPRISE, EXPERT, ROLES, STAFF, Principal
from ipoverseas.access.scopes import (
    ANY, ASKED_BY_THEM, ASKER, ASSIGNED, CONCERNING_REGION, NONE, OWN_PROFILE, OWN_SUB_CENTRE, PUBLISHED, SELF,
    Resource, Scope,
)
from ipoverseas.core.models import (Activity, Article, AssessmentOverride, Case, Consultation, DutyItem, Expert,
                                    ImportBatch, Transfer, User)


@dataclass(frozen=True)
class Action:
    """Something a user may do. `rules` gives every role its scope; `en`/`zh` describe it in the table."""

    name: str
    resource: Resource | None
    rules: Mapping[str, Scope]
    en: str
    zh: str

    def scope(self, user: Principal) -> Scope:
        return self.rules.get(user.role, NONE)

    def roles(self) -> tuple[str, ...]:
        """The roles that may do it to some record (the pages for it are in their navigation)."""
        return tuple(role for role in ROLES if self.rules.get(role, NONE) is not NONE)

CASE = Resource("case", Case, status="review_status")
ARTICLE = Resource("article", Article, status="status")
EXPERT_PROFILE = Resource("expert", Expert)
CONSULTATION = Resource("consultation", Consultation)
IMPORT_BATCH = Resource("import_batch", ImportBatch)
USER = Resource("user", User)
DUTY = Resource("duty", DutyItem)
ACTIVITY = Resource("activity", Activity)
TRANSFER = Resource("transfer", Transfer)      # its `sub_centre_id` is the sub-centre it is sent to
ASSESSMENT = Resource("assessment", AssessmentOverride)   # a sub-centre's assessment: its `sub_centre_id`


def _rules(enterprise=NONE, staff=NONE, expert=NONE, admin=NONE):
    return {ENTERPRISE: enterprise, STAFF: staff, EXPERT: expert, ADMIN: admin}


_LIST = [
    # --- the knowledge base and the case library
    Action("read_article", ARTICLE, _rules(PUBLISHED, PUBLISHED | OWN_SUB_CENTRE, PUBLISHED, ANY),
           "read articles and risk alerts", "阅读指南、法律程序与风险预警"),
    Action("read_case", CASE, _rules(PUBLISHED, PUBLISHED | OWN_SUB_CENTRE, PUBLISHED, ANY),
           "read cases", "阅读案例"),
    Action("see_confidential_party", CASE, _rules(staff=ANY, admin=ANY),
           "see the Chinese party of a confidential case", "查看保密案例的中方当事人"),
    Action("edit_case", CASE, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "edit cases", "编辑案例"),
    Action("edit_article", ARTICLE, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "write and edit articles", "撰写、编辑文章"),
    Action("import_records", IMPORT_BATCH, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "upload cases, experts and articles from Excel", "从 Excel 上传案例、专家与文章"),
    Action("rollback_batch", IMPORT_BATCH, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "roll back an import batch", "回滚导入批次"),
    Action("review_cases", CASE, _rules(admin=ANY),
           "review, publish, select typical / guiding cases", "审核、发布案例，评选典型 / 指导性案例"),
    Action("read_analytics", CASE, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "read the case analytics", "查看案例统计分析"),
    # --- information sharing (ipoverseas/sharing/)
    Action("keep_follows", None, _rules(ANY, ANY, ANY, ANY),
           "follow countries, dispute types, IP types, industries, cases and alerts", "关注国家、纠纷类型、知识产权类型、行业、案例与预警"),
    Action("start_with_profile_follows", None, _rules(enterprise=ANY),
           "start with follows from one's profile (industry, export markets)", "按本企业档案（行业、出口市场）自动关注"),
    Action("keep_company_profile", USER, _rules(enterprise=SELF),
           "keep one's company profile (industries, export markets)", "维护本企业档案（行业、出口市场）"),
    # --- information sharing (ipoverseas.sharing): routing, one dispute reported once, data quality
    Action("read_region_cases", CASE, _rules(staff=CONCERNING_REGION & PUBLISHED),
           "see the cases concerning their region (read only; published ones, as any case of another sub-centre)",
           "查看涉及本地区的案例（只读；与其他分中心的案例一样，仅限已发布的）"),
    Action("resolve_duplicates", CASE, _rules(admin=ANY),
           "link two records of one dispute, mark them distinct, or unlink them", "关联同一纠纷的两条记录、标记为不同纠纷或取消关联"),
    Action("route_alerts", ARTICLE, _rules(admin=ANY),
           "adjust the sub-centres a risk alert is routed to", "调整风险预警推送的分中心"),
    Action("read_data_quality", CASE, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "see the data quality figures (staff: their sub-centre's)", "查看数据质量指标（分中心人员：本分中心）"),
    # --- experts
    Action("edit_expert", EXPERT_PROFILE, _rules(staff=OWN_SUB_CENTRE, expert=OWN_PROFILE, admin=ANY),
           "add and edit experts", "添加、编辑专家"),
    Action("keep_own_profile", EXPERT_PROFILE, _rules(expert=OWN_PROFILE),
           "keep one's own expert profile and availability", "维护本人专家档案与可用时间"),
    Action("see_expert_contact", EXPERT_PROFILE, _rules(staff=ANY, expert=OWN_PROFILE, admin=ANY),
           "see expert contact details", "查看专家联系方式"),
    Action("see_inactive_experts", EXPERT_PROFILE, _rules(staff=ANY, admin=ANY),
           "see experts who are no longer active", "查看已停用的专家"),
    # --- consultations
    Action("ask_consultation", CONSULTATION, _rules(ANY, ANY),
           "ask a consultation (staff: on behalf of an enterprise)", "提出咨询（分中心可代企业提出）"),
    Action("follow_own_consultations", CONSULTATION, _rules(enterprise=ASKER),
           "follow one's own consultations", "跟踪本企业的咨询"),
    Action("read_consultation", CONSULTATION, _rules(ASKER, OWN_SUB_CENTRE, ASSIGNED, ANY),
           "read a consultation", "查看咨询"),
    Action("triage_consultation", CONSULTATION, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "triage a consultation: assign an expert, notes, follow-up outcome", "分派专家、备注、记录后续结果"),
    Action("answer_consultation", CONSULTATION, _rules(expert=ASSIGNED),
           "accept, decline and answer a consultation, ask the enterprise for more, add notes",
           "接受、谢绝、答复咨询，请企业补充材料，添加备注"),
    Action("follow_up_consultation", CONSULTATION, _rules(ASKER, ASKED_BY_THEM & OWN_SUB_CENTRE),
           "ask a follow-up question, rate the answer", "追问、评价答复"),
    Action("resume_consultation", CONSULTATION, _rules(staff=OWN_SUB_CENTRE, expert=ASSIGNED, admin=ANY),
           "restart the clock of a consultation waiting on the enterprise", "恢复等待企业补充材料的咨询计时"),
    Action("close_consultation", CONSULTATION, _rules(ASKER, OWN_SUB_CENTRE, admin=ANY),
           "close a consultation", "关闭咨询"),
    Action("read_compliance", CONSULTATION, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "read the response-time compliance figures", "查看答复时限达标情况"),
    # --- accounts and administration
    Action("keep_own_account", USER, _rules(SELF, SELF, SELF, SELF),
           "change one's own password, read one's own account history", "修改本人密码、查看本人账户记录"),
    Action("manage_users", USER, _rules(admin=ANY),
           "manage users and sub-centres", "管理用户与分中心"),
    Action("read_audit_log", None, _rules(admin=ANY),
           "read the audit log", "查看审计日志"),
    Action("manage_calendar", None, _rules(admin=ANY),
           "keep the working-day calendar (holidays, make-up working days)", "维护工作日历（节假日、调休上班日）"),
    # the sub-centre network's reporting duties
    Action("read_duties", DUTY, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "see reporting duties, their reports and reviews", "查看报送任务、报送材料及审核"),
    Action("submit_duty", DUTY, _rules(staff=OWN_SUB_CENTRE),
           "hand in a duty's report", "提交报送材料"),
    Action("review_duty", DUTY, _rules(admin=ANY),
           "accept a report or return it for revision", "采纳报送材料或退回修改"),
    Action("manage_duty_types", None, _rules(admin=ANY),
           "keep the reporting duty types (what is owed, when)", "维护报送任务类型（报送什么、何时到期）"),
    # the sub-centres' activities (training, publicity, publications...)
    Action("read_activities", ACTIVITY, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "see the sub-centres' activities and their counts", "查看分中心工作活动及统计"),
    Action("edit_activity", ACTIVITY, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "record or change an activity and its evidence", "登记或修改工作活动及佐证材料"),
    # --- the sub-centre network: transfers from the national centre
    Action("read_transfer", TRANSFER, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "see the disputes the national centre transferred", "查看国家中心转交的纠纷"),
    Action("transfer_dispute", TRANSFER, _rules(admin=ANY),
           "transfer a consultation or a dispute lead to a sub-centre, withdraw it, send a refused one elsewhere",
           "向分中心转交咨询或纠纷线索、撤回转交、改转其他分中心"),
    Action("take_transfer", TRANSFER, _rules(staff=OWN_SUB_CENTRE),
           "accept or refuse (with a reason) a dispute transferred to the sub-centre", "接收或说明理由退回转交的纠纷"),
    # --- the annual assessment and the work summary
    Action("read_assessment", ASSESSMENT, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "see the annual assessment and its evidence (staff: their own, with the network's medians)",
           "查看年度考核及其依据（分中心人员：本分中心，及全网络中位数）"),
    Action("adjust_assessment", ASSESSMENT, _rules(admin=ANY),
           "override an item's points with a reason, set the centre's judgement, freeze a year",
           "说明理由调整考核项得分、给出中心评价分、确定（冻结）年度考核结果"),
    Action("manage_rubric", None, _rules(admin=ANY),
           "keep the assessment rubric (items, points, measures, targets)", "维护考核细则（考核项、分值、计量方法、目标值）"),
    Action("draft_summary", ASSESSMENT, _rules(staff=OWN_SUB_CENTRE, admin=ANY),
           "draft the year's work summary (staff: their sub-centre; admin: any, and the whole network)",
           "生成年度工作总结初稿（分中心人员：本分中心；管理员：任一分中心及全网络）"),
]

ACTIONS: dict[str, Action] = {action.name: action for action in _LIST}
