"""User and sub-centre administration (admin only).

Every change is one `write_session` with one audit event holding before -> after.
Changing a user's role or sub-centre, disabling them or resetting their password ends
their open sessions in the same transaction, so it takes effect at their next interaction.
Bulk creation from Excel follows the upload pipeline's conventions: a template; the file
checked by the pipeline's pre-flight (`imports.preflight`) and parsed in its sandboxed child
process (`imports.sandbox`); every row checked (row, column, message); nothing written
while any row is wrong. Each account gets a generated temporary password (80 random bits,
hashed with the light profile by `passwords.new_temporary`, so 2,000 rows take seconds,
not minutes) that it must change at the first login. A temporary password works for
`temporary_password_days` (`auth.temporary_password_expiry`); after that an admin resets it.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipoverseas.core import errors
from ipoverseas.audit import trail
from ipoverseas.accounts import creation, authentication, passwords, sessions
from ipoverseas.access import policy
from ipoverseas.core import config, db
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


# --- bulk creation from Excel ----------------------------------------------------------

@dataclass(frozen=True)
class BulkColumn:
    key: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()


BULK_COLUMNS = (
    BulkColumn("username", "用户名", "Username", True, ("login", "账号", "登录名")),
    BulkColumn("display_name", "姓名", "Display name", True, ("name", "名称", "显示名")),
    BulkColumn("role", "角色", "Role", True),
    BulkColumn("sub_centre", "分中心代码", "Sub-centre code", False, ("sub-centre", "sub centre", "分中心")),
    BulkColumn("email", "邮箱", "E-mail", False, ("email", "电子邮箱", "mail")),
    BulkColumn("organisation", "单位", "Organisation", False, ("organization", "company", "企业", "单位名称")),
)
ROLE_ALIASES = {"enterprise": "enterprise", "企业": "enterprise", "企业用户": "enterprise",
                "staff": "staff", "分中心": "staff", "分中心工作人员": "staff", "工作人员": "staff",
                "expert": "expert", "专家": "expert", "admin": "admin", "管理员": "admin",
                "国家中心管理员": "admin"}
MAX_BULK_ROWS = 2000


@dataclass
class BulkProblem:
    row: int          # the Excel row number (1 = header)
    column: str       # the column's header as in the template ("" for the whole row/file)
    value: str
    key: str          # i18n key of the message
    values: dict = field(default_factory=dict)


@dataclass
class BulkResult:
    rows: list[dict]
    problems: list[BulkProblem]
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, temporary password)


def bulk_template() -> bytes:
    """The xlsx template: one header row (zh with en aliases accepted), dropdowns, instructions, an example."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    sheet = book.add_worksheet("users")
    for c, col in enumerate(BULK_COLUMNS):
        sheet.write_string(0, c, col.zh + (" *" if col.required else ""), head)
        sheet.write_comment(0, c, f"{col.en}{' (required)' if col.required else ''}")
        sheet.set_column(c, c, 22, text)
    example = ["zhang.san", "张三", "staff", "ZJ", "zhang.san@example.cn", "浙江分中心"]
    for c, value in enumerate(example):
        sheet.write_string(1, c, value, text)
    sheet.data_validation(1, 2, MAX_BULK_ROWS, 2, {"validate": "list", "source": list(ROLES)})
    with db.read_session() as session:
        codes = list(session.scalars(select(SubCentre.code).where(SubCentre.active.is_(True))
                                     .order_by(SubCentre.code)))
    if codes and len(",".join(codes)) < 250:
        sheet.data_validation(1, 3, MAX_BULK_ROWS, 3, {"validate": "list", "source": codes})
    help_sheet = book.add_worksheet("说明 instructions")
    lines = [
        "每行一个账号；带 * 的列必填。One account per row; columns marked * are required.",
        "角色 Role: enterprise（企业）, staff（分中心工作人员）, expert（专家）, admin（国家中心管理员）.",
        "分中心工作人员必须填写分中心代码。Staff accounts need a sub-centre code: " + ", ".join(codes),
        "不要填写密码：系统为每个账号生成临时密码，首次登录时必须修改。"
        "No passwords: each account gets a temporary password to change at the first login.",
        "任何一行有错，都不会创建任何账号。If any row is wrong, no account is created.",
        f"最多 {MAX_BULK_ROWS} 行。At most {MAX_BULK_ROWS} rows.",
    ]
    for r, line in enumerate(lines):
        help_sheet.write_string(r, 0, line)
    help_sheet.set_column(0, 0, 110)
    book.close()
    return buffer.getvalue()


def _header_key(text: Any) -> str | None:
    norm = str(text or "").replace("*", "").replace("＊", "").strip().lower()
    for col in BULK_COLUMNS:
        names = {col.key, col.zh.lower(), col.en.lower(), *(a.lower() for a in col.aliases)}
        if norm in names:
            return col.key
    return None


