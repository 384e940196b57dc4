"""Alembic environment: runs on the connection `ipoverseas.db.migrate` hands over,
or on the URL in the config (for `alembic` on the command line)."""

from alembic import context
from sqlalchemy import create_engine

import ipoverseas.core.search  # noqa: F401  (tells autogenerate the search tables and indexes are not drift)
from ipoverseas.core.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
