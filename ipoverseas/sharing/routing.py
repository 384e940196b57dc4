"""Routing to the sub-centre a record concerns (issue 17).

Cases. A case's `province` (企业所在省份) is the Chinese enterprise's. A case reported by sub-centre X
about an enterprise of sub-centre Y's province concerns Y: the policy action `read_region_cases`
(scope "concerning their region", ipoverseas/access/scopes.py) says which cases those are for a user,
within what they may read anyway (published cases; nothing unpublished of another sub-centre), and
the case library's filter "concerning my region" is that condition. When an import of X creates such
cases, Y's staff get one notification for the whole import (kind `region_cases`, entity the batch),
after the import has committed, never inside its transaction.

Risk alerts. A newly published risk alert about one or more industries is routed to the sub-centres
of the `alert_routing_top_n` provinces whose enterprises meet those industries most in the case
library. The measure: the number of cases (every review state) of the alert's industries, by the
case's enterprise province. The admin adjusts an alert's routing (adds or removes sub-centres,
`alert_routes`) before or after publishing; each routed sub-centre's staff are notified once
(kind `alert_routed`), when the alert is published or, after that, when the sub-centre is added.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.accounts import notifications
from ipoverseas.audit import trail
from ipoverseas.core import config, db, errors
from ipoverseas.core.models import AlertRoute, Article, ArticleIndustry, Case, SubCentre, User, utcnow

log = logging.getLogger(__name__)


def _staff_of(session: Session, sub_centre_ids: Iterable[int]) -> list[int]:
    """The active users who may read the region's cases (staff) of these sub-centres."""
    ids = list(sub_centre_ids)
    if not ids:
        return []
    roles = policy.roles_for("read_region_cases")
    return list(session.scalars(select(User.id).where(User.sub_centre_id.in_(ids), User.active.is_(True),
                                                      User.role.in_(roles)).order_by(User.id)))


# --- cases concerning another sub-centre's region -----------------------------------------------


def notify_import(batch_id: int, sub_centre_id: int, provinces: Iterable[str | None]) -> int:
    """After an import into `sub_centre_id`: one notification per staff user of each other sub-centre
    whose province the imported cases' enterprises are in. Returns how many were written."""
    counts: dict[str, int] = {}
    for province in provinces:
        if province:
            counts[province] = counts.get(province, 0) + 1
    if not counts:
        return 0
    written = 0
    with db.write_session() as s:
        reporter = s.scalar(select(SubCentre.code).where(SubCentre.id == sub_centre_id)) or ""
        centres = s.execute(select(SubCentre.id, SubCentre.province).where(
            SubCentre.province.in_(list(counts)), SubCentre.id != sub_centre_id, SubCentre.active.is_(True))).all()
        for centre, province in centres:
            users = _staff_of(s, [centre])
            written += notifications.notify(s, users, "region_cases", None, f"{reporter}: {counts[province]}",
                                            entity="import_batch", entity_id=batch_id)
    return written


def region_case_count(user: Principal) -> int:
    """How many cases concern the user's region (what the library's filter would list)."""
    if not policy.can(user, "read_region_cases"):
        return 0
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(Case).where(policy.where(user, "read_region_cases"))) or 0)


# --- risk alerts -----------------------------------------------------------------------------------


def top_n() -> int:
    return max(0, int(config.get("alert_routing_top_n")))


def exposure(session: Session, industries: list[str]) -> list[tuple[str, int]]:
    """(province, cases of these industries whose enterprise is in the province), most first."""
    if not industries:
        return []
    n = func.count()
    return [(p, int(c)) for p, c in session.execute(
        select(Case.province, n).where(Case.industry.in_(industries), Case.province.is_not(None))
        .group_by(Case.province).order_by(n.desc(), Case.province))]


def routing(article_id: int) -> list[dict[str, Any]]:
    """Every sub-centre with its part in the alert's routing: `suggested` (its province among the top N,
    with its case count), the admin's `mode` ("add" / "remove"), `routed` (the outcome), `notified_at`."""
    with db.read_session() as s:
        article = s.get(Article, article_id)
        if article is None or article.kind != "risk_alert":
            raise errors.NotFound()
        industries = list(s.scalars(select(ArticleIndustry.industry).where(ArticleIndustry.article_id == article_id)))
        ranked = exposure(s, industries)
        top = dict(ranked[:top_n()])
        every = dict(ranked)
        routes = {r.sub_centre_id: r for r in s.scalars(select(AlertRoute).where(AlertRoute.article_id == article_id))}
        out = []
        for centre in s.execute(select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en,
                                       SubCentre.province).where(SubCentre.active.is_(True))
                                .order_by(SubCentre.code)):
            route = routes.get(centre.id)
            suggested = centre.province in top
            mode = route.mode if route else None
            out.append({"sub_centre_id": centre.id, "code": centre.code, "name_zh": centre.name_zh,
                        "name_en": centre.name_en, "province": centre.province,
                        "cases": every.get(centre.province, 0), "suggested": suggested, "mode": mode,
                        "routed": (suggested and mode != "remove") or mode == "add",
                        "notified_at": route.notified_at if route else None})
    return sorted(out, key=lambda r: (not r["routed"], -r["cases"], r["code"]))


