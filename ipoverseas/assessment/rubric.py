"""The assessment rubric: sections, items, points, and how each item is measured and scored.

The rubric is data. `data/assessment_rubric.json` holds the shipped structure (the 2020 trial
rubric for sub-centres, plus our placeholder for the centre's judgement); the database keeps every
version the admin saved (`AssessmentRubric`), the newest in force. An empty database starts from
the file (version 1). A frozen year keeps the version it was computed on.

An item has one or more parts; each part names a measure (`measures.MEASURES`), its parameters, a
scale that maps the measure's value to a share of the part's points, and the part's points.
Scales: `linear` (0 at or below `floor`, full at or above `target`, linear between), `steps`
(`[[threshold, share], ...]`: the share of the highest threshold reached), `manual` (set by the
admin with a reason; no data until then).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ipoverseas.access import policy
from ipoverseas.audit import trail
from ipoverseas.core import db, errors
from ipoverseas.core.models import AssessmentRubric, utcnow
from . import measures

SEED = Path(__file__).resolve().parents[2] / "data" / "assessment_rubric.json"
TOTAL_POINTS = 100
SCALES = ("linear", "steps", "manual")
MAX_TEXT = 300


@dataclass(frozen=True)
class Scale:
    kind: str
    floor: float = 0.0
    target: float = 1.0
    steps: tuple[tuple[float, float], ...] = ()

    def share(self, value: float | None) -> float | None:
        """The share (0..1) of the points a measured value earns; None when there is no value."""
        if value is None or self.kind == "manual":
            return None
        if self.kind == "steps":
            return max((share for threshold, share in self.steps if value >= threshold - 1e-9), default=0.0)
        if value >= self.target:
            return 1.0
        if value <= self.floor:
            return 0.0
        return (value - self.floor) / (self.target - self.floor)

    def as_dict(self) -> dict:
        if self.kind == "linear":
            return {"kind": "linear", "floor": self.floor, "target": self.target}
        if self.kind == "steps":
            return {"kind": "steps", "steps": [list(s) for s in self.steps]}
        return {"kind": "manual"}


@dataclass(frozen=True)
class Part:
    measure: str
    params: dict
    scale: Scale
    points: float

    @property
    def manual(self) -> bool:
        return self.scale.kind == "manual"


@dataclass(frozen=True)
class Item:
    code: str
    section: str
    name_zh: str
    name_en: str
    points: float
    parts: tuple[Part, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh

    @property
    def manual(self) -> bool:
        return all(p.manual for p in self.parts)


@dataclass(frozen=True)
class Section:
    code: str
    name_zh: str
    name_en: str
    points: float
    items: tuple[Item, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


@dataclass(frozen=True)
class Rubric:
    version: int
    content: dict
    sections: tuple[Section, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def title(self, lang: str) -> str:
        return self.content.get("title_en" if lang == "en" else "title_zh") or self.content.get("title_zh", "")

    def note(self, lang: str) -> str:
        return self.content.get("note_en" if lang == "en" else "note_zh") or self.content.get("note_zh", "")


def _number(value: Any, where: str, problems: list, *, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append((where, "assessment.rubric.not_a_number", {"where": where, "value": str(value)[:40]}))
        return 0.0
    if minimum is not None and value < minimum:
        problems.append((where, "assessment.rubric.too_small", {"where": where, "min": minimum}))
    return float(value)


def _text(value: Any, where: str, problems: list, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if (required and not text) or len(text) > MAX_TEXT:
        problems.append((where, "assessment.rubric.text", {"where": where, "max": MAX_TEXT}))
    return text


def _scale(raw: Any, where: str, problems: list) -> Scale:
    raw = raw if isinstance(raw, dict) else {}
    kind = raw.get("kind")
    if kind not in SCALES:
        problems.append((where, "assessment.rubric.scale_kind", {"where": where, "kinds": " / ".join(SCALES)}))
        return Scale("manual")
    if kind == "linear":
        floor = _number(raw.get("floor", 0), f"{where}.floor", problems)
        target = _number(raw.get("target"), f"{where}.target", problems)
        if target <= floor:
            problems.append((where, "assessment.rubric.target_above_floor", {"where": where}))
        return Scale("linear", floor, target)
    if kind == "steps":
        steps = raw.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append((where, "assessment.rubric.steps", {"where": where}))
            return Scale("steps")
        out = []
        for n, step in enumerate(steps):
            if not isinstance(step, (list, tuple)) or len(step) != 2:
                problems.append((where, "assessment.rubric.steps", {"where": where}))
                continue
            threshold = _number(step[0], f"{where}.steps[{n}]", problems)
            share = _number(step[1], f"{where}.steps[{n}]", problems, minimum=0)
            if share > 1:
                problems.append((where, "assessment.rubric.share_above_one", {"where": f"{where}.steps[{n}]"}))
            out.append((threshold, share))
        return Scale("steps", steps=tuple(sorted(out)))
    return Scale("manual")


def parse(content: Any, version: int = 0) -> Rubric:
    """A rubric from its JSON content, or `Invalid` naming every problem (where, what to do)."""
    problems: list = []
    if not isinstance(content, dict) or not isinstance(content.get("sections"), list) or not content["sections"]:
        raise errors.Invalid("assessment.rubric.no_sections", field="sections")
    sections, codes, total = [], set(), 0.0
    for s_n, raw_s in enumerate(content["sections"]):
        raw_s = raw_s if isinstance(raw_s, dict) else {}
        s_where = f"sections[{s_n}]"
        s_code = _text(raw_s.get("code"), f"{s_where}.code", problems)
        s_points = _number(raw_s.get("points"), f"{s_where}.points", problems, minimum=0)
        items, item_total = [], 0.0
        raw_items = raw_s.get("items") if isinstance(raw_s.get("items"), list) else []
        if not raw_items:
            problems.append((s_where, "assessment.rubric.no_items", {"where": s_code or s_where}))
        for i_n, raw_i in enumerate(raw_items):
            raw_i = raw_i if isinstance(raw_i, dict) else {}
            i_where = f"{s_code or s_where}.items[{i_n}]"
            code = _text(raw_i.get("code"), f"{i_where}.code", problems)
            if code in codes:
                problems.append((i_where, "assessment.rubric.duplicate_code", {"code": code}))
            codes.add(code)
            i_points = _number(raw_i.get("points"), f"{code or i_where}.points", problems, minimum=0)
            parts, part_total = [], 0.0
            raw_parts = raw_i.get("parts") if isinstance(raw_i.get("parts"), list) else []
            if not raw_parts:
                problems.append((i_where, "assessment.rubric.no_parts", {"where": code or i_where}))
            for p_n, raw_p in enumerate(raw_parts):
                raw_p = raw_p if isinstance(raw_p, dict) else {}
                p_where = f"{code or i_where}.parts[{p_n}]"
                measure = raw_p.get("measure")
                params = raw_p.get("params") if isinstance(raw_p.get("params"), dict) else {}
                scale = _scale(raw_p.get("scale"), f"{p_where}.scale", problems)
                if measure not in measures.MEASURES:
                    problems.append((p_where, "assessment.rubric.unknown_measure",
                                     {"where": p_where, "measure": str(measure)[:40],
                                      "known": ", ".join(measures.MEASURES)}))
                else:
                    for key, problem in measures.MEASURES[measure].check(params):
                        problems.append((p_where, problem, {"where": p_where, "param": key}))
                    if (measure == measures.MANUAL) != (scale.kind == "manual"):
                        problems.append((p_where, "assessment.rubric.manual_scale", {"where": p_where}))
                points = _number(raw_p.get("points"), f"{p_where}.points", problems, minimum=0)
                part_total += points
                parts.append(Part(str(measure), dict(params), scale, points))
            if parts and abs(part_total - i_points) > 1e-6:
                problems.append((i_where, "assessment.rubric.parts_sum",
                                 {"where": code or i_where, "sum": f"{part_total:g}", "points": f"{i_points:g}"}))
            item_total += i_points
            items.append(Item(code, s_code, _text(raw_i.get("name_zh"), f"{i_where}.name_zh", problems),
                              _text(raw_i.get("name_en"), f"{i_where}.name_en", problems, required=False),
                              i_points, tuple(parts)))
        if items and abs(item_total - s_points) > 1e-6:
            problems.append((s_where, "assessment.rubric.items_sum",
                             {"where": s_code or s_where, "sum": f"{item_total:g}", "points": f"{s_points:g}"}))
        total += s_points
        sections.append(Section(s_code, _text(raw_s.get("name_zh"), f"{s_where}.name_zh", problems),
                                _text(raw_s.get("name_en"), f"{s_where}.name_en", problems, required=False),
                                s_points, tuple(items)))
    if abs(total - TOTAL_POINTS) > 1e-6:
        problems.append(("sections", "assessment.rubric.total", {"sum": f"{total:g}", "total": TOTAL_POINTS}))
    if problems:
        raise errors.Invalid(problems)
    return Rubric(version, content, tuple(sections))


def seed_content() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def _newest(session) -> AssessmentRubric | None:
    return session.scalars(select(AssessmentRubric).order_by(AssessmentRubric.version.desc()).limit(1)).first()


def current() -> Rubric:
    """The rubric in force: the newest saved version; the shipped file on an empty database
    (stored as version 1 on first use, so that a frozen year can name it)."""
    with db.read_session() as s:
        row = _newest(s)
        if row is not None:
            return parse(row.content, row.version)
    content = seed_content()
    fallback = parse(content, 1)
    try:
        with db.write_session() as s:
            if _newest(s) is None:
                s.add(AssessmentRubric(version=1, content=content, note="data/assessment_rubric.json",
                                       created_at=utcnow()))
    except IntegrityError:   # another process stored it meanwhile
        pass
    with db.read_session() as s:
        row = _newest(s)
        return parse(row.content, row.version) if row is not None else fallback


def version(number: int) -> Rubric:
    """One stored version (a frozen year's)."""
    with db.read_session() as s:
        row = s.scalar(select(AssessmentRubric).where(AssessmentRubric.version == number))
        if row is None:
            raise errors.NotFound("assessment.rubric.no_version", version=number)
        return parse(row.content, row.version)


def history() -> list[dict]:
    """Every saved version, newest first: number, note, who and when (UTC)."""
    with db.read_session() as s:
        return [{"version": r.version, "note": r.note, "created_by": r.created_by, "created_at": r.created_at}
                for r in s.scalars(select(AssessmentRubric).order_by(AssessmentRubric.version.desc()))]


def save(user, content: Any, note: str) -> int:
    """Store a new version of the rubric (checked first: nothing is written when it is invalid);
    returns its number. The change is audited with the previous and the new version."""
    policy.require(user, "manage_rubric")
    note = (note or "").strip()
    if not note:
        raise errors.Invalid("assessment.rubric.note_required", field="note")
    if isinstance(content, (str, bytes)):
        try:
            content = json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.Invalid("assessment.rubric.not_json", field="content", detail=str(exc)[:200])
    parse(content)
    previous = current()
    with db.write_session() as s:
        number = (s.scalar(select(func.max(AssessmentRubric.version))) or 0) + 1
        row = AssessmentRubric(version=number, content=content, note=note[:MAX_TEXT], created_by=user.id,
                               created_at=utcnow())
        s.add(row)
        s.flush()
        trail.record(s, user, "assessment.rubric_save", "assessment_rubric", row.id,
                     before={"version": previous.version}, after={"version": number},
                     detail={"note": note[:MAX_TEXT], "changes": changes(previous.content, content)})
    return number


def changes(old: dict, new: dict) -> list[str]:
    """What differs between two valid rubrics, item by item, in a few words each (for the audit
    trail). Compared as parsed, so 10 and 10.0 are the same number."""
    def flat(content: dict) -> dict[str, Any]:
        rub = parse(content)
        out: dict[str, Any] = {s.code: (s.points, s.name_zh, s.name_en) for s in rub.sections}
        out.update({i.code: (i.section, i.points, i.name_zh, i.name_en,
                             [(p.measure, p.params, p.scale.as_dict(), p.points) for p in i.parts]) for i in rub.items})
        return out
    a, b = flat(old), flat(new)
    return [f"{code}: {'added' if code not in a else 'removed' if code not in b else 'changed'}"
            for code in sorted(set(a) | set(b)) if a.get(code) != b.get(code)][:50]

def parts_table(rub: Rubric) -> list[dict]:
    """The rubric's parts, one row each, with the numbers an admin tunes (for the editor)."""
    out = []
    for s in rub.sections:
        for i in s.items:
            for n, p in enumerate(i.parts):
                out.append({"section": s.code, "item": i.code, "part": n, "measure": p.measure, "params": p.params,
                            "points": p.points, "scale": p.scale.kind,
                            "floor": p.scale.floor if p.scale.kind == "linear" else None,
                            "target": p.scale.target if p.scale.kind == "linear" else None,
                            "steps": steps_text(p.scale) if p.scale.kind == "steps" else ""})
    return out


def steps_text(scale: Scale) -> str:
    return "; ".join(f"{threshold:g}:{share:g}" for threshold, share in sorted(scale.steps, reverse=True))


def _steps(text: str, where: str) -> list[list[float]]:
    out = []
    for piece in (text or "").replace("；", ";").replace("：", ":").split(";"):
        if not piece.strip():
            continue
        try:
            threshold, share = (float(x) for x in piece.split(":"))
        except ValueError:
            raise errors.Invalid("assessment.rubric.bad_steps", field="steps", where=where)
        out.append([threshold, share])
    if not out:
        raise errors.Invalid("assessment.rubric.bad_steps", field="steps", where=where)
    return out


def with_changes(content: dict, rows: list[dict]) -> dict:
    """A copy of the rubric's content with the editor's numbers (part points, floors, targets,
    steps); item and section points become the sums of their parts and items. Checked by `parse`
    when saved (the sections must still make 100 points)."""
    new = json.loads(json.dumps(content))
    by_key = {(r["item"], int(r["part"])): r for r in rows}
    for s in new["sections"]:
        for i in s["items"]:
            for n, p in enumerate(i["parts"]):
                r = by_key.get((i["code"], n))
                if r is None:
                    continue
                p["points"] = r["points"]
                kind = p.get("scale", {}).get("kind")
                if kind == "linear":
                    p["scale"] = {"kind": "linear", "floor": r.get("floor"), "target": r.get("target")}
                elif kind == "steps":
                    p["scale"] = {"kind": "steps", "steps": _steps(r.get("steps") or "", i["code"])}
            i["points"] = sum(p["points"] for p in i["parts"] if isinstance(p.get("points"), (int, float)))
        s["points"] = sum(i["points"] for i in s["items"])
    return new
