"""Commands: import, template, rollback — the same pipeline as the Upload page and the admin's
bulk accounts.

Exit codes: 0 the import was applied (or would be, with --dry-run); 1 the file
was refused or had errors; 2 a usage error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ipoverseas.accounts import authentication
from ipoverseas.core import config, db, errors, i18n
from ipoverseas.access.policy import Principal
from ipoverseas.imports import datasets as D


def register(sub) -> None:
    p = sub.add_parser("import", help="import a workbook or CSV of cases, experts or articles into a sub-centre, "
                                      "or create the accounts of one")
    p.add_argument("dataset", choices=list(D.DATASETS))
    p.add_argument("file", help=".xlsx workbook, or .csv in UTF-8 or GBK")
    p.add_argument("--sub-centre", metavar="CODE", help="cases, experts, articles: the sub-centre the rows belong "
                                                        "to, e.g. ZJ (required)")
    p.add_argument("--passwords", metavar="OUT.xlsx", help="accounts: the new workbook to write the accounts' "
                                                           "temporary passwords to (required unless --dry-run)")
    p.add_argument("--dry-run", action="store_true", help="check and show the plan; write nothing")
    p.add_argument("--skip-invalid", action="store_true", help="write the valid rows and skip the rejected ones "
                                                                "(default: all or nothing; accounts: always all or nothing)")
    p.add_argument("--user", metavar="USERNAME", help="act as this account (its permissions apply); "
                                                      "default: the server operator")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="language of the report (default: setting, else zh)")
    p.set_defaults(handler=_import)

    p = sub.add_parser("template", help="write the upload template of a dataset")
    p.add_argument("dataset", choices=list(D.DATASETS))
    p.add_argument("out", help="the .xlsx file to write")
    p.add_argument("--lang", choices=i18n.LANGUAGES)
    p.set_defaults(handler=_template)

    p = sub.add_parser("rollback", help="undo an import batch")
    p.add_argument("batch", type=int)
    p.add_argument("--user", metavar="USERNAME", help="act as this account (its permissions apply)")
    p.add_argument("--lang", choices=i18n.LANGUAGES)
    p.set_defaults(handler=_rollback)


def _lang(args) -> str:
    if args.lang:
        return args.lang
    default = config.get("default_language")
    return default if default in i18n.LANGUAGES else "zh"


def _user(username: str | None) -> Principal | None:
    if not username:
        return None
    principal = authentication.principal_named(username)
    if principal is None:
        raise SystemExit(_usage(f"no active user {username!r}"))
    return principal


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _import(args) -> int:
    from ..imports import UploadRefusal, service
    from ..imports.report import summary_lines

    lang = _lang(args)
    path = Path(args.file)
    if not path.is_file():
        return _usage(f"no such file: {args.file}")
    if not D.get(args.dataset).batched:
        return _import_accounts(args, path, lang)
    if not args.sub_centre or args.passwords:
        return _usage(f"{args.dataset} belong to a sub-centre: give --sub-centre CODE (and no --passwords)")
    db.migrate()
    try:
        user = _user(args.user)
        sub_centre_id = service.sub_centre_id_for(args.sub_centre)
        prepared = service.prepare(path, path.name, args.dataset, user, sub_centre_id, with_plan=args.dry_run)
    except SystemExit as exc:
        return int(exc.code)
    except UploadRefusal as exc:
        print(exc.message(lang))
        return 1
    if args.dry_run:
        for line in summary_lines(prepared, None, lang):
            print(line)
        if prepared.blocking and not args.skip_invalid:
            print(i18n.t("upload.refused.has_errors", lang, rows=prepared.blocking))
            return 1
        return 0
    for line in summary_lines(prepared, None, lang):
        print(line)
    try:
        result = service.apply(prepared, user, mode=service.SKIP_INVALID if args.skip_invalid else service.ALL_OR_NOTHING,
                               check_signature=False)
    except UploadRefusal as exc:
        print(exc.message(lang))
        return 1
    for line in summary_lines(prepared, result, lang, problems=False):
        print(line)
    return 0


def _import_accounts(args, path: Path, lang: str) -> int:
    """Accounts: all or nothing, no sub-centre owns them; the temporary passwords go to a new workbook."""
    from ..imports import accounts
    from ..imports.report import problem_lines

    if args.sub_centre or args.skip_invalid:
        return _usage("accounts belong to no sub-centre (a staff account's is a column of the file) and are "
                      "all or nothing: no --sub-centre, no --skip-invalid")
    out = Path(args.passwords) if args.passwords else None
    if out is None and not args.dry_run:
        return _usage("give --passwords OUT.xlsx: the new accounts' temporary passwords are written there")
    if out is not None and (out.suffix.lower() != ".xlsx" or out.exists() or not out.parent.is_dir()):
        return _usage(f"--passwords must name a new .xlsx file in an existing folder: {out}")
    db.migrate()
    try:
        user = _user(args.user)
        checked = accounts.prepare(path, path.name, user)
    except SystemExit as exc:
        return int(exc.code)
    except errors.Refusal as exc:
        print(i18n.t(exc.key, lang, **exc.values))
        return 1
    for line in problem_lines(checked, lang):
        print(line)
    if checked.errors:
        print(i18n.t("upload.refused.accounts_have_errors", lang, rows=len(checked.parsed.rejected)))
        return 1
    print(i18n.t("admin.bulk.ready", lang, count=len(checked.accounts)))
    if args.dry_run:
        return 0
    try:
        created = accounts.create(checked, user)
    except errors.Refusal as exc:
        print(i18n.t(exc.key, lang, **exc.values))
        return 1
    # Only the operator may read the passwords; the file is new (O_EXCL), never an overwritten one.
    with os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        fh.write(accounts.passwords_workbook(created))
    print(i18n.t("upload.accounts.created", lang, count=len(created), file=str(out),
                 days=config.get("temporary_password_days")))
    return 0


def _template(args) -> int:
    from ..imports import template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        return _usage("the template must be written to an .xlsx file")
    if not out.parent.exists():
        return _usage(f"no such folder: {out.parent}")
    if any(column.choices for column in D.get(args.dataset).columns):
        db.migrate()   # the template's dropdowns read the database (the active sub-centres)
    template.write(args.dataset, out, _lang(args))
    print(f"wrote {out}")
    return 0


def _rollback(args) -> int:
    from ..imports import UploadRefusal, service

    lang = _lang(args)
    db.migrate()
    try:
        user = _user(args.user)
        result = service.rollback(args.batch, user)
    except SystemExit as exc:
        return int(exc.code)
    except UploadRefusal as exc:
        print(exc.message(lang))
        return 1
    print(i18n.t("upload.history.rolled_back", lang, batch=args.batch, removed=result["removed"],
                 restored=result["restored"]))
    if result["kept"]:
        print(i18n.t("upload.history.kept", lang, count=len(result["kept"])))
        for item in result["kept"]:
            reason = i18n.t(f"upload.history.kept.{item['reason']}", lang)
            print(f"  {item['key']} (#{item['id']}): {reason}")
    return 0
