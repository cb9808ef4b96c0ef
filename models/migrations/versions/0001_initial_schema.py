"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:45:33.425027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_files_sha256")),
    )
    op.create_table(
        "ingest_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_items")),
        sa.UniqueConstraint("symbol", "language", name="uq_ingest_items_symbol_language"),
    )
    with op.batch_alter_table("ingest_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_items_state"), ["state"], unique=False)

    op.create_table(
        "source_cursors",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_cursors")),
    )
    op.create_table(
        "status_vocabulary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("acceptance", sa.String(length=40), nullable=True),
        sa.Column("implementation", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_vocabulary")),
        sa.UniqueConstraint("organization", "language", "label", name="uq_status_vocabulary_org_lang_label"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("session", sa.Integer(), nullable=True),
        sa.Column("agenda_items", sa.JSON(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("job_number", sa.String(length=40), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("failure_reason", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("quality_flags", sa.JSON(), nullable=False),
        sa.Column("parser_version", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_documents_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("symbol", "language", name="uq_documents_symbol_language"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_symbol"), ["symbol"], unique=False)

    op.create_table(
        "extraction_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("extractor", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_extraction_runs_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_runs")),
    )
    with op.batch_alter_table("extraction_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_extraction_runs_document_extractor", ["document_id", "extractor"], unique=False
        )

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("footnotes", sa.Text(), nullable=False),
        sa.Column("width", sa.Float(), nullable=False),
        sa.Column("height", sa.Float(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("cid_share", sa.Float(), nullable=False),
        sa.Column("replacement_share", sa.Float(), nullable=False),
        sa.Column("image_area_share", sa.Float(), nullable=False),
        sa.Column("quality_flags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_pages_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("document_id", "number", name="uq_pages_document_number"),
    )
    op.create_table(
        "paragraphs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_paragraphs_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paragraphs")),
    )
    with op.batch_alter_table("paragraphs", schema=None) as batch_op:
        batch_op.create_index("ix_paragraphs_document_seq", ["document_id", "seq"], unique=False)

    op.create_table(
        "parsed_layouts",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("parser_version", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_parsed_layouts_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_parsed_layouts")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("addressee", sa.String(length=40), nullable=True),
        sa.Column("deadline_text", sa.Text(), nullable=True),
        sa.Column("deadline_kind", sa.String(length=20), nullable=True),
        sa.Column("deadline_date", sa.Date(), nullable=True),
        sa.Column("deadline_session", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.Column("extractor", sa.String(length=60), nullable=False),
        sa.Column("extractor_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_recommendations_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("report", "number", "language", name="uq_recommendations_report_number_language"),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendations_addressee"), ["addressee"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendations_deadline_date"), ["deadline_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendations_report"), ["report"], unique=False)

    op.create_table(
        "references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=200), nullable=False),
        sa.Column("extractor", sa.String(length=60), nullable=False),
        sa.Column("extractor_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_references_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_references")),
        sa.UniqueConstraint("document_id", "symbol", name="uq_references_document_symbol"),
    )
    with op.batch_alter_table("references", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_references_symbol"), ["symbol"], unique=False)

    op.create_table(
        "status_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=60), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=200), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("addressee", sa.String(length=40), nullable=True),
        sa.Column("acceptance", sa.String(length=40), nullable=True),
        sa.Column("implementation", sa.String(length=40), nullable=True),
        sa.Column("acceptance_raw", sa.Text(), nullable=True),
        sa.Column("implementation_raw", sa.Text(), nullable=True),
        sa.Column("responsible", sa.Text(), nullable=True),
        sa.Column("due_text", sa.Text(), nullable=True),
        sa.Column("due_kind", sa.String(length=20), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_session", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.Column("extractor", sa.String(length=60), nullable=False),
        sa.Column("extractor_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_status_entries_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_entries")),
    )
    with op.batch_alter_table("status_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_entries_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_entries_organization"), ["organization"], unique=False)
        batch_op.create_index("ix_status_entries_report_number", ["report", "number"], unique=False)

    op.create_table(
        "tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.Column("extractor", sa.String(length=60), nullable=False),
        sa.Column("extractor_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_tables_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tables")),
    )
    with op.batch_alter_table("tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tables_document_id"), ["document_id"], unique=False)

    op.create_table(
        "recommendation_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("response_position", sa.String(length=40), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.Column("extractor", sa.String(length=60), nullable=False),
        sa.Column("extractor_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_recommendation_sources_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_sources_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_sources")),
        sa.UniqueConstraint("recommendation_id", "document_id", name="uq_recommendation_sources_rec_doc"),
    )
    with op.batch_alter_table("recommendation_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_sources_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "table_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("col", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("bbox", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_table_cells_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_cells")),
    )
    with op.batch_alter_table("table_cells", schema=None) as batch_op:
        batch_op.create_index("ix_table_cells_table_row_col", ["table_id", "row", "col"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("table_cells", schema=None) as batch_op:
        batch_op.drop_index("ix_table_cells_table_row_col")

    op.drop_table("table_cells")
    with op.batch_alter_table("recommendation_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_sources_document_id"))

    op.drop_table("recommendation_sources")
    with op.batch_alter_table("tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tables_document_id"))

    op.drop_table("tables")
    with op.batch_alter_table("status_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_status_entries_report_number")
        batch_op.drop_index(batch_op.f("ix_status_entries_organization"))
        batch_op.drop_index(batch_op.f("ix_status_entries_document_id"))

    op.drop_table("status_entries")
    with op.batch_alter_table("references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_references_symbol"))

    op.drop_table("references")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_report"))
        batch_op.drop_index(batch_op.f("ix_recommendations_deadline_date"))
        batch_op.drop_index(batch_op.f("ix_recommendations_addressee"))

    op.drop_table("recommendations")
    op.drop_table("parsed_layouts")
    with op.batch_alter_table("paragraphs", schema=None) as batch_op:
        batch_op.drop_index("ix_paragraphs_document_seq")

    op.drop_table("paragraphs")
    op.drop_table("pages")
    with op.batch_alter_table("extraction_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_extraction_runs_document_extractor")

    op.drop_table("extraction_runs")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_symbol"))
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_kind"))

    op.drop_table("documents")
    op.drop_table("status_vocabulary")
    op.drop_table("source_cursors")
    with op.batch_alter_table("ingest_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_items_state"))

    op.drop_table("ingest_items")
    op.drop_table("files")
