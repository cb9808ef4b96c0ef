"""query speed: status count tables, a recommendation filter index

``status_counts`` (latest observations counted by report, organization, addressee, year, acceptance and
implementation) and ``status_label_counts`` (printed status labels counted per document), kept by
``pipeline.store.derived`` after every load so that ``unpipe stats`` and ``unpipe status --unmapped`` sum a
few thousand rows instead of classifying every observation at each query. The index on a
recommendation's addressee becomes one on (addressee, kind, deadline date), the filters of
``unpipe recs``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_recommendations_addressee", table_name="recommendations")
    op.create_index("ix_recommendations_addressee_kind_deadline_date", "recommendations",
                    ["addressee", "kind", "deadline_date"])
    op.create_table(  # maintained by pipeline.store.derived after every load
        "status_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_report", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=60), nullable=True),
        sa.Column("addressee", sa.String(length=40), nullable=True),
        sa.Column("report_year", sa.Integer(), nullable=True),
        sa.Column("acceptance", sa.String(length=40), nullable=True),
        sa.Column("implementation", sa.String(length=40), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_counts"),
    )
    op.create_index("ix_status_counts_key_report", "status_counts", ["key_report"])
    op.create_table(  # maintained by pipeline.store.derived after every load
        "status_label_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=60), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("example_report", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name="fk_status_label_counts_document_id_documents", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_status_label_counts"),
    )
    op.create_index("ix_status_label_counts_document_id", "status_label_counts", ["document_id"])
    # A store loaded before this revision gets its counts from the code that opens it
    # (pipeline.store.derived.fill_missing), never from here: a migration runs frozen SQL only.


def downgrade() -> None:
    op.drop_index("ix_status_label_counts_document_id", table_name="status_label_counts")
    op.drop_table("status_label_counts")
    op.drop_index("ix_status_counts_key_report", table_name="status_counts")
    op.drop_table("status_counts")
    op.drop_index("ix_recommendations_addressee_kind_deadline_date", table_name="recommendations")
    op.create_index("ix_recommendations_addressee", "recommendations", ["addressee"])
