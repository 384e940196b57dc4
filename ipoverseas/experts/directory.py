"""The expert directory: search, profiles with their record, editing, and the ranked
shortlist (with its reasons and the conflict check) staff use to assign a consultation.

Filters run in SQL over the association tables (expert_countries, ...), so "experts for
US patents in electronics" is an indexed query. Contact details leave this module only
when `auth.can(user, "see_expert_contact", ...)` says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from sqlalchemy import case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from ipoverseas.core import errors, localtime
from ipoverseas.audit import trail
from ipoverseas.access import policy
from ipoverseas.core import config, db, vocab
from ipoverseas.consultations import calendar
from ipoverseas.access.policy import Principal
from ipoverseas.core.models import (Case, Consultation, Expert, ExpertAway, ExpertCountry, ExpertIndustry, ExpertIpType, ExpertLanguage, ExpertPartyLink, SubCentre, utcnow)

FACETS = {
    "countries": (ExpertCountry, "country"),
    "ip_types": (ExpertIpType, "ip_type"),
    "industries": (ExpertIndustry, "industry"),
    "languages": (ExpertLanguage, "language"),
}
FACET_VOCAB = {"countries": vocab.countries, "ip_types": lambda: vocab.IP_TYPES,
               "industries": lambda: vocab.INDUSTRIES, "languages": lambda: vocab.LANGUAGES}

# Fields an expert may change on their own profile; staff and admin may also change these.
OWN_FIELDS = ("title", "organisation", "bio", "email", "phone", "capacity_per_month")
STAFF_FIELDS = OWN_FIELDS + ("name", "active")


# --- search ---------------------------------------------------------------------------


def _facet_filter(model, column: str, value: str | None):
    if not value:
        return None
    col = getattr(model, column)
    return exists().where(model.expert_id == Expert.id, col == value)


def _away_on(day: date):
    return exists().where(ExpertAway.expert_id == Expert.id, ExpertAway.starts_on <= day,
                          ExpertAway.ends_on >= day)


def _open_load():
    return (select(func.count()).select_from(Consultation)
            .where(Consultation.expert_id == Expert.id, Consultation.status.in_(vocab.CONSULTATION_WITH_EXPERT))
            .correlate(Expert).scalar_subquery())


def search(user: Principal, *, country: str | None = None, ip_type: str | None = None,
           industry: str | None = None, language: str | None = None, sub_centre_id: int | None = None,
           available: bool = False, text: str | None = None, include_inactive: bool = False,
           today: date | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """One page of the directory and the total count, filtered in SQL."""
    today = today or localtime.today()
    where = [f for f in (
        _facet_filter(ExpertCountry, "country", country),
        _facet_filter(ExpertIpType, "ip_type", ip_type),
        _facet_filter(ExpertIndustry, "industry", industry),
        _facet_filter(ExpertLanguage, "language", language),
    ) if f is not None]
    if sub_centre_id:
        where.append(Expert.sub_centre_id == sub_centre_id)
    if not (include_inactive and policy.can(user, "see_inactive_experts")):
        where.append(Expert.active.is_(True))
    load = _open_load()
    if available:
        where += [~_away_on(today), load < Expert.capacity_per_month, Expert.active.is_(True)]
    if text and text.strip():
        like = f"%{text.strip().lower()}%"
        where.append(or_(func.lower(Expert.name).like(like), func.lower(Expert.organisation).like(like),
                         func.lower(Expert.bio).like(like)))
    with db.read_session() as s:
        total = int(s.scalar(select(func.count()).select_from(Expert).where(*where)) or 0)
        stmt = (select(Expert.id, Expert.expert_ref, Expert.name, Expert.title, Expert.organisation,
                       Expert.capacity_per_month, Expert.active, Expert.is_demo, Expert.sub_centre_id,
                       SubCentre.code.label("sub_centre"), load.label("open_load"),
                       _away_on(today).label("away"))
                .outerjoin(SubCentre, SubCentre.id == Expert.sub_centre_id)
                .where(*where).order_by(Expert.name, Expert.id).limit(limit).offset(offset))
        rows = [dict(r._mapping) for r in s.execute(stmt)]
        facets = _facets(s, [r["id"] for r in rows])
    for r in rows:
        r.update(facets.get(r["id"], {name: [] for name in FACETS}))
        r["away"] = bool(r["away"])
    return rows, total


def _facets(session: Session, ids: list[int]) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = {i: {name: [] for name in FACETS} for i in ids}
    if not ids:
        return out
    for name, (model, column) in FACETS.items():
        for expert_id, value in session.execute(
                select(model.expert_id, getattr(model, column)).where(model.expert_id.in_(ids))
                .order_by(model.expert_id, getattr(model, column))):
            out[expert_id][name].append(value)
    return out


# --- profile and its figures ------------------------------------------------------------


def _contact_allowed(user: Principal, expert_id: int) -> bool:
    return policy.can(user, "see_expert_contact", {"id": expert_id})


def profile(user: Principal, expert_id: int, today: date | None = None) -> dict | None:
    """A profile: specialties, languages, bio, advised cases, figures; contact only if allowed."""
    today = today or localtime.today()
    with db.read_session() as s:
        expert = s.get(Expert, expert_id)
        if expert is None or (not expert.active and not policy.can(user, "see_inactive_experts")
                              and not policy.can(user, "keep_own_profile", expert)):
            return None
        sub = s.get(SubCentre, expert.sub_centre_id) if expert.sub_centre_id else None
        out: dict[str, Any] = {
            "id": expert.id, "expert_ref": expert.expert_ref, "name": expert.name, "title": expert.title,
            "organisation": expert.organisation, "bio": expert.bio, "active": expert.active,
            "capacity_per_month": expert.capacity_per_month, "sub_centre_id": expert.sub_centre_id,
            "sub_centre": sub.code if sub else None, "is_demo": expert.is_demo, "version": expert.version,
            "sub_centre_name_zh": sub.name_zh if sub else "", "sub_centre_name_en": sub.name_en if sub else "",
        }
        out.update(_facets(s, [expert.id])[expert.id])
        if _contact_allowed(user, expert.id):
            out["email"], out["phone"] = expert.email, expert.phone
        out["away"] = [dict(r._mapping) for r in s.execute(
            select(ExpertAway.id, ExpertAway.starts_on, ExpertAway.ends_on, ExpertAway.note)
            .where(ExpertAway.expert_id == expert.id, ExpertAway.ends_on >= today)
            .order_by(ExpertAway.starts_on))]
        out["away_now"] = any(a["starts_on"] <= today <= a["ends_on"] for a in out["away"])
        out["cases"] = [dict(r._mapping) for r in s.execute(
            select(Case.id, Case.case_ref, Case.title, Case.country, Case.dispute_type, Case.filed_on,
                   Case.outcome, Case.review_status)
            .where(Case.expert_id == expert.id, policy.where(user, "read_case"))
            .order_by(Case.filed_on.desc().nulls_last(), Case.id.desc()).limit(50))]
        out["open_load"] = int(s.scalar(select(func.count()).select_from(Consultation).where(
            Consultation.expert_id == expert.id, Consultation.status.in_(vocab.CONSULTATION_WITH_EXPERT))) or 0)
        out.update(stats(s, [expert.id]).get(expert.id, _empty_stats()))
    return out


def _empty_stats() -> dict:
    return {"answered": 0, "median_response_days": None, "rating": None, "ratings": 0}


def stats(session: Session, expert_ids: Iterable[int]) -> dict[int, dict]:
    """Answered consultations, median working days from assignment to first answer, mean rating."""
    ids = list(expert_ids)
    out = {i: _empty_stats() for i in ids}
    if not ids:
        return out
    for expert_id, answered, rating, ratings in session.execute(
            select(Consultation.expert_id, func.count(Consultation.answered_at), func.avg(Consultation.rating),
                   func.count(Consultation.rating))
            .where(Consultation.expert_id.in_(ids), Consultation.answered_at.is_not(None))
            .group_by(Consultation.expert_id)):
        out[expert_id].update(answered=int(answered), rating=float(rating) if rating is not None else None,
                              ratings=int(ratings))
    for expert_id, median in median_response_days(session, ids).items():
        out[expert_id]["median_response_days"] = median
    return out


def median_by(key, value, where: list, *, newest=None, limit_per_key: int | None = None):
    """A subquery (key, median) of `value` per `key` over the rows `where`, in SQL: window
    functions, the same statement on SQLite and PostgreSQL. With `newest` (a column) and
    `limit_per_key`, only the newest rows of each key count."""
    if limit_per_key is not None:
        recent = (select(key.label("key"), value.label("value"),
                         func.row_number().over(partition_by=key, order_by=newest.desc()).label("recent"))
                  .where(*where, value.is_not(None)).subquery())
        key, value, where = recent.c.key, recent.c.value, [recent.c.recent <= limit_per_key]
    ranked = (select(key.label("key"), value.label("value"),
                     func.row_number().over(partition_by=key, order_by=value).label("rn"),
                     func.count().over(partition_by=key).label("n"))
              .where(*where, value.is_not(None)).subquery())
    # The middle row (n odd) or the two middle rows (n even): 2 * rn in [n, n + 2].
    return (select(ranked.c.key, func.avg(ranked.c.value).label("median"))
            .where((ranked.c.rn * 2).between(ranked.c.n, ranked.c.n + 2)).group_by(ranked.c.key).subquery())


def median_response_days(session: Session, expert_ids: list[int], limit_per_expert: int = 50) -> dict[int, float]:
    """Median working days from assignment to first answer (pauses excluded) over each expert's
    newest answers, from the stored clock facts (`Consultation.expert_answer_days`)."""
    if not expert_ids:
        return {}
    median = median_by(Consultation.expert_id, Consultation.expert_answer_days,
                       [Consultation.expert_id.in_(expert_ids)], newest=Consultation.answered_at,
                       limit_per_key=limit_per_expert)
    return {k: float(m) for k, m in session.execute(select(median.c.key, median.c.median)) if m is not None}


# --- editing ----------------------------------------------------------------------------


def can_edit(user: Principal, expert: Expert | dict) -> bool:
    return policy.can(user, "edit_expert", expert)


def _snapshot(expert: Expert) -> dict:
    snap = {f: getattr(expert, f) for f in STAFF_FIELDS}
    snap["sub_centre_id"] = expert.sub_centre_id
    for name, (_, column) in FACETS.items():
        snap[name] = sorted(getattr(item, column) for item in getattr(expert, name))
    return snap


def _clean_facets(values: dict[str, Any], problems: list) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in FACETS:
        if name not in values or values[name] is None:
            continue
        raw = values[name]
        items = [x for x in (raw.split(",") if isinstance(raw, str) else raw) if str(x).strip()]
        codes = []
        for item in items:
            code = FACET_VOCAB[name]().lookup(item)
            if code is None:
                problems.append((name, "service.error.unknown_value", {"value": str(item)}))
            else:
                codes.append(code)
        out[name] = list(dict.fromkeys(codes))
    return out


def _clean_fields(values: dict[str, Any], allowed: tuple[str, ...], problems: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in allowed:
        if name not in values:
            continue
        value = values[name]
        if name == "capacity_per_month":
            try:
                value = int(value)
            except (TypeError, ValueError):
                problems.append((name, "service.error.capacity", {"value": str(value)}))
                continue
            if not 0 <= value <= 100:
                problems.append((name, "service.error.capacity", {"value": str(value)}))
                continue
        elif name == "active":
            value = bool(value)
        elif name == "email":
            value = (value or "").strip() or None
            if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                problems.append((name, "service.error.email", {"value": value}))
                continue
        elif name == "name":
            value = (value or "").strip()
            if not value:
                problems.append((name, "service.error.required", {}))
                continue
        else:
            value = (value or "").strip() if isinstance(value, str) or value is None else value
        out[name] = value
    return out


def update_profile(user: Principal, expert_id: int, values: dict[str, Any]) -> dict:
    """Edit a profile. An expert edits their own (not name/active); staff their sub-centre's; admin any."""
    with db.write_session() as s:
        expert = s.get(Expert, expert_id)
        if expert is None or not can_edit(user, expert):
            raise errors.Denied(action="edit_expert")
        # The expert keeps their own profile; whoever may edit it otherwise may also rename or retire it.
        allowed = OWN_FIELDS if policy.can(user, "keep_own_profile", expert) else STAFF_FIELDS
        problems: list = []
        fields = _clean_fields(values, allowed, problems)
        facets = _clean_facets(values, problems)
        if problems:
            raise errors.Invalid(problems)
        before = _snapshot(expert)
        for name, value in fields.items():
            setattr(expert, name, value)
        for name, codes in facets.items():
            model, column = FACETS[name]
            current = {getattr(item, column): item for item in getattr(expert, name)}
            for code in list(current):
                if code not in codes:
                    getattr(expert, name).remove(current[code])
            for code in codes:
                if code not in current:
                    getattr(expert, name).append(model(**{column: code}))
        expert.updated_at = utcnow()
        s.flush()
        after = _snapshot(expert)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            trail.record(s, user, "expert.update", "expert", expert.id,
                         before={k: before[k] for k in changed}, after=changed)
        return changed


