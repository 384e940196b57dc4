"""Make the database ready: migrate, and load the demo into an empty embedded database."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from . import config, db, demo
from .models import User

log = logging.getLogger(__name__)


def prepare_database() -> None:
    engine = db.get_engine()
    db.migrate(engine)
    if config.get("load_demo") and engine.dialect.name == "sqlite" and _is_empty():
        log.info("empty embedded database: loading the demo content")
        demo.load()


def _is_empty() -> bool:
    with db.read_session() as session:
        return not session.scalar(select(func.count()).select_from(User))
