"""Command: assessment YEAR [--json] — the year's scorecard (`ipoverseas.assessment.scorecard`): one
entry per sub-centre with its items, sections, total and rank."""

from __future__ import annotations

import json
import sys

from ipoverseas.assessment import scorecard
from ipoverseas.core import errors


def register(sub) -> None:
    p = sub.add_parser("assessment", help="the year's assessment of the sub-centres: items, sections, total, rank")
    p.add_argument("year", type=int)
    p.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    p.set_defaults(handler=_assessment)


def _assessment(args) -> int:
    try:
        card = scorecard.compute(None, args.year)
    except errors.Refusal as exc:    # refused: exit 1, as the package says
        print(f"error: {exc.key} {exc.values}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(as_json(card), ensure_ascii=False, indent=1))
        return 0
    sections = [s.code for s in card.rubric.sections]
    print(f"assessment {card.year} (rubric v{card.rubric.version}, {'frozen' if card.frozen else 'live'}, "
          f"as of {card.as_of})")
    print(f"{'rank':>4}  {'sub-centre':<12}" + "".join(f"{c[:10]:>11}" for c in sections) + f"{'total':>9}{'of':>7}")
    for r in card.rows:
        cells = "".join(f"{'-' if r.sections[c] is None else format(r.sections[c], 'g'):>11}" for c in sections)
        print(f"{r.rank:>4}  {r.code:<12}{cells}{r.total:>9g}{r.assessable:>7g}")
    return 0


def as_json(card: scorecard.Scorecard) -> dict:
    return {
        "year": card.year, "rubric_version": card.rubric.version, "frozen": card.frozen,
        "as_of": card.as_of.isoformat() if card.as_of else None,
        "sub_centres": [{
            "code": r.code, "name": r.name_zh, "rank": r.rank, "total": r.total, "assessable": r.assessable,
            "previous_total": r.previous_total, "change": r.change, "sections": r.sections,
            "items": {code: {"points": i.points, "max": i.points_max, "computed": i.computed, "override": i.override,
                             "reason": i.reason,
                             "parts": [{"measure": p.measure, "value": p.value, "numerator": p.numerator,
                                        "denominator": p.denominator, "points": p.points} for p in i.parts]}
                      for code, i in r.items.items()},
        } for r in card.rows],
        "medians": card.medians,
    }