def create_expert(user: Principal, values: dict[str, Any], sub_centre_id: int | None = None) -> int:
    """Add an expert to the directory (staff: to their own sub-centre; admin: any)."""
    sub_centre_id = sub_centre_id or user.sub_centre_id  # staff: their own; admin: any, or the national centre
    if not policy.can(user, "edit_expert", {"sub_centre_id": sub_centre_id}):
        raise errors.Denied(action="edit_expert")
    problems: list = []
    fields = _clean_fields({"name": values.get("name"), **values}, STAFF_FIELDS, problems)
    facets = _clean_facets(values, problems)
    if problems:
        raise errors.Invalid(problems)
    with db.write_session() as s:
        code = s.scalar(select(SubCentre.code).where(SubCentre.id == sub_centre_id)) if sub_centre_id else "NC"
        ref = (values.get("expert_ref") or "").strip()
        if not ref:
            n = s.scalar(select(func.count()).select_from(Expert).where(Expert.sub_centre_id == sub_centre_id)) or 0
            ref = f"EXP-{code}-{n + 1:03d}"
            while s.scalar(select(Expert.id).where(Expert.sub_centre_id == sub_centre_id, Expert.expert_ref == ref)):
                n += 1
                ref = f"EXP-{code}-{n + 1:03d}"
        elif s.scalar(select(Expert.id).where(Expert.sub_centre_id == sub_centre_id, Expert.expert_ref == ref)):
            raise errors.Invalid([("expert_ref", "service.error.duplicate_ref", {"value": ref})])
        expert = Expert(expert_ref=ref, sub_centre_id=sub_centre_id, **fields)
        for name, codes in facets.items():
            model, column = FACETS[name]
            setattr(expert, name, [model(**{column: c}) for c in codes])
        s.add(expert)
        s.flush()
        trail.record(s, user, "expert.create", "expert", expert.id, after=_snapshot(expert) | {"expert_ref": ref})
        return expert.id


