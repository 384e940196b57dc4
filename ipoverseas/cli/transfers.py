"""Command: notify-transfers (for cron) — transfers from the national centre not accepted or
refused in time (`ipoverseas.network.transfers`)."""

from __future__ import annotations

from ipoverseas.network import transfers
from ipoverseas.ops.once import once


def register(sub) -> None:
    p = sub.add_parser("notify-transfers",
                       help="notify sub-centre staff and admins of transfers past the time to accept "
                            "(idempotent; for cron)")
    p.add_argument("--quiet", action="store_true", help="print nothing (cron mails any output)")
    p.set_defaults(handler=_notify)


@once("notify-transfers")
def _notify(args) -> int:
    count = transfers.notify_overdue()
    if not args.quiet:
        print(f"notified {count} overdue transfer(s)")
    return 0
