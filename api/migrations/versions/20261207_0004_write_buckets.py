"""write buckets: the per-token write budget in the database, shared by every API process

``write_bucket`` holds one token bucket per presented credential (its SHA-256), so that
``planalign serve --workers N`` — or N servers behind a load balancer — give a token one write
budget rather than one per process. Only PostgreSQL deployments use it; an SQLite service is one
process and keeps its buckets in memory.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401, RUF100  (autogenerate writes AutoString)
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "write_bucket",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_write_bucket")),
    )


def downgrade() -> None:
    op.drop_table("write_bucket")
