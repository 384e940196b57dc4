"""Fan-out: when something followed is published or changes, each follower gets ONE notification
for the whole event ("12 new cases in your follows"), and an e-mail where SMTP is configured.

An event (`FollowEvent`) holds its records (`FollowEventItem`); the notifications are written by
one INSERT .. SELECT that joins the follows to the event's records, keeps the followers who may
read each record (the policy's answer for each kind of reader, as SQL), and groups by follower.
The callers announce after their own transaction has committed: an import's fan-out never runs
inside the import's transaction, and a fan-out that fails never undoes the change.

    announce_cases(ids, actor_id=...)          cases published (one review, or one import)
    announce_import(batch_id)                  what an import batch added or changed, after it commits
    announce_case_changed(ids)                 a followed case's status or outcome changed
    announce_articles(ids) / announce_alert_changed(ids)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable

from itertools import combinations

from sqlalchemy import (String, and_, cast, func, insert, literal, or_, select, true, tuple_, union, union_all,
                        update)
from sqlalchemy.orm import Session, aliased

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.accounts import notifications
from ipoverseas.core import db, i18n
from ipoverseas.sharing import routing
from ipoverseas.core.models import (Article, ArticleCountry, ArticleIndustry, ArticleIpType, Case, Follow,
                                    FollowEvent, FollowEventItem, ImportBatch, Notification, RecordVersion, User,
                                    utcnow)

log = logging.getLogger(__name__)

# event kind -> (entity, notification kind)
EVENTS = {
    "cases": ("case", "follow_cases"),
    "case_changed": ("case", "follow_case_changed"),
    "articles": ("article", "follow_articles"),
    "alert_changed": ("article", "follow_alert_changed"),
}
ENTITY = "follow_event"         # a fan-out notification names its event
CHUNK = 5_000


@dataclass(frozen=True)
class Announced:
    event_id: int | None
    records: int
    notified: int


_MODELS = {"case": (Case, Case.review_status, "read_case"), "article": (Article, Article.status, "read_article")}
_CASE_FACETS = ("country", "dispute_type", "ip_type", "industry")
_ARTICLE_FACETS = (("country", ArticleCountry, ArticleCountry.country),
                   ("ip_type", ArticleIpType, ArticleIpType.ip_type),
                   ("industry", ArticleIndustry, ArticleIndustry.industry))


def event_ids(event_id: int, entity: str) -> Any:
    """The ids of an event's records of one kind, as a SELECT."""
    return select(FollowEventItem.record_id.label("record_id")).where(FollowEventItem.event_id == event_id,
                                                                      FollowEventItem.entity == entity)


def matches(records: Any, entity: str, records_only: bool = False) -> Any:
    """(user_id, record_id): each follower of each record (`records`: a SELECT of ids), once."""
    r = records.subquery("r")
    rid = r.c.record_id
    parts = [select(Follow.user_id, rid).join(
        Follow, and_(Follow.facet == entity, Follow.value == cast(rid, String)))]
    if not records_only and entity == "case":
        for facet in _CASE_FACETS:
            parts.append(select(Follow.user_id, rid).join(Case, Case.id == rid)
                         .join(Follow, and_(Follow.facet == facet, Follow.value == getattr(Case, facet))))
    if not records_only and entity == "article":
        parts.append(select(Follow.user_id, rid).join(Article, Article.id == rid)
                     .join(Follow, and_(Follow.facet == "dispute_type", Follow.value == Article.dispute_type)))
        for facet, table, column in _ARTICLE_FACETS:
            parts.append(select(Follow.user_id, rid).join(table, table.article_id == rid)
                         .join(Follow, and_(Follow.facet == facet, Follow.value == column)))
    return union(*parts).subquery("m")


def _audiences(session: Session, event_id: int, entity: str) -> list[tuple[Any, Any]]:
    """[(records, readers)]: the event's records split by who may read them (a SQL condition over the
    record's table, and one over User). The policy is asked once per kind of reader (role and
    sub-centre) and kind of record (owner and status); records with the same readers go together, so
    a review's or an import's records are one audience."""
    model, status, action = _MODELS[entity]
    item = FollowEventItem
    groups = session.execute(select(model.sub_centre_id, status).distinct()
                             .join(item, and_(item.record_id == model.id, item.entity == entity))
                             .where(item.event_id == event_id)).all()
    kinds = session.execute(select(User.role, User.sub_centre_id).distinct()
                            .where(User.id.in_(select(Follow.user_id)))).all()
    reader = tuple_(User.role, func.coalesce(User.sub_centre_id, 0))
    audiences: dict[tuple, list] = {}
    for sub_centre_id, state in groups:
        record = {"sub_centre_id": sub_centre_id, status.key: state}
        allowed = tuple(sorted((role, sc or 0) for role, sc in kinds
                               if policy.can(Principal(0, "", "", role, sc), action, record)))
        if allowed:
            owner = model.sub_centre_id.is_(None) if sub_centre_id is None else model.sub_centre_id == sub_centre_id
            audiences.setdefault(allowed, []).append(and_(owner, status == state))
    return [(or_(*records), true() if len(allowed) == len(kinds) else reader.in_(allowed))
            for allowed, records in audiences.items()]


