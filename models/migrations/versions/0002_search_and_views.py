"""search index and analyst views

The full-text index (``search_docs``, with FTS5 on SQLite and a tsvector on PostgreSQL), the latest
status per observation key (``status_current``, see ``pipeline.store.derived``) and the views analysts query
(documented in docs/schema.md). Views are defined per dialect only where the two differ
(year of a date, days between dates, a regular expression); their columns are the same on both.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VIEWS = (
    "recommendations_v",
    "status_v",
    "status_latest_v",
    "overdue_v",
    "references_v",
    "recommendations_bilingual_v",
    "documents_bilingual_v",
)


STATUS_V_COLUMNS = (
    "status_id", "report", "number", "organization", "as_of", "language", "text", "addressee", "acceptance",
    "implementation", "acceptance_raw", "implementation_raw", "responsible", "due_text", "due_kind", "due_date",
    "report_year", "document_symbol", "document_id", "page",
)


def _dialect_sql(dialect: str) -> dict[str, str]:
    """The few expressions SQLite and PostgreSQL spell differently."""
    if dialect == "sqlite":
        return {
            "year_of": "CAST(strftime('%Y', {}) AS INTEGER)",
            "jiu_year": (
                "CASE WHEN {0} GLOB 'JIU/REP/[0-9][0-9][0-9][0-9]/*' THEN CAST(substr({0}, 9, 4) AS INTEGER)"
                " WHEN {0} GLOB 'JIU/NOTE/[0-9][0-9][0-9][0-9]/*' THEN CAST(substr({0}, 10, 4) AS INTEGER) END"
            ),
            "days_since": "CAST(julianday(CURRENT_DATE) - julianday({}) AS INTEGER)",
        }
    return {
        "year_of": "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)",
        "jiu_year": (
            "CASE WHEN {0} ~ '^JIU/REP/[0-9]{{4}}/' THEN CAST(substr({0}, 9, 4) AS INTEGER)"
            " WHEN {0} ~ '^JIU/NOTE/[0-9]{{4}}/' THEN CAST(substr({0}, 10, 4) AS INTEGER) END"
        ),
        "days_since": "(CURRENT_DATE - {})",
    }


def view_sql(dialect: str) -> dict[str, str]:
    """CREATE VIEW bodies by name, in creation order."""
    sql = _dialect_sql(dialect)
    report_date = "(SELECT MIN(rd.date) FROM documents rd WHERE rd.symbol = {} AND rd.status = 'loaded')"
    issued_date = (
        f"COALESCE({report_date.format('r.report')}, (SELECT MIN(sd.date) FROM recommendation_sources rs"
        " JOIN documents sd ON sd.id = rs.document_id WHERE rs.recommendation_id = r.id))"
    )
    return {
        "recommendations_v": f"""
SELECT
    r.id AS recommendation_id,
    r.report,
    r.number,
    r.language,
    r.kind,
    r.addressee,
    r.text,
    r.deadline_text,
    r.deadline_kind,
    r.deadline_date,
    r.deadline_session,
    {issued_date} AS issued_date,
    COALESCE({sql['jiu_year'].format('r.report')}, {sql['year_of'].format(issued_date)}) AS issued_year,
    d.symbol AS source_symbol,
    r.document_id AS source_document_id,
    r.page,
    src.response_position,
    src.response_text,
    ls.organization AS status_organization,
    ls.as_of AS status_as_of,
    ls.acceptance,
    ls.implementation,
    ls.implementation_raw,
    (SELECT COUNT(*) FROM recommendation_sources c WHERE c.recommendation_id = r.id) AS sources
FROM recommendations r
LEFT JOIN documents d ON d.id = r.document_id
LEFT JOIN recommendation_sources src ON src.recommendation_id = r.id AND src.document_id = r.document_id
LEFT JOIN status_current lc ON lc.report = r.report AND lc.number = r.number AND lc.latest_overall = 1
LEFT JOIN status_entries ls ON ls.id = lc.status_id
""",
        "status_v": f"""
SELECT
    s.id AS status_id,
    s.report,
    s.number,
    s.organization,
    s.as_of,
    s.language,
    s.text,
    COALESCE(s.addressee, (SELECT MIN(r.addressee) FROM recommendations r
                           WHERE r.report = s.report AND r.number = s.number)) AS addressee,
    s.acceptance,
    s.implementation,
    s.acceptance_raw,
    s.implementation_raw,
    s.responsible,
    s.due_text,
    s.due_kind,
    s.due_date,
    COALESCE({sql['jiu_year'].format('s.report')}, {sql['year_of'].format(report_date.format('s.report'))})
        AS report_year,
    doc.symbol AS document_symbol,
    s.document_id,
    s.page
FROM status_entries s
JOIN documents doc ON doc.id = s.document_id
""",
        "status_latest_v": f"""
