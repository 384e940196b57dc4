"""the working-day calendar moves into the database: calendar_days and calendar_years

Seeded from data/holidays_cn.csv (the repository's table, which stays the seed of an empty
database); the admin keeps it from now on. The parsing is copied here: a migration imports
no live code.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
import csv
import re
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parents[3] / "data" / "holidays_cn.csv"
_SOURCE = re.compile(r"^#\s+(\d{4}):\s*(.+)$")


def _seed():
    days, years = [], {}
    if not SEED.exists():
        return days, years
    lines = SEED.read_text(encoding="utf-8").splitlines()
    sources = {}
    for line in lines:
        m = _SOURCE.match(line)
        if m:
            text = m.group(2).strip()
            if text.upper().startswith("PROVISIONAL"):
                text = "data/holidays_cn.csv（暂定：尚无正式通知，仅含法定节假日）"
            sources[int(m.group(1))] = text[:300]
    reader = csv.DictReader(line for line in lines if line.strip() and not line.startswith("#"))
    for row in reader:
        day = date.fromisoformat(row["date"].strip())
        provisional = (row.get("provisional") or "0").strip() == "1"
        years.setdefault(day.year, {"year": day.year, "provisional": False,
                                    "source": sources.get(day.year, "data/holidays_cn.csv")})
        years[day.year]["provisional"] |= provisional
        days.append({"day": day, "kind": row["kind"].strip(), "name": (row.get("name") or "").strip()[:200],
                     "source": years[day.year]["source"]})
    return days, years


def upgrade() -> None:
    days_t = op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    years_t = op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    days, years = _seed()
    if days:
        op.bulk_insert(days_t, [dict(d, updated_at=now) for d in days])
    if years:
        op.bulk_insert(years_t, [dict(y, updated_at=now) for y in years.values()])


def downgrade() -> None:
    op.drop_table("calendar_years")
    op.drop_table("calendar_days")
