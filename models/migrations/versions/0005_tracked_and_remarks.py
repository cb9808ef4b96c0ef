"""tracked recommendations and the organizations' words

``status_entries`` gains ``remarks`` (the organization's assessment or comment, as printed) and
``previous_status`` (a printed note on the earlier status). ``status_v`` and ``status_latest_v`` are
made again with those columns and with the observation key (``key_report``, ``key_number``: a row
without a printed number is ``row N``, so rows never merge into one history). ``tracked_v`` is new: one
row per (report, number, language) that a recommendation or a status row names, with its latest
observation, addressee, deadline and days overdue, the list ``unpipe recs`` reads. A status row
whose recommendation is stored in another language takes its deadline, kind and addressee from it.

Frozen SQL: the view bodies are written out here, never imported from live code.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATUS_V_COLUMNS = (
    "status_id", "report", "number", "organization", "as_of", "language", "text", "addressee", "acceptance",
    "implementation", "acceptance_raw", "implementation_raw", "responsible", "due_text", "due_kind", "due_date",
    "report_year", "document_symbol", "document_id", "page",
)
NEW_STATUS_COLUMNS = ("remarks", "previous_status", "key_report", "key_number")


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
            "leading_number": "CASE WHEN {0} GLOB '[0-9]*' THEN CAST({0} AS INTEGER) END",
        }
    return {
        "year_of": "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)",
        "jiu_year": (
            "CASE WHEN {0} ~ '^JIU/REP/[0-9]{{4}}/' THEN CAST(substr({0}, 9, 4) AS INTEGER)"
            " WHEN {0} ~ '^JIU/NOTE/[0-9]{{4}}/' THEN CAST(substr({0}, 10, 4) AS INTEGER) END"
        ),
        "days_since": "(CURRENT_DATE - {})",
        "leading_number": "CAST(substring({0} from '^[0-9]{{1,9}}') AS INTEGER)",
    }


def view_sql(dialect: str) -> dict[str, str]:
    """CREATE VIEW bodies by name, in creation order."""
    sql = _dialect_sql(dialect)
    report_date = "(SELECT MIN(rd.date) FROM documents rd WHERE rd.symbol = {} AND rd.status = 'loaded')"
    key_report = "COALESCE(s.report, 'doc ' || CAST(s.document_id AS VARCHAR(20)))"
    key_number = "COALESCE(s.number, 'row ' || CAST(s.id AS VARCHAR(20)))"
    closed = "('implemented', 'not_relevant')"

    def deadline(part: str, due: str) -> str:
        """A deadline column: the recommendation's (in this language, else in another), else the latest
        observation's, else the row's own."""
        return (f"CASE WHEN r.deadline_text IS NOT NULL THEN r.deadline_{part}"
                f" WHEN ro.deadline_text IS NOT NULL THEN ro.deadline_{part}"
                f" WHEN ls.due_text IS NOT NULL THEN ls.due_{due} ELSE rep.due_{due} END")

    issued_date = (
        f"COALESCE({report_date.format('k.key_report')}, (SELECT MIN(sd.date) FROM recommendation_sources rs"
        " JOIN documents sd ON sd.id = rs.document_id WHERE rs.recommendation_id = k.recommendation_id))"
    )
    return {
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
    s.page,
    s.remarks,
    s.previous_status,
    {key_report} AS key_report,
    {key_number} AS key_number
FROM status_entries s
JOIN documents doc ON doc.id = s.document_id
""",
        "status_latest_v": f"""
SELECT {", ".join(f"s.{name}" for name in STATUS_V_COLUMNS + NEW_STATUS_COLUMNS)}, c.observations
FROM status_current c
JOIN status_v s ON s.status_id = c.status_id
""",
        "tracked_v": f"""
SELECT
    t.*,
    CASE WHEN t.deadline_date < CURRENT_DATE
              AND (t.implementation IS NULL OR t.implementation NOT IN {closed})
         THEN {sql['days_since'].format('t.deadline_date')} END AS days_overdue
FROM (
SELECT
    k.key_report,
    k.key_number,
    COALESCE(r.report, rep.report) AS report,
    COALESCE(r.number, rep.number) AS number,
    {sql['leading_number'].format('k.key_number')} AS number_order,
    k.language,
    CASE WHEN k.recommendation_id IS NULL THEN 'status' ELSE 'recommendation' END AS origin,
    k.recommendation_id,
    COALESCE(r.kind, ro.kind, CASE WHEN k.key_report LIKE 'JIU/%' THEN 'jiu' END) AS kind,
    CASE WHEN COALESCE(r.kind, ro.kind) = 'ga_action' THEN 1 ELSE 0 END AS proposal,
    COALESCE(r.addressee, rep.addressee, ro.addressee, ls.addressee) AS addressee,
    COALESCE(r.text, rep.text) AS text,
    {deadline('text', 'text')} AS deadline_text,
    {deadline('kind', 'kind')} AS deadline_kind,
    {deadline('date', 'date')} AS deadline_date,
    {deadline('session', 'session')} AS deadline_session,
    {issued_date} AS issued_date,
    COALESCE({sql['jiu_year'].format('k.key_report')}, {sql['year_of'].format(issued_date)}) AS issued_year,
    sd.symbol AS source_symbol,
    COALESCE(r.document_id, rep.document_id) AS source_document_id,
    COALESCE(r.page, rep.page) AS page,
    ls.id AS status_id,
    ls.organization AS status_organization,
    ls.as_of AS status_as_of,
    ls.language AS status_language,
    ls.acceptance,
    ls.implementation,
    ls.implementation_raw,
    ls.remarks,
    ls.previous_status,
    lsd.symbol AS status_document_symbol,
    ls.page AS status_page
FROM (
    SELECT r0.report AS key_report, r0.number AS key_number, r0.language, r0.id AS recommendation_id,
           NULL AS status_row
    FROM recommendations r0
    UNION ALL
    SELECT s.key_report, s.key_number, s.language, NULL, MAX(s.id)
    FROM (SELECT s.id, s.language, {key_report} AS key_report, {key_number} AS key_number
          FROM status_entries s) s
    WHERE NOT EXISTS (SELECT 1 FROM recommendations r1 WHERE r1.report = s.key_report
                      AND r1.number = s.key_number AND r1.language = s.language)
    GROUP BY s.key_report, s.key_number, s.language
) k
LEFT JOIN recommendations r ON r.id = k.recommendation_id
LEFT JOIN status_entries rep ON rep.id = k.status_row
LEFT JOIN recommendations ro ON k.recommendation_id IS NULL AND ro.id = (
    SELECT MIN(r2.id) FROM recommendations r2 WHERE r2.report = k.key_report AND r2.number = k.key_number)
LEFT JOIN status_current lc ON lc.key_report = k.key_report AND lc.key_number = k.key_number
    AND (lc.latest_overall = 1 OR lc.report IS NULL OR lc.number IS NULL)
LEFT JOIN status_entries ls ON ls.id = lc.status_id
LEFT JOIN documents sd ON sd.id = COALESCE(r.document_id, rep.document_id)
LEFT JOIN documents lsd ON lsd.id = ls.document_id
) t
""",
    }


