"""Command: policy — print who may do what (the README's policy table is generated from it)."""

from __future__ import annotations

from ipoverseas.access import policy


def register(sub) -> None:
    p = sub.add_parser("policy", help="print the permission policy: every action, every role")
    p.add_argument("--markdown", action="store_true", help="as the README's Markdown table (the default)")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.set_defaults(handler=_policy)


def _policy(args) -> int:
    print(policy.table_markdown(args.lang))
    return 0
