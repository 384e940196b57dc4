"""information sharing: a case's docket number, the duplicate check's indexes, dispute links, alert routes

- cases.docket_no (the forum's docket or investigation number, as uploaded) and cases.docket_key,
  the same normalised (ASCII upper case; spaces, '-', '.', '/', ':' and dashes removed), kept by a
  trigger so every writer (import, bulk COPY, edit) fills it; the exact-number block of the
  duplicate check reads it through ix_cases_forum_docket_key.
- ix_cases_country_dispute_filed: the near-match block (country + dispute type + filing date window).
- dispute_links: candidate / linked / distinct pairs of case records (ipoverseas.sharing.duplicates).
- alert_routes: the admin's additions to and removals from a risk alert's routing, and when each
  sub-centre was notified (ipoverseas.sharing.routing).

The normalisation is written here as frozen SQL; ipoverseas.sharing.duplicates.docket_key is its
Python twin (tests/sharing/test_duplicates.py checks they agree).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_REMOVED = (" ", "-", ".", "/", ":", "\u2013", "\u2014")
_LOWER, _UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _key_sql(value: str, dialect: str) -> str:
    for ch in _REMOVED:
        value = f"replace({value}, '{ch}', '')"
    if dialect == "postgresql":   # ASCII letters only, as SQLite's upper()
        return f"translate({value}, '{_LOWER}', '{_UPPER}')"
    return f"upper({value})"


def upgrade() -> None:
    # plain ALTER TABLE, never a batch "move and copy": a copied cases table would lose its triggers
    op.add_column('cases', sa.Column('docket_no', sa.String(length=64), nullable=True))
    op.add_column('cases', sa.Column('docket_key', sa.String(length=64), nullable=True))
    op.create_index('ix_cases_forum_docket_key', 'cases', ['forum', 'docket_key'])
    op.create_index('ix_cases_country_dispute_filed', 'cases', ['country', 'dispute_type', 'filed_on'])
    op.create_table(
        "dispute_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_a_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE",
                                                           name="fk_dispute_links_case_a_id_cases"), nullable=False),
        sa.Column("case_b_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE",
                                                           name="fk_dispute_links_case_b_id_cases"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("duplicate_id", sa.Integer(), nullable=True),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL",
                                                               name="fk_dispute_links_decided_by_id_users"),
                  nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("case_a_id", "case_b_id", name="uq_dispute_links_case_a_id_case_b_id"),
    )
    op.create_index("ix_dispute_links_case_b_id", "dispute_links", ["case_b_id"])
    op.create_index("ix_dispute_links_status", "dispute_links", ["status"])
    op.create_index("ix_dispute_links_duplicate_id", "dispute_links", ["duplicate_id"])
    op.create_table(
        "alert_routes",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE",
                                                            name="fk_alert_routes_article_id_articles"),
                  primary_key=True),
        sa.Column("sub_centre_id", sa.Integer(), sa.ForeignKey("sub_centres.id", ondelete="CASCADE",
                                                               name="fk_alert_routes_sub_centre_id_sub_centres"),
                  primary_key=True),
        sa.Column("mode", sa.String(8), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL",
                                                               name="fk_alert_routes_changed_by_id_users"),
                  nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE FUNCTION cases_docket_key() RETURNS trigger AS $$ BEGIN "
                   f"NEW.docket_key := {_key_sql('NEW.docket_no', dialect)}; RETURN NEW; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER cases_docket_key BEFORE INSERT OR UPDATE OF docket_no ON cases "
                   "FOR EACH ROW EXECUTE FUNCTION cases_docket_key()")
    else:
        key = _key_sql("NEW.docket_no", dialect)
        op.execute("CREATE TRIGGER cases_docket_key_ai AFTER INSERT ON cases WHEN NEW.docket_no IS NOT NULL "
                   f"BEGIN UPDATE cases SET docket_key = {key} WHERE id = NEW.id; END")
        op.execute("CREATE TRIGGER cases_docket_key_au AFTER UPDATE OF docket_no ON cases "
                   "WHEN old.docket_no IS NOT new.docket_no "
                   f"BEGIN UPDATE cases SET docket_key = {key} WHERE id = NEW.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS cases_docket_key ON cases")
        op.execute("DROP FUNCTION IF EXISTS cases_docket_key()")
    else:
        op.execute("DROP TRIGGER IF EXISTS cases_docket_key_ai")
        op.execute("DROP TRIGGER IF EXISTS cases_docket_key_au")
    op.drop_table("alert_routes")
    op.drop_table("dispute_links")
    op.drop_index('ix_cases_country_dispute_filed', 'cases')
    op.drop_index('ix_cases_forum_docket_key', 'cases')
    for column in ('docket_key', 'docket_no'):   # SQLite 3.35+ drops a column in place, keeping the triggers
        op.execute(f"ALTER TABLE cases DROP COLUMN {column}")
