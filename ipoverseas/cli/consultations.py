"""Commands: notify-overdue (for cron) and recompute-clocks — the consultation service's clock."""

from __future__ import annotations

from ipoverseas.consultations import sweep, workflow
from ipoverseas.ops.once import once


def register(sub) -> None:
    p = sub.add_parser("notify-overdue",
                       help="notify staff and experts of consultations past the promise (idempotent; for cron)")
    p.add_argument("--quiet", action="store_true", help="print nothing (cron mails any output)")
    p.set_defaults(handler=_notify_overdue)
    p = sub.add_parser("recompute-clocks",
                       help="store the consultation clocks again after the promise setting or holiday table changed")
    p.add_argument("--all", action="store_true",
                   help="also answered and closed consultations (their on-time figures may change)")
    p.set_defaults(handler=_recompute)


@once("notify-overdue")
def _notify_overdue(args) -> int:
    count = sweep.notify_overdue()
    if not args.quiet:
        print(f"notified {count} overdue consultation(s)")
    return 0


@once("recompute-clocks")
def _recompute(args) -> int:
    count = workflow.recompute_clocks(only_open=not args.all)
    print(f"recomputed {count} consultation clock(s)")
    return 0