OLD_STATUS_V = """
SELECT
    s.id AS status_id, s.report, s.number, s.organization, s.as_of, s.language, s.text,
    COALESCE(s.addressee, (SELECT MIN(r.addressee) FROM recommendations r
                           WHERE r.report = s.report AND r.number = s.number)) AS addressee,
    s.acceptance, s.implementation, s.acceptance_raw, s.implementation_raw, s.responsible, s.due_text,
    s.due_kind, s.due_date,
    COALESCE({jiu_year}, {year_of}) AS report_year,
    doc.symbol AS document_symbol, s.document_id, s.page
FROM status_entries s
JOIN documents doc ON doc.id = s.document_id
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("status_entries", sa.Column("remarks", sa.Text(), nullable=True))
    op.add_column("status_entries", sa.Column("previous_status", sa.Text(), nullable=True))
    op.execute("DROP VIEW IF EXISTS status_latest_v")
    op.execute("DROP VIEW IF EXISTS status_v")
    for name, body in view_sql(dialect).items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    sql = _dialect_sql(dialect)
    report_date = "(SELECT MIN(rd.date) FROM documents rd WHERE rd.symbol = s.report AND rd.status = 'loaded')"
    for name in ("tracked_v", "status_latest_v", "status_v"):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute("CREATE VIEW status_v AS " + OLD_STATUS_V.format(
        jiu_year=sql["jiu_year"].format("s.report"), year_of=sql["year_of"].format(report_date)))
    op.execute(f"CREATE VIEW status_latest_v AS SELECT {', '.join(f's.{n}' for n in STATUS_V_COLUMNS)},"
               " c.observations FROM status_current c JOIN status_v s ON s.status_id = c.status_id")
    for column in ("previous_status", "remarks"):  # SQLite 3.35+ drops a column in place
        op.execute(f"ALTER TABLE status_entries DROP COLUMN {column}")
