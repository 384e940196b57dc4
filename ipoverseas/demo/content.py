"""Builds the demo records. Filled out by the demo content work; this first version
creates the sub-centres and the demo accounts only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import auth
from ..models import SubCentre
from . import ACCOUNTS

SUB_CENTRES = (
    ("ZJ", "浙江分中心", "Zhejiang sub-centre", "ZJ"),
    ("GD", "广东分中心", "Guangdong sub-centre", "GD"),
    ("JS", "江苏分中心", "Jiangsu sub-centre", "JS"),
    ("SH", "上海分中心", "Shanghai sub-centre", "SH"),
    ("BJ", "北京分中心", "Beijing sub-centre", "BJ"),
    ("SD", "山东分中心", "Shandong sub-centre", "SD"),
    ("FJ", "福建分中心", "Fujian sub-centre", "FJ"),
    ("SC", "四川分中心", "Sichuan sub-centre", "SC"),
    ("HB", "湖北分中心", "Hubei sub-centre", "HB"),
    ("TJ", "天津分中心", "Tianjin sub-centre", "TJ"),
    ("AH", "安徽分中心", "Anhui sub-centre", "AH"),
    ("HN", "湖南分中心", "Hunan sub-centre", "HN"),
)


def load_all(session: Session) -> dict[str, int]:
    for code, zh, en, province in SUB_CENTRES:
        session.add(SubCentre(code=code, name_zh=zh, name_en=en, province=province, is_demo=True))
    session.flush()
    for account in ACCOUNTS:
        auth.create_user(session, username=account.username, password=account.password, role=account.role,
                         display_name=account.display_name, sub_centre_code=account.sub_centre,
                         organisation=account.organisation, is_demo=True)
    return {"sub_centres": len(SUB_CENTRES), "users": len(ACCOUNTS)}
