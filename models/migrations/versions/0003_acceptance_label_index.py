"""Index printed acceptance labels, as 0002 did implementation labels (`unpipe status --unmapped`).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_status_entries_org_lang_acceptance_raw", "status_entries", ["organization", "language", "acceptance_raw"]
    )


def downgrade() -> None:
    op.drop_index("ix_status_entries_org_lang_acceptance_raw", table_name="status_entries")