def adjust(user: Principal, article_id: int, sub_centre_id: int, mode: str | None) -> None:
    """The admin adds ("add") or removes ("remove") a sub-centre, or goes back to the suggestion (None).
    A sub-centre added to a published alert is notified at once."""
    policy.require(user, "route_alerts")
    if mode not in ("add", "remove", None):
        raise errors.Invalid("sharing.routing.bad_mode")
    with db.write_session() as s:
        article = s.get(Article, article_id)
        if article is None or article.kind != "risk_alert" or s.get(SubCentre, sub_centre_id) is None:
            raise errors.NotFound()
        route = s.get(AlertRoute, (article_id, sub_centre_id))
        before = route.mode if route else None
        if route is None:
            route = AlertRoute(article_id=article_id, sub_centre_id=sub_centre_id)
            s.add(route)
        route.mode, route.changed_by_id, route.changed_at = mode, user.id, utcnow()
        trail.record(s, user, "alert.route", "article", article_id,
                     before={"sub_centre_id": sub_centre_id, "mode": before},
                     after={"sub_centre_id": sub_centre_id, "mode": mode})
        published = article.status == "published"
    if published:
        send(article_id)


def send(article_id: int) -> int:
    """Notify the staff of every routed sub-centre not yet notified of this (published) alert; returns
    how many notifications were written. Idempotent: a sub-centre is notified once."""
    rows = [r for r in routing(article_id) if r["routed"] and r["notified_at"] is None]
    if not rows:
        return 0
    written = 0
    with db.write_session() as s:
        article = s.get(Article, article_id)
        if article is None or article.status != "published":
            return 0
        now = utcnow()
        for r in rows:
            route = s.get(AlertRoute, (article_id, r["sub_centre_id"]), with_for_update=True)
            if route is None:
                route = AlertRoute(article_id=article_id, sub_centre_id=r["sub_centre_id"])
                s.add(route)
            elif route.notified_at is not None:   # a concurrent send got there first
                continue
            route.notified_at = now
            written += notifications.notify(s, _staff_of(s, [r["sub_centre_id"]]), "alert_routed", None,
                                            article.title_zh, entity="article", entity_id=article_id)
    return written


def after_publish(article_id: int) -> None:
    """Called when an article is published: a risk alert goes to its sub-centres (best effort: the
    publication is committed already; the admin can send it again from the routing panel)."""
    after_publish_all([article_id])


CHUNK = 5_000   # ids per look-up of the risk alerts among published articles


def after_publish_all(article_ids: Iterable[int]) -> None:
    """`after_publish` for many articles (an import's): the risk alerts among them are found by one query a
    chunk (a session and a query per article cost 0.2 ms each: 20 s for 100,000 articles), then each is sent."""
    ids = list(article_ids)
    try:
        alerts_: set[int] = set()
        with db.read_session() as s:
            for i in range(0, len(ids), CHUNK):
                alerts_.update(s.scalars(select(Article.id).where(Article.id.in_(ids[i:i + CHUNK]),
                                                                  Article.kind == "risk_alert")))
    except Exception:   # never undo or fail a publication for its notifications
        log.exception("routing the risk alerts of %d articles failed", len(ids))
        return
    for article_id in ids:
        if article_id in alerts_:
            _send_logged(article_id)


def _send_logged(article_id: int) -> None:
    try:
        send(article_id)
    except Exception:   # one alert's failure leaves the others' routing alone
        log.exception("routing risk alert %s failed", article_id)


def alerts(user: Principal, *, limit: int = 200) -> list[dict[str, Any]]:
    """The risk alerts (drafts too: routing can be adjusted before publishing), newest first."""
    policy.require(user, "route_alerts")
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(
            select(Article.id, Article.ref, Article.title_zh, Article.title_en, Article.status, Article.published_on)
            .where(Article.kind == "risk_alert").order_by(Article.created_at.desc(), Article.id.desc()).limit(limit))]
