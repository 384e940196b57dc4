"""The demo accounts, one per role; the login page offers them while the demo is loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    sub_centre: str | None = None
    organisation: str | None = None


DEMO_PASSWORD = "ipoverseas-demo"

ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("enterprise", DEMO_PASSWORD, "enterprise", "宁波示例电器有限公司", None, "宁波示例电器有限公司"),
    DemoAccount("staff", DEMO_PASSWORD, "staff", "浙江分中心 王晓", "ZJ"),
    DemoAccount("expert", DEMO_PASSWORD, "expert", "李明远 律师", "ZJ"),
    DemoAccount("admin", DEMO_PASSWORD, "admin", "国家中心管理员"),
)
