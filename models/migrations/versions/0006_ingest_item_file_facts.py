"""ingest items keep the ODS job number and file name of their last download

The ODS access URL redirects to a file named by its job number (``…/pdf/n2427222.pdf``); the item keeps
that job number and the final file name, so an analyst can tell which issuance was stored. The state
column also takes ``unavailable`` (no change to its type).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_items") as batch:
        batch.add_column(sa.Column("job_number", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("file_name", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_items") as batch:
        batch.drop_column("file_name")
        batch.drop_column("job_number")
