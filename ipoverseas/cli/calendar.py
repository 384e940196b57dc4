"""Commands: calendar show YEAR, calendar import FILE — the working-day calendar, as on the admin
page "工作日历 / Working-day calendar" (`ipoverseas.network.workcalendar`)."""

from __future__ import annotations

import sys

from ipoverseas.accounts import authentication
from ipoverseas.core import errors
from ipoverseas.imports import UploadRefusal
from ipoverseas.network import workcalendar


def register(sub) -> None:
    p = sub.add_parser("calendar", help="the working-day calendar: show a year, import a notice's table")
    group = p.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND")
    group.required = True
    show = group.add_parser("show", help="list a year's holidays and make-up working days")
    show.add_argument("year", type=int)
    show.set_defaults(handler=_show)
    imp = group.add_parser("import", help="replace a year's days by a notice's table (xlsx/csv: date, kind, name)")
    imp.add_argument("file")
    imp.add_argument("--year", type=int, help="the year (default: the year of the table's first date)")
    imp.add_argument("--source", default="", help="the notice, e.g. 国办发明电〔2026〕x号")
    imp.add_argument("--provisional", action="store_true", help="the table is not yet the official notice")
    imp.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    imp.add_argument("--user", metavar="USERNAME", help="act as this account (default: the server operator)")
    imp.set_defaults(handler=_import)


def _show(args) -> int:
    view = workcalendar.year_view(None, args.year)
    if not view["covered"]:
        print(f"{args.year}: not in the calendar (Monday-Friday are counted as working days)")
        return 0
    state = "PROVISIONAL" if view["provisional"] else "official"
    print(f"{args.year}: {state}; source: {view['source'] or '-'}")
    for d in view["days"]:
        print(f"{d['day'].isoformat()}  {d['day']:%a}  {d['kind']:<8} {d['name']}")
    print(f"{sum(d['kind'] == 'holiday' for d in view['days'])} holiday(s), "
          f"{sum(d['kind'] == 'workday' for d in view['days'])} make-up working day(s)")
    return 0


def _import(args) -> int:
    user = None
    if args.user:
        user = authentication.principal_named(args.user)
        if user is None:
            print(f"error: no active user {args.user!r}", file=sys.stderr)
            return 2
    try:
        rows = workcalendar.read_notice(args.file, args.file)
        year = args.year or rows[0]["day"].year
        changes = workcalendar.preview(user, year, rows)
        for c in changes:
            print(f"{c['change']:<7} {c['day'].isoformat()}  {c['before'] or '-':<8} -> {c['after'] or '-':<8} {c['name']}")
        print(f"{len(changes)} change(s) to {year}")
        if args.dry_run:
            return 0
        done = workcalendar.save_year(user, year, rows, provisional=args.provisional, source=args.source)
        print(f"saved; {done['recomputed']} open consultation clock(s) recomputed")
        return 0
    except (UploadRefusal, errors.Refusal) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