def add_away(user: Principal, expert_id: int, starts_on: date, ends_on: date, note: str = "") -> int:
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise errors.Invalid([("ends_on", "service.error.away_dates", {})])
    with db.write_session() as s:
        expert = s.get(Expert, expert_id)
        if expert is None or not can_edit(user, expert):
            raise errors.Denied(action="edit_expert")
        away = ExpertAway(expert_id=expert_id, starts_on=starts_on, ends_on=ends_on, note=(note or "")[:300] or None)
        s.add(away)
        s.flush()
        trail.record(s, user, "expert.away.add", "expert", expert_id,
                     after={"away_id": away.id, "starts_on": starts_on, "ends_on": ends_on, "note": note})
        return away.id


def remove_away(user: Principal, away_id: int) -> None:
    with db.write_session() as s:
        away = s.get(ExpertAway, away_id)
        expert = s.get(Expert, away.expert_id) if away else None
        if away is None or expert is None or not can_edit(user, expert):
            raise errors.Denied(action="edit_expert")
        trail.record(s, user, "expert.away.remove", "expert", expert.id,
                     before={"away_id": away.id, "starts_on": away.starts_on, "ends_on": away.ends_on})
        s.delete(away)


# --- conflict check and shortlist ---------------------------------------------------------

_LEGAL_SUFFIX = re.compile(
    r"\b(incorporated|inc|corp|corporation|co|company|ltd|limited|llc|llp|plc|gmbh|ag|sa|sas|bv|kk|"
    r"pty|srl|spa|oy|ab)\b")


