"""Command: digest (for cron, weekly) — each user's digest of what is new in their follows
(`ipoverseas.sharing.digest`)."""

from __future__ import annotations

from ipoverseas.sharing import digest


def register(sub) -> None:
    p = sub.add_parser("digest", help="send each user the weekly digest of their follows, in the app and by "
                                      "e-mail where configured (idempotent; for cron, weekly)")
    p.add_argument("--week", help="the ISO week, e.g. 2026-W49 (default: the last complete week, Beijing time)")
    p.add_argument("--quiet", action="store_true", help="print nothing (cron mails any output)")
    p.set_defaults(handler=_digest)


def _digest(args) -> int:
    week = digest.parse_week(args.week)
    count = digest.sweep(week)
    if not args.quiet:
        print(f"week {week.code}: wrote {count} digest(s)")
    return 0
