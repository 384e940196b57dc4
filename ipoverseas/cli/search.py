"""Command: search — the ids of the matching cases or articles, best first (the same search as the pages).

It pages like the pages do: the first 50 ids by default (`--limit N`), every id only with
`--all`, so a term in half a million cases is not ranked in full to print fifty.
"""

from __future__ import annotations

import json
import sys

from ipoverseas.core import search

DEFAULT_LIMIT = 50


def register(sub) -> None:
    p = sub.add_parser("search", help="full-text search; prints the matching ids in rank order")
    p.add_argument("query", help="words to find (every word must occur); Chinese terms of any length")
    p.add_argument("--kind", choices=sorted(search.KINDS), default="cases", help="what to search (default: cases)")
    many = p.add_mutually_exclusive_group()
    many.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                      help=f"print at most this many ids (default: {DEFAULT_LIMIT})")
    many.add_argument("--all", action="store_true", help="print every matching id")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of one id per line")
    p.set_defaults(handler=_search)


def _search(args) -> int:
    if args.limit < 0:
        print("error: --limit must be zero or more", file=sys.stderr)
        return 2
    ids = search.search_ids(args.kind, args.query, limit=None if args.all else args.limit)
    if args.json:
        print(json.dumps({"kind": args.kind, "query": args.query, "count": len(ids), "ids": ids}, ensure_ascii=False))
    else:
        for i in ids:
            print(i)
    return 0