def read_bulk(data: bytes, filename: str = "users.xlsx") -> BulkResult:
    """Read and check a bulk workbook; every problem at once, with its row and column.

    The file goes through the upload pipeline's pre-flight check, and is parsed in its
    sandboxed child process (a hostile workbook cannot crash or exhaust the server).
    """
    problems: list[BulkProblem] = []
    max_bytes = config.get("upload_max_mb") * 1024 * 1024
    if len(data) > max_bytes:
        return BulkResult([], [BulkProblem(0, "", filename, "admin.bulk.too_big", {"mb": config.get("upload_max_mb")})])
    if Path(filename).suffix.lower() != ".xlsx" or not data.startswith(b"PK"):
        return BulkResult([], [BulkProblem(0, "", filename, "admin.bulk.not_xlsx")])
    from ipoverseas.imports.problems import Refused

    try:
        grid, sheet = _read_sandboxed(data, filename)
    except Refused as exc:
        return BulkResult([], [_refusal(exc, filename)])
    if not grid:
        return BulkResult([], [BulkProblem(1, "", "", "admin.bulk.empty")])
    header = grid[0]
    columns: dict[str, int] = {}
    titles = {col.key: col.zh for col in BULK_COLUMNS}
    for c, text in enumerate(header):
        key = _header_key(text)
        if key and key not in columns:
            columns[key] = c
            titles[key] = str(text).strip()
    for col in BULK_COLUMNS:
        if col.required and col.key not in columns:
            problems.append(BulkProblem(1, col.zh, "", "admin.bulk.missing_column", {"column": f"{col.zh} / {col.en}"}))
    if problems:
        return BulkResult([], problems)
    body = grid[1:]
    if len(body) > MAX_BULK_ROWS:
        return BulkResult([], [BulkProblem(0, "", str(len(body)), "admin.bulk.too_many", {"max": MAX_BULK_ROWS})])
    problems.extend(_cell_problems(sheet, columns, titles))
    flagged = {(p.row, p.column) for p in problems}  # an error cell reads as empty: say it once

    with db.read_session() as session:
        existing = set(session.scalars(select(User.username)))
        codes = dict(session.execute(select(SubCentre.code, SubCentre.active)).all())
    seen: dict[str, int] = {}
    rows: list[dict] = []
    for i, raw in enumerate(body):
        excel_row = i + 2
        cell = {key: _text(raw[c]) if c < len(raw) else "" for key, c in columns.items()}
        if not any(cell.values()):
            continue
        row_problems: list[BulkProblem] = []

        def bad(key: str, message: str, **values: Any) -> None:
            if (excel_row, titles[key]) not in flagged:
                row_problems.append(BulkProblem(excel_row, titles[key], cell.get(key, ""), message, values))

        username = creation.normalize_username(cell.get("username", ""))
        if not username:
            bad("username", "admin.bulk.required")
        elif len(username) > 80 or any(ch.isspace() for ch in username):
            bad("username", "admin.bulk.bad_username")
        elif username in existing:
            bad("username", "admin.bulk.username_exists")
        elif username in seen:
            bad("username", "admin.bulk.username_twice", row=seen[username])
        else:
            seen[username] = excel_row
        if not cell.get("display_name"):
            bad("display_name", "admin.bulk.required")
        role = ROLE_ALIASES.get(cell.get("role", "").strip().lower())
        if role is None:
            bad("role", "admin.bulk.bad_role", roles=", ".join(ROLES))
        code = cell.get("sub_centre", "").strip().upper() or None
        if code and code not in codes:
            bad("sub_centre", "admin.bulk.bad_sub_centre")
        elif code and not codes[code]:
            bad("sub_centre", "admin.bulk.inactive_sub_centre")
        if role == STAFF and not code:
            bad("sub_centre", "admin.bulk.staff_needs_sub_centre")
        email = cell.get("email", "").strip().lower()
        if email and ("@" not in email or " " in email or len(email) > 254):
            bad("email", "admin.bulk.bad_email")
        problems.extend(row_problems)
        rows.append({"row": excel_row, "username": username, "display_name": cell.get("display_name", "")[:200],
                     "role": role, "sub_centre": code, "email": email or None,
                     "organisation": cell.get("organisation", "")[:200] or None})
    if not rows and not problems:
        problems.append(BulkProblem(2, "", "", "admin.bulk.empty"))
    problems.sort(key=lambda p: p.row)
    return BulkResult(rows, problems)


# The pipeline's refusals that mean "cannot be read": one plain message for the admin.
_UNREADABLE = ("truncated", "unreadable", "crashed")


