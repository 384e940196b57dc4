"""Demo knowledge-base articles, read from data/demo/articles.json when it exists.

Each entry: ref, kind, title_zh, title_en, countries, ip_types, industries, dispute_type,
severity, valid_until, source, source_url, published_on, body_zh. Codes are checked
against the vocabularies (aliases accepted); an unknown facet code is skipped rather
than stored, and an entry without a valid kind or title is skipped.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time
from pathlib import Path

from ipoverseas.core import config
from ipoverseas.core.models import Article, ArticleCountry, ArticleIndustry, ArticleIpType
from ipoverseas.core.vocab import ARTICLE_KINDS, DISPUTE_TYPES, INDUSTRIES, IP_TYPES, SEVERITIES, countries

log = logging.getLogger(__name__)


def articles_path() -> Path:
    return config.DATA_DIR / "demo" / "articles.json"


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _codes(values, vocabulary) -> list[str]:
    codes: list[str] = []
    for value in values or ():
        code = vocabulary.lookup(value)
        if code and code not in codes:
            codes.append(code)
    return codes


def build(path: Path | None = None) -> list[Article]:
    """The demo articles (not yet added to a session); [] when the file is missing."""
    path = path or articles_path()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        entries = json.load(fh)
    cv = countries()
    articles: list[Article] = []
    seen: set[str] = set()
    for entry in entries:
        ref = str(entry.get("ref") or "").strip()
        kind = ARTICLE_KINDS.lookup(entry.get("kind"))
        title = (entry.get("title_zh") or "").strip()
        if not ref or ref in seen or not kind or not title:
            log.warning("demo article skipped: %r", ref or title)
            continue
        seen.add(ref)
        published_on = _date(entry.get("published_on"))
        stamp = datetime.combine(published_on, time(9, 0)) if published_on else None
        articles.append(Article(
            ref=ref[:64], sub_centre_id=None, kind=kind, title_zh=title[:300],
            title_en=(entry.get("title_en") or "")[:300], body=entry.get("body_zh") or "", language="zh",
            dispute_type=DISPUTE_TYPES.lookup(entry.get("dispute_type")),
            severity=SEVERITIES.lookup(entry.get("severity")), valid_until=_date(entry.get("valid_until")),
            source=(entry.get("source") or None) and entry["source"][:500],
            source_url=(entry.get("source_url") or None) and entry["source_url"][:500],
            status="published", published_on=published_on, is_demo=True,
            countries=[ArticleCountry(country=c) for c in _codes(entry.get("countries"), cv)],
            ip_types=[ArticleIpType(ip_type=c) for c in _codes(entry.get("ip_types"), IP_TYPES)],
            industries=[ArticleIndustry(industry=c) for c in _codes(entry.get("industries"), INDUSTRIES)],
            **({"created_at": stamp, "updated_at": stamp} if stamp else {}),
        ))
    return articles
