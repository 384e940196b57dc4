"""the audit trail is append-only in the database too: triggers refuse UPDATE and DELETE

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The ORM already refuses to change or delete an AuditEvent (ipoverseas/audit.py); these
triggers make the database refuse it for any client that goes around the ORM.
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

MESSAGE = "the audit trail is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    else:
        op.execute(f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