# The facets a case has one value of, in the order their follows are combined below.
_CUBE = tuple(sorted(_CASE_FACETS))
CASE_FACET_COLUMNS = (Case.id, *(getattr(Case, f) for f in _CUBE))   # only these: a narrow CTE


def _key(parts: list[tuple[str, Any]]) -> Any:
    """"country=US|industry=electronics": a combination of facet values, as one text."""
    out: Any = None
    for facet, value in parts:
        piece = literal(facet + "=") + value
        out = piece if out is None else out + literal("|") + piece
    return out


def event_cases(event_id: int, records: Any) -> Any:
    """The event's cases that `records` (an audience's condition) keeps, as a SELECT."""
    item = FollowEventItem
    return (select(*CASE_FACET_COLUMNS).join(item, and_(item.record_id == Case.id, item.entity == "case"))
            .where(item.event_id == event_id, records))


def case_counts(case_rows: Any, readers: Any = None, tag: int = 0) -> Any:
    """(user_id, n): how many of the cases (`case_rows`: a SELECT of CASE_FACET_COLUMNS) match each active
    user's follows (of the users `readers`, a condition over User, keeps).

    A case has one value per facet, so the number matching ANY of a user's facet follows is, by
    inclusion-exclusion, the sum over the combinations of their follows in distinct facets of
    (-1)^(size+1) x the number of cases having all of them; those numbers ("the cube") are counted
    once from the event's cases. The work is a few look-ups per user and combination, not one per
    user and case. A followed case that matches none of its follower's facet follows adds one.
    """
    cases = case_rows.cte(f"c{tag}")
    cube_parts = []
    for size in range(1, len(_CUBE) + 1):
        for combo in combinations(_CUBE, size):
            key = _key([(f, cases.c[f]) for f in combo])
            cube_parts.append(select(key.label("k"), func.count().label("n")).group_by(key))
    cube = union_all(*cube_parts).cte(f"cube{tag}")   # one CTE, used by every term: computed once
    terms = []
    for size in range(1, len(_CUBE) + 1):
        fs = [aliased(Follow, name=f"f{i}") for i in range(size)]
        stmt = (select(fs[0].user_id.label("user_id"), (func.sum(cube.c.n) * (1 if size % 2 else -1)).label("n"))
                .select_from(fs[0]).where(fs[0].facet.in_(_CUBE)))
        key = fs[0].facet + literal("=") + fs[0].value
        for i, f in enumerate(fs[1:], start=1):   # explicit joins: PostgreSQL scopes them strictly
            stmt = stmt.join(f, and_(f.user_id == fs[0].user_id, f.facet > fs[i - 1].facet, f.facet.in_(_CUBE)))
            key = key + literal("|") + f.facet + literal("=") + f.value
        terms.append(stmt.join(cube, cube.c.k == key).group_by(fs[0].user_id))
    # followed cases of the event their follower's facet follows do not already count
    g = aliased(Follow, name="g")
    covered = select(g.id).where(g.user_id == Follow.user_id, or_(*[
        and_(g.facet == f, g.value == cases.c[f]) for f in _CUBE])).exists()
    terms.append(select(Follow.user_id.label("user_id"), func.count().label("n"))
                 .join(cases, and_(Follow.facet == "case", Follow.value == cast(cases.c.id, String)))
                 .where(~covered).group_by(Follow.user_id))
    t = union_all(*terms).subquery("t")
    return (select(t.c.user_id, func.sum(t.c.n).label("n")).join(User, User.id == t.c.user_id)
            .where(User.active.is_(True), true() if readers is None else readers)
            .group_by(t.c.user_id).having(func.sum(t.c.n) > 0))


def _record_counts(event: FollowEvent, entity: str, records: Any, readers: Any) -> Any:
    """(user_id, n) by matching each record to its followers (articles: their facets are sets)."""
    model = _MODELS[entity][0]
    m = matches(event_ids(event.id, entity), entity, records_only=event.kind == "case_changed")
    return (select(m.c.user_id, func.count().label("n")).select_from(m)
            .join(model, model.id == m.c.record_id).join(User, User.id == m.c.user_id)
            .where(User.active.is_(True), records, readers).group_by(m.c.user_id))


