"""The Atom feed (RFC 4287) of published risk alerts: all of them, or one country's.

    alerts_atom(user, country=None, base_url="http://host") -> bytes

Served by the app's own routes (`routes()`, mounted by ipoverseas/ui/server.py beside the session
routes): `GET /feeds/alerts.atom` and `GET /feeds/alerts/<country>.atom`, for intranet readers and
other systems. Without a login only when the admin allows it (setting `public_alert_feed`, off by
default); otherwise the route needs a signed-in session cookie. ElementTree escapes the text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, time

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.accounts import sessions
from ipoverseas.core import config, db, vocab
from ipoverseas.core.models import Article, ArticleCountry

ATOM = "http://www.w3.org/2005/Atom"
ALERT = "risk_alert"
LIMIT = 200
PATH = "/feeds/alerts.atom"
COUNTRY_PATH = "/feeds/alerts/{country}.atom"


def public() -> bool:
    """May the feed be read without a login (the admin's setting)?"""
    return bool(config.get("public_alert_feed"))


def country_code(value: str | None) -> str | None:
    """The country code of a feed's URL part (aliases accepted), or None when it is not one."""
    return vocab.countries().lookup(value) if value else None


def _stamp(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def alerts(user: Principal | None, country: str | None = None, limit: int = LIMIT) -> list[dict]:
    """Published risk alerts, newest first (the feed needs no more than the published ones)."""
    stmt = (select(Article.id, Article.ref, Article.title_zh, Article.title_en, Article.body, Article.severity,
                   Article.valid_until, Article.published_on, Article.updated_at, Article.created_at)
            .where(Article.kind == ALERT, Article.status == "published")
            .order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).limit(limit))
    if user is not None:
        stmt = stmt.where(policy.where(user, "read_article"))
    if country:
        stmt = stmt.where(Article.id.in_(select(ArticleCountry.article_id).where(ArticleCountry.country == country)))
    with db.read_session() as s:
        rows = [dict(r._mapping) for r in s.execute(stmt)]
        ids = [r["id"] for r in rows]
        countries: dict[int, list[str]] = {}
        if ids:
            for aid, code in s.execute(select(ArticleCountry.article_id, ArticleCountry.country)
                                       .where(ArticleCountry.article_id.in_(ids))):
                countries.setdefault(aid, []).append(code)
    for r in rows:
        r["countries"] = sorted(countries.get(r["id"], []))
    return rows


def alerts_atom(user: Principal | None, country: str | None = None, base_url: str = "http://localhost") -> bytes:
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    path = COUNTRY_PATH.format(country=country) if country else PATH
    name = vocab.countries().label(country, "zh") if country else ""
    _sub(feed, "id", f"{base}{path}")
    _sub(feed, "title", f"海外知识产权风险预警{' · ' + name if name else ''}")
    rows = alerts(user, country)
    updated = max((r["updated_at"] or r["created_at"] for r in rows), default=None) or datetime(2000, 1, 1)
    _sub(feed, "updated", _stamp(updated))
    author = _sub(feed, "author")
    _sub(author, "name", "国家海外知识产权纠纷应对指导中心")
    _sub(feed, "link", href=f"{base}{path}", rel="self", type="application/atom+xml")
    _sub(feed, "link", href=f"{base}/guides", rel="alternate", type="text/html")
    for r in rows:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base}/guides?article={r['id']}")
        _sub(entry, "title", r["title_zh"] or r["title_en"] or r["ref"])
        _sub(entry, "updated", _stamp(r["updated_at"] or r["created_at"]))
        if r["published_on"]:
            _sub(entry, "published", _stamp(datetime.combine(r["published_on"], time())))
        _sub(entry, "link", href=f"{base}/guides?article={r['id']}", rel="alternate", type="text/html")
        for code in r["countries"]:
            _sub(entry, "category", term=code, label=vocab.countries().label(code, "zh"))
        if r["severity"]:
            _sub(entry, "category", term=f"severity:{r['severity']}", label=vocab.SEVERITIES.label(r["severity"], "zh"))
        summary = (r["body"] or "")[:600]
        if r["valid_until"]:
            summary = f"有效期至 {r['valid_until'].isoformat()}\n\n{summary}"
        _sub(entry, "summary", summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# --- the route ------------------------------------------------------------------------------


def reader(token: str | None) -> tuple[bool, Principal | None]:
    """(allowed, user): a signed-in session's user, or anyone when the feed is public."""
    found = sessions.resume(token) if token else None
    if found is not None:
        return True, found[0]
    return public(), None


async def feed_route(request: Request) -> Response:
    raw = request.path_params.get("country")
    country = country_code(raw) if raw is not None else None
    if raw is not None and country is None:
        return Response("unknown country", status_code=404, media_type="text/plain")
    allowed, user = await run_in_threadpool(reader, request.cookies.get(sessions.COOKIE_NAME))
    if not allowed:   # no session, and the admin has not opened the feed: as if it did not exist
        return Response("not found", status_code=404, media_type="text/plain")
    scheme = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = (request.headers.get("x-forwarded-host") or request.headers.get("host") or "localhost").split(",")[0]
    body = await run_in_threadpool(alerts_atom, user, country, f"{scheme}://{host.strip()}")
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300" if user else "public, max-age=300"})


def routes() -> list[Route]:
    return [Route(PATH, feed_route, methods=["GET", "HEAD"]),
            Route("/feeds/alerts/{country}.atom", feed_route, methods=["GET", "HEAD"])]