def _refusal(exc: Any, filename: str) -> BulkProblem:
    """A pre-flight or reader refusal as the file's one problem (the upload page's message)."""
    if exc.code in _UNREADABLE:
        return BulkProblem(0, "", filename, "admin.bulk.unreadable")
    return BulkProblem(0, "", filename, exc.key, dict(exc.params))


def _read_sandboxed(data: bytes, filename: str) -> tuple[list[list[Any]], Any]:
    """Pre-flight check the file, then read its first visible sheet in the sandboxed reader child.

    Returns (the grid, the pre-flight's description of that sheet); raises `Refused`.
    """
    from ipoverseas.imports import preflight, sandbox
    from ipoverseas.imports.problems import Refused

    fd, tmp = tempfile.mkstemp(prefix="ipoverseas-users-", suffix=".xlsx")
    child = sandbox.Child(preload=("ipoverseas.accounts.users", "python_calamine"))  # starts while pre-flight runs
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        package = preflight.check(tmp, filename)
        sheet = next((s for s in package.sheets if s.visible), None)
        if sheet is None:
            raise Refused("no_visible_sheet")
        grid = child.call("ipoverseas.accounts.users.read_grid", tmp, sheet.name)
    finally:
        child.close()
        os.unlink(tmp)
    return grid, sheet


def _cell_problems(sheet: Any, columns: dict[str, int], titles: dict[str, str]) -> list[BulkProblem]:
    """Error cells (#N/A...) and formulas without a value in the columns read, as the pipeline reports them."""
    by_index = {c: key for key, c in columns.items()}
    out = []
    for r, c, code in sheet.errors:
        if r > 0 and c in by_index:
            out.append(BulkProblem(r + 1, titles[by_index[c]], code, "upload.problem.error_cell", {"code": code}))
    for r, c in sheet.formulas:
        if r > 0 and c in by_index:
            out.append(BulkProblem(r + 1, titles[by_index[c]], "", "upload.problem.formula_no_value"))
    return out


def read_grid(path: str, sheet_name: str) -> list[list[Any]]:
    """Child side (runs in the sandbox): one sheet's cells, row 1 first, without trailing blank rows."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(path) as book:
        grid = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False, nrows=MAX_BULK_ROWS + 2)
    width = len(BULK_COLUMNS) + 10
    grid = [list(row[:width]) for row in grid]
    while grid and not any(v not in (None, "") for v in grid[-1]):
        grid.pop()
    return grid


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def bulk_create(actor: Principal, data: bytes, filename: str = "users.xlsx") -> BulkResult:
    """Create every account of a checked workbook in one transaction, or none.

    One audit event per account created (`user.create`), plus one `user.bulk_create`
    event naming the file. Each account gets a generated temporary password it must change
    (light hash: see `passwords`), returned once in `created` for the admin to hand over.
    """
    _require_admin(actor)
    result = read_bulk(data, filename)
    if result.problems:
        return result
    import hashlib

    # Hash first (light profile, ~1-3 ms a row), so the write transaction holds the lock for the writes only.
    accounts = [creation.NewAccount(username=row["username"], role=row["role"], display_name=row["display_name"],
                                sub_centre_code=row["sub_centre"], organisation=row["organisation"],
                                email=row["email"], temporary=passwords.new_temporary())
                for row in result.rows]
    try:
        with db.write_session() as session:
            creation.add_accounts(session, accounts, actor=actor)
            trail.record(session, actor, "user.bulk_create", "user", None,
                         detail={"filename": filename[:200], "sha256": hashlib.sha256(data).hexdigest(),
                                 "created": len(accounts)})
    except creation.AccountError as exc:  # e.g. a race with another admin: nothing was created
        row = result.rows[exc.index]
        return BulkResult(result.rows, [BulkProblem(row["row"], "", row["username"], exc.key, exc.values)])
    except IntegrityError:  # the same username, committed by someone else at the same moment
        return BulkResult(result.rows, [BulkProblem(0, "", "", "admin.error.duplicate")])
    result.created = [(a.username, a.temporary.password) for a in accounts]  # usernames as read_bulk normalised them
    return result


def passwords_workbook(created: list[tuple[str, str]]) -> bytes:
    """The temporary passwords of a bulk creation, to hand over (cells written as text)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("passwords")
    sheet.write_string(0, 0, "用户名 Username")
    sheet.write_string(0, 1, "临时密码 Temporary password")
    for r, (username, password) in enumerate(created, start=1):
        sheet.write_string(r, 0, username)
        sheet.write_string(r, 1, password)
    sheet.set_column(0, 1, 28)
    book.close()
    return buffer.getvalue()


__all__ = ["create_user", "update_user", "link_expert", "set_active", "unlock",
           "reset_password", "list_users", "get_user", "create_sub_centre", "rename_sub_centre",
           "set_sub_centre_active", "list_sub_centres", "bulk_template", "read_bulk", "bulk_create"]