def _fan_out(session: Session, event: FollowEvent) -> int:
    entity, kind = EVENTS[event.kind]
    parts = [case_counts(event_cases(event.id, records), readers, tag) if event.kind == "cases"
             else _record_counts(event, entity, records, readers)
             for tag, (records, readers) in enumerate(_audiences(session, event.id, entity))]
    if not parts:
        return 0
    per_user = union_all(*parts).subquery("per_user")
    rows = (select(per_user.c.user_id, literal(kind), cast(func.sum(per_user.c.n), String),
                   literal(event.created_at), literal(ENTITY), literal(event.id))
            .group_by(per_user.c.user_id))
    session.execute(insert(Notification).from_select(
        ["user_id", "kind", "message", "created_at", "entity", "entity_id"], rows))
    # counted, not taken from the rowcount (psycopg reports none for an INSERT with a WITH clause)
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.entity == ENTITY, Notification.entity_id == event.id)) or 0


def _emails(session: Session, event: FollowEvent) -> list[notifications.Email]:
    if not notifications.email_enabled():
        return []
    kind = EVENTS[event.kind][1]
    rows = session.execute(select(User.email, Notification.message).join(User, User.id == Notification.user_id)
                           .where(Notification.entity == ENTITY, Notification.entity_id == event.id,
                                  User.email.is_not(None), User.email != "")).all()
    out = []
    for address, n in rows:
        subject = i18n.t(f"follows.notify.{kind}", "zh", n=n)
        out.append(notifications.Email(address, subject, subject + "\n\n" + i18n.t("follows.email.footer", "zh")))
    return out


def _announce(kind: str, ids: Iterable[int] | Any, *, actor_id: int | None = None,
              batch_id: int | None = None) -> Announced:
    """Record the event with its records (ids, or a SELECT of ids) and write its notifications, in
    one transaction of its own; the e-mails go out after it commits."""
    entity = EVENTS[kind][0]
    with db.write_session() as s:
        event = FollowEvent(kind=kind, actor_id=actor_id, batch_id=batch_id, created_at=utcnow())
        s.add(event)
        s.flush()
        if hasattr(ids, "subquery"):   # a SELECT of record ids, run by the database
            s.execute(insert(FollowEventItem).from_select(
                ["event_id", "entity", "record_id"],
                select(literal(event.id), literal(entity), ids.subquery().c[0]).distinct()))
        else:
            unique = sorted(set(int(i) for i in ids))
            for i in range(0, len(unique), CHUNK):
                s.execute(insert(FollowEventItem), [{"event_id": event.id, "entity": entity, "record_id": r}
                                                    for r in unique[i:i + CHUNK]])
        records = s.scalar(select(func.count()).select_from(FollowEventItem)
                           .where(FollowEventItem.event_id == event.id)) or 0
        if not records:
            s.rollback()
            return Announced(None, 0, 0)
        notified = _fan_out(s, event)
        s.execute(update(FollowEvent).where(FollowEvent.id == event.id).values(records=records, notified=notified))
        emails = _emails(s, event)
        event_id = event.id
    if emails:
        try:
            notifications.send(emails)
        except Exception:   # e-mail is best effort: the notifications are committed
            log.exception("sending %d follow e-mails failed", len(emails))
    return Announced(event_id, records, notified)


def announce(kind: str, ids: Iterable[int] | Any, *, actor_id: int | None = None,
             batch_id: int | None = None) -> Announced:
    """Announce an event; a failure is logged and never reaches the caller, whose change has committed."""
    try:
        return _announce(kind, ids, actor_id=actor_id, batch_id=batch_id)
    except Exception:
        log.exception("the follow fan-out of a %s event failed", kind)
        return Announced(None, 0, 0)


def announce_cases(ids: Iterable[int], *, actor_id: int | None = None) -> Announced:
    return announce("cases", ids, actor_id=actor_id)


def announce_case_changed(ids: Iterable[int], *, actor_id: int | None = None) -> Announced:
    return announce("case_changed", ids, actor_id=actor_id)


def announce_articles(ids: Iterable[int], *, actor_id: int | None = None, batch_id: int | None = None) -> Announced:
    """Newly published articles: to their followers, and each risk alert to the sub-centres it
    concerns (routing.after_publish_all), by hand or by an import alike."""
    ids = list(ids)
    announced = announce("articles", ids, actor_id=actor_id, batch_id=batch_id)
    routing.after_publish_all(ids)
    return announced


def announce_alert_changed(ids: Iterable[int], *, actor_id: int | None = None) -> Announced:
    return announce("alert_changed", ids, actor_id=actor_id)


