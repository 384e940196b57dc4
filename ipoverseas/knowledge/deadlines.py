"""The response clock: for a dispute type and a start date, the key deadlines and what to do by each.

The rules are data (`data/response_clock.csv`), one row per step, each with its
source (the law or rule, and a URL). A row says: `offset` units after (or, when
negative, before) the start date, where the unit is

- `calendar`: calendar days;
- `working`: working days of the destination, counted on a Monday-to-Friday
  calendar (its public holidays are not known here, so the date shown is never later
  than the real one);
- `months`: calendar months (31 January + 1 month = 28/29 February).

Dates are not moved off weekends: a rule may allow that, but the earlier date is
the safe one to show an enterprise.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from ipoverseas.core import localtime, vocab
from ipoverseas.core.config import DATA_DIR

RULES_FILE = DATA_DIR / "response_clock.csv"
UNITS = ("calendar", "working", "months")
COLUMNS = ("dispute_type", "jurisdiction", "step", "offset", "unit", "trigger_zh", "trigger_en",
           "action_zh", "action_en", "source", "source_url")


@dataclass(frozen=True)
class Rule:
    dispute_type: str
    jurisdiction: str
    step: int
    offset: int
    unit: str
    trigger_zh: str
    trigger_en: str
    action_zh: str
    action_en: str
    source: str
    source_url: str

    def action(self, lang: str) -> str:
        return self.action_zh if lang == "zh" else self.action_en

    def trigger(self, lang: str) -> str:
        return self.trigger_zh if lang == "zh" else self.trigger_en


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    due: date
    days_left: int          # calendar days from `today` to `due`; negative when past

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


class RuleFileError(ValueError):
    """The rules file is malformed: the message names the line and the field."""


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """Read and check the rules file; every problem names its line."""
    path = path or RULES_FILE
    rules: list[Rule] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RuleFileError(f"{path.name}: missing columns {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            def need(field: str) -> str:
                value = (row.get(field) or "").strip()
                if not value:
                    raise RuleFileError(f"{path.name} line {line}: {field} is empty")
                return value

            dispute_type = need("dispute_type")
            if dispute_type not in vocab.DISPUTE_TYPES:
                raise RuleFileError(f"{path.name} line {line}: unknown dispute_type {dispute_type!r}")
            unit = need("unit")
            if unit not in UNITS:
                raise RuleFileError(f"{path.name} line {line}: unit must be one of {', '.join(UNITS)}, not {unit!r}")
            try:
                step, offset = int(need("step")), int(need("offset"))
            except ValueError as exc:
                raise RuleFileError(f"{path.name} line {line}: step and offset must be whole numbers") from exc
            url = need("source_url")
            if not url.startswith("https://"):
                raise RuleFileError(f"{path.name} line {line}: source_url must be an https:// link")
            rules.append(Rule(dispute_type, need("jurisdiction"), step, offset, unit,
                              need("trigger_zh"), need("trigger_en"), need("action_zh"), need("action_en"),
                              need("source"), url))
    return tuple(sorted(rules, key=lambda r: (r.dispute_type, r.step)))


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return load_rules()


def rules(dispute_type: str | None = None) -> tuple[Rule, ...]:
    """All rules, or those of one dispute type, in step order."""
    return tuple(r for r in _rules() if dispute_type is None or r.dispute_type == dispute_type)


def dispute_types() -> tuple[str, ...]:
    """The dispute types that have a clock, in vocabulary order."""
    have = {r.dispute_type for r in _rules()}
    return tuple(code for code in vocab.DISPUTE_TYPES.codes if code in have)


def has_clock(dispute_type: str | None) -> bool:
    return bool(dispute_type) and dispute_type in dispute_types()


def add_working_days(start: date, days: int) -> date:
    """`days` Monday-to-Friday working days after (before, when negative) `start`.

    0 gives `start` itself, even on a weekend. Counting starts the day after the
    start date, as the EU customs regulation and most procedural rules do.
    """
    step = 1 if days >= 0 else -1
    current, remaining = start, abs(days)
    while remaining:
        current += timedelta(days=step)
        if current.weekday() < 5:
            remaining -= 1
    return current


def add_months(start: date, months: int) -> date:
    """Calendar months, with the day clamped to the end of a shorter month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def due_date(rule: Rule, start: date) -> date:
    if rule.unit == "working":
        return add_working_days(start, rule.offset)
    if rule.unit == "months":
        return add_months(start, rule.offset)
    return start + timedelta(days=rule.offset)


# The enterprise's stages (vocab.STAGES) at which the event a dispute type's clock counts from
# has not happened yet: a warning letter is not a served ITC complaint, nor a TRO, nor a lawsuit.
# At these stages there is no clock to show.
NOT_YET = {
    "itc_337": frozenset({"prevention", "letter", "complaint", "enforcing"}),
    "litigation": frozenset({"prevention", "letter", "complaint", "enforcing"}),
    "ecommerce": frozenset({"prevention", "letter", "complaint", "enforcing"}),
    "customs": frozenset({"prevention", "letter", "complaint", "enforcing"}),
}


def starting_event(dispute_type: str | None) -> Rule | None:
    """The rule whose trigger the clock counts from (its first step), or None without a clock."""
    return next(iter(rules(dispute_type)), None) if has_clock(dispute_type) else None


def event_happened(dispute_type: str | None, stage: str | None) -> bool:
    """False when the enterprise's stage says the clock's event has not happened yet."""
    return stage not in NOT_YET.get(dispute_type or "", frozenset())


def event_may_be_ahead(dispute_type: str | None) -> bool:
    """Whether the clock's event may lie in the future (steps before it, e.g. a fair's opening)."""
    return any(r.offset < 0 for r in rules(dispute_type))


def deadlines(dispute_type: str, start: date, *, today: date | None = None,
              jurisdiction: str | None = None, event_only: bool = False) -> list[Deadline]:
    """The dated steps of a dispute type's clock, earliest first.

    With `jurisdiction` (a country or office code) only that jurisdiction's rules are
    kept, when it has any; otherwise all of the dispute type's rules are shown. With
    `event_only`, `start` is the date of the starting event (`starting_event`) and only
    the steps counted from that same event are dated.
    """
    today = today or localtime.today()
    chosen = list(rules(dispute_type))
    if event_only and chosen:
        chosen = [r for r in chosen if r.trigger_en == chosen[0].trigger_en]
    if jurisdiction:
        own = [r for r in chosen if r.jurisdiction == jurisdiction]
        chosen = own or chosen
    out = [Deadline(r, d, (d - today).days) for r in chosen for d in [due_date(r, start)]]
    return sorted(out, key=lambda d: (d.due, d.rule.step))


def next_deadline(dispute_type: str, start: date, *, today: date | None = None) -> Deadline | None:
    """The first step not yet past, or None."""
    return next((d for d in deadlines(dispute_type, start, today=today) if not d.overdue), None)
