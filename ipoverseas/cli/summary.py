"""Command: summary YEAR OUT.docx [--sub-centre CODE] [--lang en] — the year's work summary draft
(`ipoverseas.assessment.summary`), for one sub-centre or the whole network, as the server operator."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ipoverseas.assessment import summary
from ipoverseas.cli.duties import _sub_centre_id
from ipoverseas.core import errors, i18n


def register(sub) -> None:
    p = sub.add_parser("summary", help="the year's work summary draft as a Word document (.docx)")
    p.add_argument("year", type=int)
    p.add_argument("out", metavar="OUT.docx", type=Path)
    p.add_argument("--sub-centre", metavar="CODE", help="this sub-centre (default: the whole network)")
    p.add_argument("--lang", choices=i18n.LANGUAGES, default="zh", help="the document's language (default zh)")
    p.set_defaults(handler=_summary)


def _summary(args) -> int:
    started = time.perf_counter()
    try:
        data = summary.draft(None, args.year, sub_centre_id=_sub_centre_id(args.sub_centre), lang=args.lang)
    except errors.Refusal as exc:
        for _field, key, values in exc.problems:
            print(f"error: {i18n.t(key, 'en', **values)}", file=sys.stderr)
        return 1
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes) in {time.perf_counter() - started:.1f} s")
    return 0
