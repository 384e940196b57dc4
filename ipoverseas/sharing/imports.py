"""What an import of cases shares (issue 17), as imports/service.py calls it: the duplicate check at
the preview, and after the import has committed (never inside its transaction) the possible
duplicates into the national centre's queue and one notification per region the cases concern."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from ipoverseas.core import db
from ipoverseas.sharing import duplicates, routing

log = logging.getLogger(__name__)


def check_plan(session: Session, parsed: Any, plan: Any) -> dict[int, list[duplicates.Match]] | None:
    """The preview's matches (excel row -> matches) of a cases import, None for other datasets."""
    if plan is None or plan.dataset != "cases":
        return None
    return duplicates.check_plan(session, parsed, plan)


def after_import(prepared: Any, batch_id: int) -> None:
    """Queue the applied rows' possible duplicates and notify the regions; best effort (logged)."""
    plan = prepared.plan
    if plan is None or plan.dataset != "cases":
        return
    try:
        matches = prepared.possible_duplicates
        if matches is None:   # the command line applies without a preview: check now
            with db.read_session() as s:
                matches = duplicates.check_plan(s, prepared.parsed, plan)
        keys = {row: key for row, key, _ in plan.creates}
        keys.update({ch.row: ch.key for ch in plan.updates})
        by_key = {keys[row]: found for row, found in matches.items() if row in keys}
        if by_key:
            with db.write_session() as s:
                duplicates.queue(s, plan.sub_centre_id, by_key)
        province = plan.fields.index("province") if "province" in plan.fields else None
        if province is not None:
            position = plan.positions[province]
            routing.notify_import(batch_id, plan.sub_centre_id, (values[position] for _, _, values in plan.creates))
    except Exception:   # the import is committed: its sharing must not turn it into a failure
        log.exception("sharing after import batch %s failed", batch_id)