def party_key(name: str | None) -> str:
    """A name folded for comparison: case, width, punctuation and legal suffixes ignored."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = re.sub(r"(有限责任公司|股份有限公司|有限公司|集团|公司)", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = _LEGAL_SUFFIX.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def _probe(key: str) -> str:
    """The longest word of a folded name, for a LIKE pre-filter in SQL."""
    words = key.split() or [key]
    return max(words, key=len)


def conflicts(session: Session, opposing_party: str | None, company: str | None = None) -> dict[int, str]:
    """Experts in conflict, with the reason: expert_id -> reason code.

    - linked_party: a party link (ExpertPartyLink) names the opposing party;
    - advised_opponent: the expert advised, in a case, the Chinese party that is now the opponent;
    - acted_against: the expert advised a case whose opposing party is the asking enterprise.
    """
    out: dict[int, str] = {}
    key = party_key(opposing_party)
    if key:
        like = f"%{_probe(key)}%"
        for expert_id, party in session.execute(
                select(ExpertPartyLink.expert_id, ExpertPartyLink.party)
                .where(func.lower(ExpertPartyLink.party).like(like))):
            if party_key(party) == key:
                out.setdefault(expert_id, "linked_party")
        for expert_id, party in session.execute(
                select(Case.expert_id, Case.chinese_party)
                .where(Case.expert_id.is_not(None), func.lower(Case.chinese_party).like(like))):
            if party_key(party) == key:
                out.setdefault(expert_id, "advised_opponent")
    ckey = party_key(company)
    if ckey:
        like = f"%{_probe(ckey)}%"
        for expert_id, party in session.execute(
                select(Case.expert_id, Case.opposing_party)
                .where(Case.expert_id.is_not(None), func.lower(Case.opposing_party).like(like))):
            if party_key(party) == ckey:
                out.setdefault(expert_id, "acted_against")
    return out


# The language a matter in a country is mostly handled in (English otherwise).
COUNTRY_LANGUAGE = {
    "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "LU": "fr", "JP": "ja", "KR": "ko",
    "ES": "es", "MX": "es", "AR": "es", "CO": "es", "CL": "es", "PE": "es", "BR": "pt", "PT": "pt",
    "RU": "ru", "KZ": "ru", "BY": "ru", "AE": "ar", "SA": "ar", "EG": "ar", "QA": "ar", "VN": "vi",
    "TH": "th", "ID": "id", "TR": "tr", "CN": "zh", "TW": "zh", "HK": "zh", "MO": "zh",
}

WEIGHTS = {"country": 30, "ip_type": 20, "industry": 15, "language": 10, "load": 10, "speed": 10,
           "availability": 5}


@dataclass
class Candidate:
    expert_id: int
    name: str
    title: str
    organisation: str
    sub_centre: str | None
    score: float
    parts: dict[str, float] = field(default_factory=dict)      # points per criterion
    reasons: list[tuple[str, dict]] = field(default_factory=list)   # (i18n key, values)
    open_load: int = 0
    capacity: int = 0
    median_response_days: float | None = None


def needed_language(country: str | None) -> str:
    return COUNTRY_LANGUAGE.get(country or "", "en")


def shortlist(session: Session, consultation: Consultation, *, today: date | None = None,
              limit: int = 10, pool: int = 60, exclude: Iterable[int] = (),
              only: int | None = None) -> list[Candidate]:
    """The best experts for a consultation, best first, each with the reasons of its score.

    Never lists an inactive expert, one away today, one in `exclude` (e.g. the expert who
    just declined), or one in conflict with the parties. `only` scores one expert (or
    returns nothing when that expert is not eligible).
    """
    today = today or localtime.today()
    promise = float(config.get("consultation_promise_days"))
    language = needed_language(consultation.country)

    def flag(model, column, value):
        if not value:
            return literal(0)
        return case((exists().where(model.expert_id == Expert.id, getattr(model, column) == value), 1), else_=0)

    f_country = flag(ExpertCountry, "country", consultation.country)
    f_ip = flag(ExpertIpType, "ip_type", consultation.ip_type)
    f_ind = flag(ExpertIndustry, "industry", consultation.industry)
    f_lang = flag(ExpertLanguage, "language", language)
    f_en = flag(ExpertLanguage, "language", "en")
    load = _open_load()
    soon = calendar.add_working_days(today, int(promise) or 1)
    away_soon = exists().where(ExpertAway.expert_id == Expert.id, ExpertAway.starts_on <= soon,
                               ExpertAway.ends_on >= today)
    rough = (f_country * WEIGHTS["country"] + f_ip * WEIGHTS["ip_type"] + f_ind * WEIGHTS["industry"]
             + f_lang * WEIGHTS["language"])
    banned = set(conflicts(session, consultation.opposing_party, consultation.company)) | set(exclude)
    where = [Expert.active.is_(True), ~_away_on(today)]
    if only is not None:  # is this one expert eligible (and how does he score)?
        where.append(Expert.id == only)
    if banned:
        where.append(Expert.id.not_in(banned))
    rows = session.execute(
        select(Expert.id, Expert.name, Expert.title, Expert.organisation, Expert.capacity_per_month,
               SubCentre.code, f_country.label("m_country"), f_ip.label("m_ip"), f_ind.label("m_ind"),
               f_lang.label("m_lang"), f_en.label("m_en"), load.label("load"), away_soon.label("away_soon"),
               (Expert.sub_centre_id == consultation.sub_centre_id).label("home"))
        .outerjoin(SubCentre, SubCentre.id == Expert.sub_centre_id)
        .where(*where)
        .order_by(rough.desc(), load.asc(), Expert.id).limit(pool)).all()
    speeds = median_response_days(session, [r.id for r in rows])
    out: list[Candidate] = []
    for r in rows:
        parts: dict[str, float] = {}
        reasons: list[tuple[str, dict]] = []

        def add(name: str, share: float, key: str, **values):
            parts[name] = round(WEIGHTS[name] * share, 1)
            reasons.append((key, {"points": f"{parts[name]:g}", **values}))

        if consultation.country:
            add("country", r.m_country, "service.why.country_yes" if r.m_country else "service.why.country_no",
                code=consultation.country)
        if consultation.ip_type:
            add("ip_type", r.m_ip, "service.why.ip_yes" if r.m_ip else "service.why.ip_no", code=consultation.ip_type)
        if consultation.industry:
            add("industry", r.m_ind, "service.why.industry_yes" if r.m_ind else "service.why.industry_no",
                code=consultation.industry)
        if r.m_lang:
            add("language", 1.0, "service.why.language_yes", code=language)
        elif r.m_en:
            add("language", 0.5, "service.why.language_en", code=language)
        else:
            add("language", 0.0, "service.why.language_no", code=language)
        capacity = max(int(r.capacity_per_month or 0), 0)
        free = max(0.0, 1 - r.load / capacity) if capacity else 0.0
        add("load", free, "service.why.load", load=int(r.load), capacity=capacity)
        speed = speeds.get(r.id)
        if speed is None:
            add("speed", 0.5, "service.why.speed_none")
        else:
            share = 1.0 if speed <= 1 else max(0.0, 1 - (speed - 1) / (2 * promise - 1 if promise > 1 else 1))
            add("speed", share, "service.why.speed", days=round(speed, 1))
        add("availability", 0.0 if r.away_soon else 1.0,
            "service.why.away_soon" if r.away_soon else "service.why.available")
        score = round(sum(parts.values()), 1)
        out.append(Candidate(r.id, r.name, r.title, r.organisation, r.code, score, parts, reasons,
                             int(r.load), capacity, speed))
    out.sort(key=lambda c: (-c.score, c.open_load, c.expert_id))
    return out[:limit]
