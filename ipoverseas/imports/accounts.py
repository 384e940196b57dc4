"""Bulk accounts: one more dataset of the upload pipeline (`datasets.ACCOUNTS`), with its own last steps.

The workbook goes the way of every upload: the template (`template.build("accounts")`: the role's
dropdown from `vocab.ROLES`, which also reads the aliases 企业, 专家, staff...; the active sub-centres'
codes), the pre-flight check, the sandboxed reader, the header mapping, the cell validation with
sheet, row, column and value, and the annotated workbook (`report.annotated`). What differs from
cases, experts and articles is said in the dataset and done here:

- **admin only** (`manage_users`), and no sub-centre owns the file: the sub-centre column is a
  staff account's own, checked against the database here (known, active, given for staff);
- **created only**: a username that exists is a row problem, never an update; so is a username
  twice in the file;
- **all or nothing**: any problem and no account is created; every problem is reported at once,
  those of rows the reader already rejected too;
- each account gets a generated **temporary password** (`passwords.new_temporary`, hashed before the
  write transaction, which then holds the lock for the writes only), and is written by
  `creation.add_accounts` (one audited `user.create` each) with one `user.bulk_create` event
  naming the file and its SHA-256; the passwords come back once, for `passwords_workbook`.

An accounts file is **not an import batch**: no import history, no rollback. A rollback deletes
the rows its batch created, but an account is disabled, never deleted, once it may have logged
in (`users.set_active`): its sessions, its consultations and the audit events that name it
stay. The audit trail keeps the file (`user.bulk_create`) and each account (`user.create`).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.access.policy import STAFF, Principal
from ipoverseas.accounts import creation, passwords
from ipoverseas.audit import trail
from ipoverseas.core import db
from ipoverseas.core.models import SubCentre
from . import datasets as D, intake
from .problems import Busy, Problem, Refused
from .read import Parsed

log = logging.getLogger(__name__)

DATASET = D.ACCOUNTS


@dataclass
class Checked(intake.Intake):
    """An accounts file read and checked: the accounts to create, each with its Excel row."""

    accounts: list[tuple[int, creation.NewAccount]] = field(default_factory=list)


def check_may_create(actor: Principal | None) -> None:
    """Admin only. `actor` None is the operator at the server's command line, as for every import."""
    if actor is not None:
        policy.require(actor, DATASET.action)


def prepare(source: bytes | str | Path, filename: str, actor: Principal | None) -> Checked:
    """Read and check an accounts file: every problem at once, in `checked.parsed.problems`. Writes nothing.

    Raises `Refused` for a file refused as a whole, and `errors.Denied` for a non-admin.
    """
    check_may_create(actor)
    got, _ = intake.read(source, filename, DATASET.name)
    checked = Checked(**vars(got))
    parsed = checked.parsed
    if not parsed.rows and not parsed.rejected:
        raise Refused("no_rows")
    with db.read_session() as session:
        problems = _check(session, parsed)
    bad = {p.row for p in problems}
    if bad:
        parsed.rejected = sorted({*parsed.rejected, *((row, values[parsed.index(DATASET.key)])
                                                      for row, values in parsed.rows if row in bad)})
        parsed.rows = [(row, values) for row, values in parsed.rows if row not in bad]
        parsed.problems.extend(problems)
    parsed.problems.sort(key=lambda p: (p.row or 0, -1 if p.col_index is None else p.col_index))  # as in the sheet
    at = {name: i for i, name in enumerate(parsed.present)}
    checked.accounts = [(row, creation.NewAccount(
        username=creation.normalize_username(values[at["username"]]), role=values[at["role"]],
        display_name=values[at["display_name"]], sub_centre_code=_code(values, at),
        email=_get(values, at, "email"), organisation=_get(values, at, "organisation")))
        for row, values in parsed.rows]
    return checked


def _get(values: tuple, at: dict[str, int], name: str):
    return values[at[name]] if name in at else None


def _code(values: tuple, at: dict[str, int]) -> str | None:
    return (_get(values, at, "sub_centre_code") or "").upper() or None


def _check(session: Session, parsed: Parsed) -> list[Problem]:
    """The account rules the reader cannot know: usernames (as stored, taken, twice), sub-centres."""
    at = {name: i for i, name in enumerate(parsed.present)}
    flagged = {(p.row, p.col_index) for p in parsed.errors}   # a cell the reader refused: said once
    rows = sorted(parsed.rows + parsed.partial)
    names = {row: creation.normalize_username(values[at["username"]] or "") for row, values in rows}
    taken = creation.taken_usernames(session, sorted({n for n in names.values() if n}))
    codes = sorted({code for _, values in rows if (code := _code(values, at))})
    active = dict(session.execute(select(SubCentre.code, SubCentre.active).where(SubCentre.code.in_(codes))).all()) \
        if codes else {}
    first: dict[str, int] = {}
    problems: list[Problem] = []

    def problem(excel_row: int, name: str, value, code: str, **params) -> None:
        problems.append(Problem(parsed.sheet, excel_row, parsed.titles.get(name, DATASET.column(name).zh), value,
                                code, params, col_index=parsed.col_of.get(name)))

    for row, values in rows:
        username, raw = names[row], values[at["username"]]
        if raw is not None:    # None: the reader said what is wrong (blank, too long, digits lost)
            if any(ch.isspace() for ch in username):
                problem(row, "username", raw, "bad_username")
            elif username in taken:
                problem(row, "username", raw, "username_exists")
            elif username in first:
                problem(row, "username", raw, "username_twice", row=first[username])
            else:
                first[username] = row
        code = _code(values, at)
        if code is not None and code not in active:
            problem(row, "sub_centre_code", values[at["sub_centre_code"]], "unknown_sub_centre_code")
        elif code is not None and not active[code]:
            problem(row, "sub_centre_code", values[at["sub_centre_code"]], "inactive_sub_centre")
        elif code is None and values[at["role"]] == STAFF:
            if "sub_centre_code" not in at:   # no such column: say it on the role
                problem(row, "role", values[at["role"]], "staff_needs_sub_centre")
            elif (row, parsed.col_of["sub_centre_code"]) not in flagged:
                problem(row, "sub_centre_code", None, "staff_needs_sub_centre")
    return problems


def create(checked: Checked, actor: Principal | None) -> list[tuple[str, str]]:
    """Create every account of a checked file in one transaction, or none: (username, temporary password).

    Refused when the file has problems; `Busy` when the database moved since the check (a
    username taken meanwhile names its row).
    """
    check_may_create(actor)
    if checked.errors:
        raise Refused("accounts_have_errors", rows=len(checked.parsed.rejected))
    # Hash first (light profile, 1-3 ms an account): the write transaction holds the lock for the writes only.
    accounts = [replace(account, temporary=passwords.new_temporary()) for _, account in checked.accounts]
    try:
        with db.write_session() as session:
            creation.add_accounts(session, accounts, actor=actor)
            trail.record(session, actor, "user.bulk_create", "user", None,
                         detail={"filename": checked.filename[:200], "sha256": checked.sha256,
                                 "created": len(accounts)})
    except creation.AccountError as exc:   # another admin, meanwhile: nothing was created
        row, account = checked.accounts[exc.index]
        if exc.key == "admin.error.duplicate":
            raise Busy("username_taken", row=row, username=account.username) from None
        raise Busy("changed") from None
    except IntegrityError:   # the same username, committed by someone else at the same moment
        raise Busy("changed") from None
    except (OperationalError, DBAPIError):
        log.warning("bulk accounts hit a busy database", exc_info=True)
        raise Busy("busy") from None
    return [(a.username, a.temporary.password) for a in accounts]


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
