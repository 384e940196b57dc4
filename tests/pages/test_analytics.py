"""The Analytics page through AppTest for every role."""

from __future__ import annotations

import pytest

from ipoverseas.access import policy
from ipoverseas.core import i18n
from tests.pages.apptest import run_page


@pytest.mark.parametrize("role", policy.ROLES)
def test_analytics_for_every_role(sqlite_demo_database, principal, role):
    at = run_page("analytics", principal(role))
    assert not at.exception
    if role in ("staff", "admin"):
        assert at.title[0].value == i18n.t("analytics.title", "en")
        assert len(at.metric) == 6
        charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
        assert len(charts) >= 7
        assert len(at.dataframe) >= 7  # a table view per chart
    else:
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert not at.title


def test_analytics_follow_the_url_filter(sqlite_demo_database, principal):
    at = run_page("analytics", principal("admin"), query={"country": "US"}, lang="zh")
    assert not at.exception
    assert at.multiselect(key="analytics_f_country").value == ["US"]
    all_cases = run_page("analytics", principal("admin"))
    assert int(at.metric[0].value.replace(",", "")) < int(all_cases.metric[0].value.replace(",", ""))


def test_staff_see_their_region(sqlite_demo_database, principal):
    from sqlalchemy import func, select

    from ipoverseas.core import db
    from ipoverseas.core.models import Case
    staff = principal("staff")
    with db.read_session() as s:
        own = s.scalar(select(func.count()).select_from(Case).where(Case.sub_centre_id == staff.sub_centre_id))
    at = run_page("analytics", staff)
    assert at.metric[0].value == f"{own:,}"


@pytest.mark.parametrize("lang, pattern", [("zh", r"^[\d,.]+(万|亿)美元$"), ("en", r"^US\$[\d,.]+M$")])
def test_the_amount_is_counted_as_its_readers_count(sqlite_demo_database, principal, lang, pattern):
    import re

    from sqlalchemy import func, select

    from ipoverseas.core import db
    from ipoverseas.core.models import Case
    with db.read_session() as s:
        total = s.scalar(select(func.coalesce(func.sum(Case.amount_usd), 0)))
    at = run_page("analytics", principal("admin"), lang=lang)
    value = at.metric[4].value
    assert re.match(pattern, value), value
    if lang == "zh" and total < 1e8:
        assert value == f"{total / 1e4:,.0f}万美元"
