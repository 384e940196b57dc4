"""full-text search: FTS5 trigram tables on SQLite, GIN gram indexes on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

See ipoverseas/core/search.py for how the objects are used. Each indexed field ends with
a separator character (\\x01) and the text ends with two, so every occurrence of a
1- or 2-character term starts some trigram (SQLite) or is a gram (PostgreSQL).
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SOURCES = {
    "cases": ("title", "summary", "guidance", "lessons"),
    "articles": ("title_zh", "title_en", "body"),
}


def _sqlite_doc(prefix: str, columns) -> str:
    parts = " || char(1) || ".join(f"coalesce({prefix}{c}, '')" for c in columns)
    return f"{parts} || char(1) || char(1)"


def _upgrade_sqlite() -> None:
    for table, columns in SOURCES.items():
        fts = f"{table}_fts"
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(doc, tokenize='trigram', content='')")
        op.execute(f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, 'row')")
        op.execute(f"INSERT INTO {fts}(rowid, doc) SELECT id, {_sqlite_doc('', columns)} FROM {table}")
        new_doc, old_doc = _sqlite_doc("new.", columns), _sqlite_doc("old.", columns)
        op.execute(f"""CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts}(rowid, doc) VALUES (new.id, {new_doc});
        END""")
        op.execute(f"""CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, doc) VALUES ('delete', old.id, {old_doc});
        END""")
        op.execute(f"""CREATE TRIGGER {fts}_au AFTER UPDATE OF {', '.join(columns)} ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, doc) VALUES ('delete', old.id, {old_doc});
            INSERT INTO {fts}(rowid, doc) VALUES (new.id, {new_doc});
        END""")


def _upgrade_postgresql() -> None:
    op.execute(r"""
        CREATE OR REPLACE FUNCTION ipo_search_doc(VARIADIC parts text[]) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT lower(array_to_string(parts, E'\x01', '')) || E'\x01\x01' $$
    """)
    op.execute(r"""
        CREATE OR REPLACE FUNCTION ipo_search_grams(doc text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
               SELECT substr(doc, i, 1) AS g FROM generate_series(1, length(doc)) AS i
               UNION ALL
               SELECT substr(doc, i, 2) FROM generate_series(1, length(doc) - 1) AS i
           ) AS grams $$
    """)
    for table, columns in SOURCES.items():
        op.execute(f"CREATE INDEX ix_search_{table}_grams ON {table} "
                   f"USING gin (ipo_search_grams(ipo_search_doc({', '.join(columns)})))")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _upgrade_sqlite()
    elif dialect == "postgresql":
        _upgrade_postgresql()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in SOURCES:
            fts = f"{table}_fts"
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}_vocab")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    elif dialect == "postgresql":
        for table in SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{table}_grams")
        op.execute("DROP FUNCTION IF EXISTS ipo_search_grams(text)")
        op.execute("DROP FUNCTION IF EXISTS ipo_search_doc(text[])")