SELECT {", ".join(f"s.{name}" for name in STATUS_V_COLUMNS)}, c.observations
FROM status_current c
JOIN status_v s ON s.status_id = c.status_id
""",
        "overdue_v": f"""
SELECT
    v.*,
    {sql['days_since'].format('v.deadline_date')} AS days_overdue
FROM recommendations_v v
WHERE v.deadline_date < CURRENT_DATE
  AND (v.implementation IS NULL OR v.implementation NOT IN ('implemented', 'not_relevant'))
""",
        "references_v": """
SELECT
    ref.id AS reference_id,
    doc.id AS document_id,
    doc.symbol AS document_symbol,
    doc.language AS document_language,
    doc.kind AS document_kind,
    doc.date AS document_date,
    ref.symbol AS cited_symbol,
    CASE WHEN EXISTS (SELECT 1 FROM documents c WHERE c.symbol = ref.symbol AND c.status = 'loaded')
         THEN 1 ELSE 0 END AS cited_stored
FROM "references" ref
JOIN documents doc ON doc.id = ref.document_id
""",
        "recommendations_bilingual_v": """
SELECT
    k.report,
    k.number,
    COALESCE(en.kind, zh.kind) AS kind,
    COALESCE(en.addressee, zh.addressee) AS addressee,
    COALESCE(en.deadline_date, zh.deadline_date) AS deadline_date,
    zh.text AS text_zh,
    en.text AS text_en,
    zh.id AS recommendation_id_zh,
    en.id AS recommendation_id_en,
    dzh.symbol AS source_symbol_zh,
    den.symbol AS source_symbol_en
FROM (SELECT DISTINCT report, number FROM recommendations WHERE language IN ('zh', 'en')) k
LEFT JOIN recommendations zh ON zh.report = k.report AND zh.number = k.number AND zh.language = 'zh'
LEFT JOIN recommendations en ON en.report = k.report AND en.number = k.number AND en.language = 'en'
LEFT JOIN documents dzh ON dzh.id = zh.document_id
LEFT JOIN documents den ON den.id = en.document_id
""",
        "documents_bilingual_v": """
SELECT
    k.symbol,
    COALESCE(en.kind, zh.kind) AS kind,
    COALESCE(en.date, zh.date) AS date,
    zh.title AS title_zh,
    en.title AS title_en,
    zh.id AS document_id_zh,
    en.id AS document_id_en
FROM (SELECT DISTINCT symbol FROM documents WHERE symbol IS NOT NULL AND status = 'loaded') k
LEFT JOIN documents zh ON zh.symbol = k.symbol AND zh.language = 'zh' AND zh.status = 'loaded'
LEFT JOIN documents en ON en.symbol = k.symbol AND en.language = 'en' AND en.status = 'loaded'
""",
    }


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_search_docs_document_id_documents",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_search_docs"),
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_docs_kind_ref_id"),
    )
    op.create_index("ix_search_docs_document_id", "search_docs", ["document_id"])
    op.create_table(  # maintained by pipeline.store.derived after every load
        "status_current",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_report", sa.String(length=200), nullable=False),
        sa.Column("key_number", sa.String(length=60), nullable=False),
        sa.Column("key_org", sa.String(length=60), nullable=False),
        sa.Column("report", sa.String(length=200), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=True),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("latest_overall", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["status_id"], ["status_entries.id"],
                                name="fk_status_current_status_id_status_entries", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_status_current"),
        sa.UniqueConstraint("key_report", "key_number", "key_org", name="uq_status_current_key"),
    )
    op.create_index("ix_status_current_status_id", "status_current", ["status_id"])
    # Printed labels by organization: `unpipe status --unmapped` groups on them.
    op.create_index("ix_status_entries_org_lang_implementation_raw", "status_entries",
                    ["organization", "language", "implementation_raw"])
    op.create_index("ix_status_current_report_number", "status_current", ["report", "number", "latest_overall"])
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_docs', content_rowid='id',"
                   " tokenize='unicode61 remove_diacritics 0')")
        op.execute("CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN"
                   " INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END")
        op.execute("CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN"
                   " INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); END")
        op.execute("CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN"
                   " INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body);"
                   " INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END")
    else:
        op.execute("ALTER TABLE search_docs ADD COLUMN tsv tsvector"
                   " GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED")
        op.execute("CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv)")
    for name, body in view_sql(dialect).items():
        op.execute(f"CREATE VIEW {name} AS {body}")
    # A store loaded before this revision gets its derived tables from the code that opens it
    # (pipeline.store.derived.fill_missing), never from here: a migration runs frozen SQL only.


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_docs_ai", "search_docs_ad", "search_docs_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index("ix_search_docs_document_id", table_name="search_docs")
    op.drop_table("search_docs")
    op.drop_index("ix_status_entries_org_lang_implementation_raw", table_name="status_entries")
    op.drop_index("ix_status_current_report_number", table_name="status_current")
    op.drop_index("ix_status_current_status_id", table_name="status_current")
    op.drop_table("status_current")
