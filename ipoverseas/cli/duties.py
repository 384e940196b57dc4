"""Commands: duties YEAR (the year's duty grid) and notify-duties (the reminders, for cron) — the
sub-centres' reporting duties (`ipoverseas.network.duties`, `ipoverseas.network.reminders`)."""

from __future__ import annotations

import json
import sys

from ipoverseas.core import errors, localtime
from ipoverseas.network import duties, reminders
from ipoverseas.ops.once import once

PAGE = 500


def register(sub) -> None:
    p = sub.add_parser("duties", help="the year's reporting duties: sub-centre, duty, period, due date, state")
    p.add_argument("year", type=int)
    p.add_argument("--sub-centre", metavar="CODE", help="only this sub-centre")
    p.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    p.set_defaults(handler=_duties)
    p = sub.add_parser("notify-duties",
                       help="remind sub-centres of reports due soon, due today or overdue (idempotent; for cron)")
    p.add_argument("--quiet", action="store_true", help="print nothing (cron mails any output)")
    p.set_defaults(handler=_notify)


def _sub_centre_id(code: str | None) -> int | None:
    if not code:
        return None
    found = next((c["id"] for c in duties.sub_centres() if c["code"] == code.strip()), None)
    if found is None:        # a usage error, as argparse's own: exit 2
        print(f"error: no sub-centre with the code {code!r}", file=sys.stderr)
        raise SystemExit(2)
    return found


def _duties(args) -> int:
    try:
        sub_centre_id = _sub_centre_id(args.sub_centre)
        duties.ensure_year(args.year)
        rows, offset = [], 0
        while True:
            page = duties.items(None, year=args.year, sub_centre_id=sub_centre_id, lang="en", limit=PAGE, offset=offset)
            rows += page["rows"]
            offset += PAGE
            if offset >= page["total"]:
                break
    except errors.Refusal as exc:    # refused by the service: exit 1, as every command
        print(f"error: {exc.key} {exc.values}", file=sys.stderr)
        return 1
    out = [{"sub_centre": r["sub_centre_code"], "duty": r["duty"], "period": r["period"],
            "due_on": r["due_on"].isoformat(), "state": r["state"],
            "submitted_at": localtime.text(r["first_submitted_at"]) if r["first_submitted_at"] else None}
           for r in rows]
    if args.json:
        print(json.dumps({"year": args.year, "time_zone": localtime.label("en"), "items": out},
                         ensure_ascii=False, indent=1))
        return 0
    for r in out:
        print(f"{r['sub_centre']:<12} {r['period']:<8} {r['due_on']}  {r['state']:<18} "
              f"{r['submitted_at'] or '-':<17} {r['duty']}")
    counts = ", ".join(f"{k} {v}" for k, v in page["counts"].items() if v)
    print(f"{len(out)} item(s)" + (f": {counts}" if counts else "") + f"; times in {localtime.label('en')}")
    return 0


@once("notify-duties")
def _notify(args) -> int:
    sent = reminders.sweep()
    if not args.quiet:
        print(f"sent {sent['soon']} due-soon, {sent['due']} due-today and {sent['overdue']} overdue reminder(s)")
    return 0