def announce_import(batch_id: int | None) -> list[Announced]:
    """After an import batch has committed: its new cases (to the followers who may read them: the
    sub-centre's staff and the centre while they await review), its cases whose status or outcome
    changed (to those who follow them), its newly published articles, and its alerts whose validity
    changed."""
    if batch_id is None:
        return []
    with db.read_session() as s:
        batch = s.get(ImportBatch, batch_id)
        if batch is None or batch.status != "applied" or batch.dataset not in ("cases", "articles"):
            return []
        dataset, actor_id = batch.dataset, batch.user_id
        if dataset == "cases":   # the ids stay in SQL: the event's items are written by INSERT .. SELECT
            created, changed = [q if s.scalar(select(q.exists())) else None
                                for q in (_batch_versions(batch_id, "case", "create"), _changed_cases(batch_id))]
        else:
            created, changed = (ids or None for ids in _article_changes(s, batch_id))
    out = []   # None: nothing to announce
    if created is not None:
        out.append(announce("cases", created, actor_id=actor_id, batch_id=batch_id) if dataset == "cases"
                   else announce_articles(created, actor_id=actor_id, batch_id=batch_id))
    if changed is not None:
        out.append(announce("case_changed" if dataset == "cases" else "alert_changed", changed,
                            actor_id=actor_id, batch_id=batch_id))
    return out


def _batch_versions(batch_id: int, entity: str, action: str) -> Any:
    """The ids of a batch's records of one kind and action, as a SELECT."""
    v = RecordVersion
    return select(v.entity_id).where(v.batch_id == batch_id, v.entity == entity, v.action == action)


def _changed_cases(batch_id: int) -> Any:
    """A batch's updated cases whose status or outcome differs from their before-image, as a SELECT: the
    database compares them (loading 50,000 before-images into Python to read two keys took ~2 s)."""
    before = RecordVersion.before
    return _batch_versions(batch_id, "case", "update").join(Case, Case.id == RecordVersion.entity_id).where(or_(
        before["status"].as_string().is_distinct_from(Case.status),
        before["outcome"].as_string().is_distinct_from(Case.outcome)))


def _article_changes(s: Session, batch_id: int) -> tuple[list[int], list[int]]:
    """(newly published, validity changed): a batch's articles, from their before-images."""
    versions = s.execute(select(RecordVersion.entity_id, RecordVersion.action, RecordVersion.before)
                         .where(RecordVersion.batch_id == batch_id, RecordVersion.entity == "article")).all()
    created = [v.entity_id for v in versions if v.action == "create"]
    changed: list[int] = []
    updated = {v.entity_id: (v.before or {}) for v in versions if v.action == "update"}
    published = set(s.scalars(select(Article.id).where(Article.id.in_(created or [-1]),
                                                       Article.status == "published")))
    created = [i for i in created if i in published]
    if updated:
        for i, valid_until, status in s.execute(select(Article.id, Article.valid_until, Article.status)
                                                .where(Article.id.in_(list(updated)))):
            if status != "published":
                continue
            if updated[i].get("status") != "published":   # a draft the file publishes: new to readers
                created.append(i)
                continue
            before = updated[i].get("valid_until")
            before = before.get("$d") if isinstance(before, dict) else before
            now = valid_until.isoformat() if valid_until else None
            if before != now:
                changed.append(i)
    return created, changed


def event_records(user: Principal, event_id: int) -> dict[str, Any] | None:
    """The records of one event that concern this user (those matching their follows and readable
    by them), for the page a notification opens; None when the event is not theirs."""
    with db.read_session() as s:
        event = s.get(FollowEvent, event_id)
        if event is None or not s.scalar(select(Notification.id).where(
                Notification.user_id == user.id, Notification.entity == ENTITY, Notification.entity_id == event_id)
                .limit(1)):
            return None
        entity = EVENTS[event.kind][0]
        model, _, action = _MODELS[entity]
        m = matches(event_ids(event.id, entity), entity, records_only=event.kind == "case_changed")
        ids = select(m.c.record_id).where(m.c.user_id == user.id)
        if entity == "case":
            cols = (Case.id, Case.case_ref.label("ref"), Case.title, Case.country, Case.dispute_type,
                    Case.status, Case.outcome)
        else:
            cols = (Article.id, Article.ref, Article.title_zh.label("title"), Article.kind, Article.valid_until)
        rows = [dict(r._mapping) for r in s.execute(
            select(*cols).where(model.id.in_(ids), policy.where(user, action, model)).order_by(model.id.desc())
            .limit(500))]
        return {"kind": event.kind, "entity": entity, "created_at": event.created_at, "records": rows}
