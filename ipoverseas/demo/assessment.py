"""The demo's assessment: the national centre's judgement (the rubric's item set by the admin with a
written reason) for some demo sub-centres this year, so that the scorecard shows how an admin's
points read beside the computed ones. Flagged `is_demo`."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ipoverseas.core.models import AssessmentOverride

JUDGEMENTS = (
    ("ZJ", 9.0, "牵头组织长三角展会知识产权保护协作，全年主动报送线索及时、质量高。"),
    ("GD", 8.5, "跨境电商“Schedule A”批量诉讼应对指导成效明显，但月度情况两次迟报。"),
    ("SH", 8.0, "专家资源统筹有力，与自贸区服务机构对接机制运转良好。"),
    ("BJ", 6.5, "咨询量较少，转交纠纷接收不够及时，需加强主动服务。"),
)


def build(session: Session, today: date, sub_centres: dict[str, int], admin_id: int) -> dict[str, int]:
    rows = [AssessmentOverride(year=today.year, sub_centre_id=sub_centres[code], item="centre_judgement",
                               points=points, reason=reason, set_by=admin_id, is_demo=True)
            for code, points, reason in JUDGEMENTS if code in sub_centres]
    session.add_all(rows)
    return {"assessment_overrides": len(rows)}
