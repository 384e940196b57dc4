"""Commands: import, template, rollback — the same pipeline as the Upload page.

Exit codes: 0 the import was applied (or would be, with --dry-run); 1 the file
was refused or had errors; 2 a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ipoverseas.core import config, db, i18n
from ipoverseas.access.policy import Principal

DATASETS = ("cases", "experts", "articles")


def register(sub) -> None:
    p = sub.add_parser("import", help="import a workbook or CSV of cases, experts or articles into a sub-centre")
    p.add_argument("dataset", choices=DATASETS)
    p.add_argument("file", help=".xlsx workbook, or .csv in UTF-8 or GBK")
    p.add_argument("--sub-centre", required=True, metavar="CODE", help="the sub-centre the rows belong to, e.g. ZJ")
    p.add_argument("--dry-run", action="store_true", help="check and show the plan; write nothing")
    p.add_argument("--skip-invalid", action="store_true", help="write the valid rows and skip the rejected ones "
                                                                "(default: all or nothing)")
    p.add_argument("--user", metavar="USERNAME", help="act as this account (its permissions apply); "
                                                      "default: the server operator")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="language of the report (default: setting, else zh)")
    p.set_defaults(handler=_import)

    p = sub.add_parser("template", help="write the upload template of a dataset")
    p.add_argument("dataset", choices=DATASETS)
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
    from sqlalchemy import select

    from ipoverseas.core.models import User

    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None or not user.active:
            raise SystemExit(_usage(f"no active user {username!r}"))
        return Principal.of(user)


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


def _template(args) -> int:
    from ..imports import template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        return _usage("the template must be written to an .xlsx file")
    if not out.parent.exists():
        return _usage(f"no such folder: {out.parent}")
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
