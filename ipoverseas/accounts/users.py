"""User and sub-centre administration (admin only).

Every change is one `write_session` with one audit event holding before -> after.
Changing a user's role or sub-centre, disabling them or resetting their password ends
their open sessions in the same transaction, so it takes effect at their next interaction.
A new account gets a generated temporary password (80 random bits, `passwords.new_temporary`)
that it must change at the first login; it works for `temporary_password_days`
(`authentication.temporary_password_expiry`), after that an admin resets it. Many accounts at
once come from an Excel workbook through the upload pipeline: `ipoverseas.imports.accounts`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipoverseas.core import errors
from ipoverseas.audit import trail
from ipoverseas.accounts import creation, authentication, passwords, sessions
from ipoverseas.access import policy
from ipoverseas.core import db
from ipoverseas.access.policy import ADMIN, ROLES, STAFF, Principal
from ipoverseas.core.models import Expert, SubCentre, User, utcnow


def _require_admin(actor: Principal | None) -> None:
    policy.require(actor, "manage_users")


def _get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise errors.NotFound("admin.error.no_user")
    return user


def _sub_centre_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    found = session.scalar(select(SubCentre.id).where(SubCentre.code == code.strip().upper()))
    if found is None:
        raise errors.Invalid("admin.error.no_sub_centre", code=code)
    return found


# --- reading ------------------------------------------------------------------------


def list_users(actor: Principal, *, text: str = "", role: str | None = None, sub_centre_id: int | None = None,
               status: str | None = None, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    """One page of accounts (filtered, counted and paginated in SQL) and the total count."""
    _require_admin(actor)
    where = []
    if text.strip():
        part = text.strip().lower()  # % and _ match literally
        where.append(or_(*(func.lower(func.coalesce(column, "")).contains(part, autoescape=True)
                           for column in (User.username, User.display_name, User.email, User.organisation))))
    if role:
        where.append(User.role == role)
    if sub_centre_id:
        where.append(User.sub_centre_id == sub_centre_id)
    now = utcnow()
    if status == "active":
        where.append(User.active.is_(True))
    elif status == "disabled":
        where.append(User.active.is_(False))
    elif status == "locked":
        where.append(User.locked_until > now)
    with db.read_session() as session:
        total = session.scalar(select(func.count()).select_from(User).where(*where)) or 0
        rows = session.execute(
            select(User.id, User.username, User.display_name, User.role, User.email, User.organisation,
                   User.active, User.locked_until, User.must_change_password, User.last_login_at,
                   User.expert_id, User.sub_centre_id, User.created_at, SubCentre.code.label("sub_centre"))
            .outerjoin(SubCentre, SubCentre.id == User.sub_centre_id)
            .where(*where).order_by(User.username).offset(offset).limit(limit)).mappings().all()
        expiries = authentication.temporary_password_expiries(
            session, [(r["id"], r["created_at"]) for r in rows if r["must_change_password"]])
    out = []
    for r in rows:
        row = dict(r)
        row["locked"] = bool(r["locked_until"] and r["locked_until"] > now)
        row["temporary_expired"] = r["id"] in expiries and expiries[r["id"]] <= now
        out.append(row)
    return out, total


def get_user(actor: Principal, user_id: int) -> dict | None:
    _require_admin(actor)
    with db.read_session() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return {"id": user.id, **creation.user_snapshot(user),
                "sub_centre": user.sub_centre.code if user.sub_centre else None,
                "open_sessions": sessions.open_sessions(user.id)}


def expert_choices(actor: Principal, text: str = "", limit: int = 50) -> list[dict]:
    """Expert profiles to link an account to (name or ref search, in SQL)."""
    _require_admin(actor)
    part = text.strip().lower()
    with db.read_session() as session:
        rows = session.execute(
            select(Expert.id, Expert.expert_ref, Expert.name, Expert.organisation)
            .where(or_(func.lower(Expert.name).contains(part, autoescape=True),
                       func.lower(Expert.expert_ref).contains(part, autoescape=True)))
            .order_by(Expert.name).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


# --- writing ------------------------------------------------------------------------


def create_user(actor: Principal, *, username: str, role: str, display_name: str = "",
                sub_centre_code: str | None = None, organisation: str | None = None,
                email: str | None = None, expert_id: int | None = None,
                password: str | None = None) -> tuple[int, str]:
    """Create an account; it must change its password at the first login.

    Returns (user id, the initial password: the one given, or a generated one to pass on).
    """
    _require_admin(actor)
    temporary = None if password else passwords.new_temporary()
    with db.write_session() as session:
        if expert_id is not None and session.get(Expert, expert_id) is None:
            raise errors.Invalid("admin.error.no_expert")
        user = creation.add_account(session, username=username, password=password or "", temporary=temporary,
                                    role=role, display_name=display_name,
                                    sub_centre_code=(sub_centre_code or "").strip().upper() or None,
                                    organisation=organisation or None, email=email, expert_id=expert_id,
                                    must_change_password=True, actor=actor)
        return user.id, password or temporary.password


def update_user(actor: Principal, user_id: int, *, role: str | None = None,
                sub_centre_code: str | None | object = ..., display_name: str | None = None,
                organisation: str | None | object = ..., email: str | None | object = ...) -> int:
    """Change an account's role, sub-centre, name, organisation or e-mail.

    A change of role or sub-centre ends the account's sessions. Returns the sessions ended.
    """
    _require_admin(actor)
    with db.write_session() as session:
        account = _get_user(session, user_id)
        before = creation.user_snapshot(account)
        if role is not None:
            if role not in ROLES:
                raise errors.Invalid("admin.error.role")
            if account.id == actor.id and role != ADMIN:
                raise errors.Invalid("admin.error.not_yourself")
            account.role = role
        if sub_centre_code is not ...:
            account.sub_centre_id = _sub_centre_id(session, sub_centre_code)  # type: ignore[arg-type]
        if account.role == STAFF and account.sub_centre_id is None:
            raise errors.Invalid("admin.error.staff_needs_sub_centre")
        if display_name is not None:
            if not display_name.strip():
                raise errors.Invalid("admin.error.name_empty")
            account.display_name = display_name.strip()[:200]
        if organisation is not ...:
            account.organisation = (organisation or "").strip()[:200] or None  # type: ignore[union-attr]
        if email is not ...:
            account.email = _email(email)  # type: ignore[arg-type]
        after = creation.user_snapshot(account)
        if after == before:
            return 0
        ended = 0
        if (after["role"], after["sub_centre_id"]) != (before["role"], before["sub_centre_id"]):
            ended = sessions.end_all_for_user(session, account.id)
        trail.record(session, actor, "user.update", "user", account.id, before=_diff(before, after, "before"),
                     after=_diff(before, after, "after"), detail={"sessions_ended": ended} if ended else None)
        return ended


def _email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if "@" not in value or " " in value or len(value) > 254:
        raise errors.Invalid("admin.error.email", value=value)
    return value


def _diff(before: dict, after: dict, side: str) -> dict:
    keys = [k for k in before if before[k] != after[k]]
    source = before if side == "before" else after
    return {k: source[k] for k in keys}


def link_expert(actor: Principal, user_id: int, expert_id: int | None) -> None:
    """Link an account to an expert profile (or unlink with None)."""
    _require_admin(actor)
    with db.write_session() as session:
        user = _get_user(session, user_id)
        if expert_id is not None:
            if session.get(Expert, expert_id) is None:
                raise errors.Invalid("admin.error.no_expert")
            taken = session.scalar(select(User.username).where(User.expert_id == expert_id, User.id != user.id))
            if taken:
                raise errors.Invalid("admin.error.expert_taken", username=taken)
        if user.expert_id == expert_id:
            return
        before = {"expert_id": user.expert_id}
        user.expert_id = expert_id
        trail.record(session, actor, "user.link_expert", "user", user.id, before=before,
                     after={"expert_id": expert_id})


def set_active(actor: Principal, user_id: int, active: bool) -> int:
    """Disable (ending every session) or re-enable an account. Returns the sessions ended."""
    _require_admin(actor)
    with db.write_session() as session:
        user = _get_user(session, user_id)
        if user.id == actor.id and not active:
            raise errors.Invalid("admin.error.not_yourself")
        if bool(user.active) == active:
            return 0
        user.active = active
        ended = 0 if active else sessions.end_all_for_user(session, user.id)
        trail.record(session, actor, "user.enable" if active else "user.disable", "user", user.id,
                     before={"active": not active}, after={"active": active},
                     detail={"sessions_ended": ended} if ended else None)
        return ended


def unlock(actor: Principal, user_id: int) -> None:
    _require_admin(actor)
    with db.write_session() as session:
        user = _get_user(session, user_id)
        before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
        if before == {"locked_until": None, "failed_logins": 0}:
            return
        user.locked_until = None
        user.failed_logins = 0
        trail.record(session, actor, "user.unlock", "user", user.id, before=before,
                     after={"locked_until": None, "failed_logins": 0})


def reset_password(actor: Principal, user_id: int, new_password: str | None = None) -> str:
    """Set a temporary password the user must change at the next login; ends their sessions.

    Returns the temporary password (shown once to the admin, never stored in clear).
    """
    _require_admin(actor)
    temporary = None if new_password else passwords.new_temporary()
    with db.write_session() as session:
        user = _get_user(session, user_id)
        if temporary is None:
            problem = passwords.problem(new_password, username=user.username)
            if problem:
                raise errors.Invalid(problem)
        before = {"must_change_password": bool(user.must_change_password), "locked_until": user.locked_until}
        user.password_hash = temporary.hash if temporary is not None else passwords.hash_password(new_password)
        user.must_change_password = True
        user.locked_until = None
        user.failed_logins = 0
        ended = sessions.end_all_for_user(session, user.id)
        trail.record(session, actor, "user.reset_password", "user", user.id, before=before,
                     after={"must_change_password": True, "locked_until": None},
                     detail={"sessions_ended": ended} if ended else None)
    return temporary.password if temporary is not None else new_password


# --- sub-centres --------------------------------------------------------------------


def sub_centre_snapshot(row: SubCentre) -> dict[str, Any]:
    return {"code": row.code, "name_zh": row.name_zh, "name_en": row.name_en, "province": row.province,
            "active": bool(row.active)}


def list_sub_centres(actor: Principal | None = None, *, include_inactive: bool = True) -> list[dict]:
    """Every sub-centre with its counts of users and cases (one grouped query each)."""
    from ipoverseas.core.models import Case

    with db.read_session() as session:
        users = dict(session.execute(select(User.sub_centre_id, func.count()).group_by(User.sub_centre_id)).all())
        cases = dict(session.execute(select(Case.sub_centre_id, func.count()).group_by(Case.sub_centre_id)).all())
        query = select(SubCentre).order_by(SubCentre.code)
        if not include_inactive:
            query = query.where(SubCentre.active.is_(True))
        return [{"id": s.id, **sub_centre_snapshot(s), "is_demo": s.is_demo, "users": users.get(s.id, 0),
                 "cases": cases.get(s.id, 0)} for s in session.scalars(query)]


def _sub_centre_fields(code: str, name_zh: str, name_en: str, province: str | None) -> dict[str, Any]:
    code = (code or "").strip().upper()
    if not code or len(code) > 32 or not all(c.isalnum() or c in "-_" for c in code):
        raise errors.Invalid("admin.error.code", value=code)
    if not (name_zh or "").strip():
        raise errors.Invalid("admin.error.name_empty")
    return {"code": code, "name_zh": name_zh.strip()[:200], "name_en": (name_en or "").strip()[:200],
            "province": (province or "").strip().upper()[:8] or None}


def create_sub_centre(actor: Principal, *, code: str, name_zh: str, name_en: str = "",
                      province: str | None = None) -> int:
    _require_admin(actor)
    fields = _sub_centre_fields(code, name_zh, name_en, province)
    with db.write_session() as session:
        if session.scalar(select(SubCentre.id).where(SubCentre.code == fields["code"])):
            raise errors.Invalid("admin.error.code_taken", value=fields["code"])
        row = SubCentre(**fields, active=True)
        session.add(row)
        session.flush()
        trail.record(session, actor, "sub_centre.create", "sub_centre", row.id, after=sub_centre_snapshot(row))
        return row.id


def rename_sub_centre(actor: Principal, sub_centre_id: int, *, name_zh: str, name_en: str = "",
                      province: str | None = None) -> None:
    _require_admin(actor)
    with db.write_session() as session:
        row = session.get(SubCentre, sub_centre_id)
        if row is None:
            raise errors.Invalid("admin.error.no_sub_centre", code=str(sub_centre_id))
        fields = _sub_centre_fields(row.code, name_zh, name_en, province)
        before = sub_centre_snapshot(row)
        row.name_zh, row.name_en, row.province = fields["name_zh"], fields["name_en"], fields["province"]
        after = sub_centre_snapshot(row)
        if after != before:
            trail.record(session, actor, "sub_centre.update", "sub_centre", row.id,
                         before=_diff(before, after, "before"), after=_diff(before, after, "after"))


def set_sub_centre_active(actor: Principal, sub_centre_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a sub-centre. Its records all stay."""
    _require_admin(actor)
    with db.write_session() as session:
        row = session.get(SubCentre, sub_centre_id)
        if row is None:
            raise errors.Invalid("admin.error.no_sub_centre", code=str(sub_centre_id))
        if bool(row.active) == active:
            return
        row.active = active
        trail.record(session, actor, "sub_centre.activate" if active else "sub_centre.deactivate", "sub_centre",
                     row.id, before={"active": not active}, after={"active": active})


__all__ = ["create_user", "update_user", "link_expert", "set_active", "unlock",
           "reset_password", "list_users", "get_user", "create_sub_centre", "rename_sub_centre",
           "set_sub_centre_active", "list_sub_centres"]
