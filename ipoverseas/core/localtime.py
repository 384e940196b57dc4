"""The one time zone people read: every time shown, and every calendar date a clock counts
("today", a deadline's day), is in the zone of the `time_zone` setting (Beijing time by
default). The database stores naive UTC, as `models.utcnow()` writes it.

Pages show a time with `text()` and label the zone once per page with `label()`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from ipoverseas.core import config, i18n

FORMAT = "%Y-%m-%d %H:%M"


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone(config.get("time_zone"))


def to_local(moment: datetime) -> datetime:
    """Naive UTC (as stored) -> naive local time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone()).replace(tzinfo=None)


def from_local(moment: datetime) -> datetime:
    """Naive local time -> naive UTC (what the database stores)."""
    return moment.replace(tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def now(utc: datetime | None = None) -> datetime:
    """Local wall-clock time (naive): now, or at the stored UTC instant `utc`."""
    return datetime.now(zone()).replace(tzinfo=None) if utc is None else to_local(utc)


def today(utc: datetime | None = None) -> date:
    """The users' date: at 02:18 Beijing time on 3 December it is the 3rd, though UTC still says the 2nd."""
    return now(utc).date()


def text(moment: datetime | None, fmt: str = FORMAT) -> str:
    """A stored (naive UTC) time as local text; "" for none, so no `None` reaches a page."""
    return "" if moment is None else to_local(moment).strftime(fmt)


def label(lang: str) -> str:
    """The zone's name for a page's one label: 北京时间 / Beijing time, or the zone's key."""
    name = config.get("time_zone")
    if name in ("Asia/Shanghai", "Asia/Chongqing", "PRC"):
        return i18n.t("time.zone.beijing", lang)
    return i18n.t("time.zone.other", lang, zone=name)
