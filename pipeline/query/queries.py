"""Read-side functions over the store, shared by the CLI, the flows and the tests."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Connection,
    Date,
    Engine,
    Integer,
    Select,
    String,
    Text,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy import text as sql_text

from models import (
    Document,
    RecommendationRow,
    RecommendationSource,
    Reference,
    StatusObservation,
    TableCell,
    TableRow,
)
from pipeline.core.errors import ConfigError, NotFoundError
from pipeline.store.db import session_scope
from pipeline.store.derived import status_counts


@dataclass
class DocumentSummary:
    id: int
    symbol: str | None
    language: str | None
    kind: str | None
    title: str | None
    date: str | None
    pages: int | None
    status: str
    reason: str | None
    file_name: str
    recommendations: int
    status_entries: int
    tables: int
    references: int


def list_documents(engine: Engine, *, status: str | None = None) -> list[DocumentSummary]:
    """Every stored document with counts of what was extracted from it."""

    def count(model: Any) -> Any:
        return (
            select(func.count()).where(model.document_id == Document.id).correlate(Document).scalar_subquery()
        )

    query = select(
        Document,
        count(RecommendationSource),
        count(StatusObservation),
        count(TableRow),
        count(Reference),
    ).order_by(Document.symbol, Document.language, Document.id)
    if status:
        query = query.where(Document.status == status)
    with session_scope(engine) as session:
        return [
            DocumentSummary(
                id=doc.id,
                symbol=doc.symbol,
                language=doc.language,
                kind=doc.kind,
                title=doc.title,
                date=doc.date.isoformat() if doc.date else None,
                pages=doc.page_count,
                status=doc.status,
                file_name=doc.file_name,
                reason=doc.failure_reason,
                recommendations=recs,
                status_entries=statuses,
                tables=tables,
                references=refs,
            )
            for doc, recs, statuses, tables, refs in session.execute(query)
        ]


# --- Analyst queries over the views of migration 0002 (see docs/schema.md) ---------------------------
# The views are described here as lightweight Core tables, so filters are built with bound parameters
# (dates bind correctly on SQLite and PostgreSQL alike) and no SQL is pasted together from user input.

IMPLEMENTED = ("implemented", "not_relevant")
"""Implementation states that close a recommendation (it is no longer overdue)."""
OUTSTANDING = ("in_progress", "not_started", "not_implemented")
"""Implementation states reported for recommendations still open (these age)."""

recommendations_v = table(
    "recommendations_v",
    column("recommendation_id", Integer), column("report", String), column("number", String),
    column("language", String), column("kind", String), column("addressee", String), column("text", Text),
    column("deadline_text", Text), column("deadline_kind", String), column("deadline_date", Date),
    column("deadline_session", Integer), column("issued_date", Date), column("issued_year", Integer),
    column("source_symbol", String), column("source_document_id", Integer), column("page", Integer),
    column("response_position", String), column("response_text", Text), column("status_organization", String),
    column("status_as_of", Date), column("acceptance", String), column("implementation", String),
    column("implementation_raw", Text), column("sources", Integer),
)


tracked_v = table(
    "tracked_v",
    column("key_report", String), column("key_number", String), column("report", String),
    column("number", String), column("number_order", Integer), column("language", String),
    column("origin", String), column("recommendation_id", Integer), column("kind", String),
    column("proposal", Integer), column("addressee", String), column("text", Text),
    column("deadline_text", Text), column("deadline_kind", String), column("deadline_date", Date),
    column("deadline_session", Integer), column("issued_date", Date), column("issued_year", Integer),
    column("source_symbol", String), column("source_document_id", Integer), column("page", Integer),
    column("status_id", Integer), column("status_organization", String), column("status_as_of", Date),
    column("status_language", String), column("acceptance", String), column("implementation", String),
    column("implementation_raw", Text), column("remarks", Text), column("previous_status", Text),
    column("status_document_symbol", String), column("status_page", Integer), column("days_overdue", Integer),
)


def _status_columns() -> list[ColumnClause[Any]]:
    """Columns shared by status_v and status_latest_v (a column belongs to one table, so made per view)."""
    return [
        column("status_id", Integer), column("report", String), column("number", String),
        column("organization", String), column("as_of", Date), column("language", String), column("text", Text),
        column("addressee", String), column("acceptance", String), column("implementation", String),
        column("acceptance_raw", Text), column("implementation_raw", Text), column("responsible", Text),
        column("due_text", Text), column("due_kind", String), column("due_date", Date),
        column("report_year", Integer), column("document_symbol", String), column("document_id", Integer),
        column("page", Integer), column("remarks", Text), column("previous_status", Text),
        column("key_report", String), column("key_number", String),
    ]


status_v = table("status_v", *_status_columns())
status_latest_v = table("status_latest_v", *_status_columns(), column("observations", Integer))
references_v = table(
    "references_v",
    column("reference_id", Integer), column("document_id", Integer), column("document_symbol", String),
    column("document_language", String), column("document_kind", String), column("document_date", Date),
    column("cited_symbol", String), column("cited_stored", Integer),
)
recommendations_bilingual_v = table(
    "recommendations_bilingual_v",
    column("report", String), column("number", String), column("kind", String), column("addressee", String),
    column("deadline_date", Date), column("text_zh", Text), column("text_en", Text),
    column("recommendation_id_zh", Integer), column("recommendation_id_en", Integer),
    column("source_symbol_zh", String), column("source_symbol_en", String),
)


@dataclass
class Rows:
    """A result: column names in a fixed order (so CSV and JSON are stable for scripts) and the rows."""

    columns: list[str]
    rows: list[dict[str, Any]]
    title: str | None = None
    brief: list[str] | None = None
    """The columns the ``table`` format shows (a terminal is narrow); the other formats show all."""

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.rows]


def _rows(conn: Connection, query: Select[Any], title: str | None = None) -> Rows:
    result = conn.execute(query)
    columns = list(result.keys())
    return Rows(columns, [dict(zip(columns, row, strict=True)) for row in result], title)


@dataclass
class RecommendationFilter:
    """Filters of ``unpipe recs``; every one given must hold."""

    report: str | None = None
    kind: str | None = None
    addressee: str | None = None
    language: str | None = None
    deadline_before: dt.date | None = None
    deadline_after: dt.date | None = None
    deadline_session: int | None = None
    overdue: bool = False
    as_of: dt.date | None = None
    """The day ``overdue`` is judged on (today if not given)."""
    include_proposals: bool = False
    """With ``overdue``: also actions proposed to the General Assembly (kind ``ga_action``)."""
    organization: str | None = None
    """The organization that reported the latest status."""
    origin: str | None = None
    """``recommendation`` (stored from a report) or ``status`` (named by status rows only)."""
    since: dt.date | None = None
    until: dt.date | None = None
    """Latest status observed on or after ``since``, on or before ``until``."""
    text: str | None = None
    limit: int | None = None


REC_COLUMNS = ("report", "number", "language", "origin", "kind", "addressee", "deadline_date", "deadline_text",
               "deadline_session", "acceptance", "implementation", "implementation_raw", "status_as_of",
               "status_organization", "remarks", "issued_year", "source_symbol", "page", "text",
               "status_document_symbol", "status_page", "recommendation_id", "status_id", "key_number")


def _rec_conditions(conn: Connection, f: RecommendationFilter, v: Any) -> list[ColumnElement[bool]]:
    from pipeline.query.search import match_subquery, parse_query

    where: list[ColumnElement[bool]] = []
    if f.report:
        where.append(v.c.report == f.report.strip())
    for name in ("kind", "addressee", "language", "origin"):
        value = getattr(f, name)
        if value and name in v.c:
            where.append(v.c[name] == value)
    if f.deadline_before:
        where.append(v.c.deadline_date < f.deadline_before)
    if f.deadline_after:
        where.append(v.c.deadline_date > f.deadline_after)
    if f.deadline_session is not None:
        where.append(v.c.deadline_session == f.deadline_session)
    if f.overdue:
        where.append(v.c.deadline_date < (f.as_of or dt.date.today()))
        where.append(or_(v.c.implementation.is_(None), v.c.implementation.not_in(IMPLEMENTED)))
        if not f.include_proposals:
            where.append(v.c.proposal == 0)
    if f.organization:
        where.append(func.lower(v.c.status_organization) == f.organization.strip().lower())
    if f.since or f.until:
        where += _between(v.c.status_as_of, f.since, f.until)
    if f.text:
        if not parse_query(f.text):
            raise ConfigError(f"--text {f.text!r} has no words to search for")
        where.append(or_(
            v.c.recommendation_id.in_(match_subquery(conn.dialect.name, f.text, "recommendation")),
            v.c.status_id.in_(match_subquery(conn.dialect.name, f.text, "status"))))
    return where


def _between(day: Any, since: dt.date | None, until: dt.date | None) -> list[ColumnElement[bool]]:
    """``--since``/``--until``: the day on or after ``since``, on or before ``until``."""
    return [*([day >= since] if since else []), *([day <= until] if until else [])]


def find_recommendations(engine: Engine, f: RecommendationFilter) -> Rows:
    """Tracked recommendations (``tracked_v``: made in a stored document or named by a status row)
    matching the filter, each with its latest reported status; by report, then number in natural order."""
    v = tracked_v
    with engine.connect() as conn:
        query = (select(*[v.c[name] for name in REC_COLUMNS]).where(*_rec_conditions(conn, f, v))
                 .order_by(v.c.key_report, v.c.number_order.nulls_last(), v.c.key_number, v.c.language)
                 .limit(f.limit))
        found = _rows(conn, query, "recommendations")
    if f.overdue:  # how late, counted in Python: date arithmetic is spelled differently on each backend
        as_of = f.as_of or dt.date.today()
        found.columns.insert(REC_COLUMNS.index("deadline_text") + 1, "days_overdue")
        for row in found.rows:
            row["days_overdue"] = (as_of - row["deadline_date"]).days
        found.rows = [{name: row[name] for name in found.columns} for row in found.rows]
    found.brief = ["report", "number", "language", "kind", "addressee", "deadline_date",
                   *(["days_overdue"] if f.overdue else []), "implementation", "status_organization",
                   "status_as_of", "text"]
    return found


def find_recommendations_bilingual(engine: Engine, f: RecommendationFilter) -> Rows:
    """Recommendations side by side in Chinese and English (same report and number)."""
    if f.overdue or f.language:
        raise ConfigError("--both-languages cannot be combined with --overdue or --language")
    b = recommendations_bilingual_v
    with engine.connect() as conn:
        where = _rec_conditions(conn, RecommendationFilter(
            report=f.report, kind=f.kind, addressee=f.addressee, deadline_before=f.deadline_before,
            deadline_after=f.deadline_after), b)
        if f.deadline_session is not None or f.organization or f.origin or f.since or f.until:
            raise ConfigError("--both-languages takes --report, --kind, --addressee, --deadline-before/after"
                              " and --text only")
        if f.text:
            from pipeline.query.search import match_subquery, parse_query

            if not parse_query(f.text):
                raise ConfigError(f"--text {f.text!r} has no words to search for")
            ids = match_subquery(conn.dialect.name, f.text, "recommendation")
            where.append(or_(b.c.recommendation_id_zh.in_(ids), b.c.recommendation_id_en.in_(ids)))
        query = (select(b.c.report, b.c.number, b.c.kind, b.c.addressee, b.c.deadline_date, b.c.text_zh,
                        b.c.text_en, b.c.source_symbol_zh, b.c.source_symbol_en)
                 .where(*where).order_by(b.c.report, b.c.recommendation_id_zh, b.c.recommendation_id_en)
                 .limit(f.limit))
        found = _rows(conn, query, "recommendations in both languages")
    found.brief = ["report", "number", "addressee", "deadline_date", "text_zh", "text_en"]
    return found


@dataclass
class StatusFilter:
    """Filters of ``unpipe status``."""

    report: str | None = None
    number: str | None = None
    organization: str | None = None
    acceptance: str | None = None
    implementation: str | None = None
    language: str | None = None
    document: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    """Observations dated on or after ``since``, on or before ``until``."""
    history: bool = False
    """Every observation (oldest first) instead of the latest per recommendation and organization."""
    limit: int | None = None


STATUS_COLUMNS = ("report", "number", "organization", "as_of", "acceptance", "implementation",
                  "implementation_raw", "remarks", "previous_status", "addressee", "responsible", "due_date",
                  "document_symbol", "page", "text", "status_id", "key_number")


def find_status(engine: Engine, f: StatusFilter) -> Rows:
    """Status observations: the latest per recommendation and organization, or (``history``) all of them."""
    v = status_v if f.history else status_latest_v
    where: list[ColumnElement[bool]] = []
    if f.report:
        where.append(v.c.report == f.report.strip())
    if f.number:
        where.append(v.c.number == f.number.strip())
    if f.organization:
        where.append(func.lower(v.c.organization) == f.organization.strip().lower())
    for name in ("acceptance", "implementation", "language"):
        value = getattr(f, name)
        if value:
            where.append(v.c[name] == value)
    if f.document:
        where.append(func.lower(v.c.document_symbol) == f.document.strip().lower())
    where += _between(v.c.as_of, f.since, f.until)
    columns = [v.c[name] for name in STATUS_COLUMNS]
    if not f.history:
        columns.insert(4, v.c.observations)
    # History: each tracked key (a row without a printed number is a key of its own) oldest first;
    # undated observations count as the oldest, as for "latest".
    order = ([v.c.key_report, _number_order(engine.dialect.name, v.c.key_number).nulls_last(), v.c.key_number,
              v.c.as_of.nulls_first(), v.c.status_id] if f.history
             else [v.c.document_id, v.c.status_id])
    with engine.connect() as conn:
        query = select(*columns).where(*where).order_by(*order).limit(f.limit)
        found = _rows(conn, query, "status history" if f.history else "latest status")
    found.brief = ["report", "number", "organization", "as_of", *([] if f.history else ["observations"]),
                   "acceptance", "implementation", "implementation_raw", "remarks", "document_symbol", "text"]
    return found


def _number_order(dialect: str, number: Any) -> ColumnElement[Any]:
    """The leading integer of a printed number (``70(a)`` → 70), for natural order (1, 2, 10)."""
    if dialect == "sqlite":
        return case((number.op("GLOB")("[0-9]*"), cast(number, Integer)))
    return cast(func.substring(number, "^[0-9]{1,9}"), Integer)


def unmapped_labels(engine: Engine, f: StatusFilter) -> Rows:
    """Printed status labels the vocabulary (``status_vocabulary``) does not map, with how often they occur.

    A label counts as mapped exactly when the status extractor would map it (``Vocabulary.lookup``: the
    whole label, or a label it starts with, such as 已接受 in "已接受之前为“正在落实”"), so the list is
    what to add to the vocabulary. Counted from ``status_label_counts`` (labels per document), or from
    the observations themselves when a report is asked for (its index makes that cheap).
    """
    from extractors.lib.vocabulary import StatusLabel as VocabularyLabel
    from extractors.lib.vocabulary import Vocabulary

    params: dict[str, Any] = {}
    where = ""
    if f.organization:
        where += " AND lower(s.organization) = :organization"
        params["organization"] = f.organization.strip().lower()
    if f.language:
        where += " AND s.language = :language"
        params["language"] = f.language
    if f.report:
        where += " AND s.report = :report"
        params["report"] = f.report.strip()
        counted = " UNION ALL ".join(
            f"SELECT s.organization, s.language, '{field}' AS field, s.{field}_raw AS label, 1 AS entries,"
            f" s.report AS example_report FROM status_entries s WHERE s.{field}_raw IS NOT NULL"
            f" AND TRIM(s.{field}_raw) <> ''{where}"
            for field in ("implementation", "acceptance")
        )
    else:
        counted = f"SELECT * FROM status_label_counts s WHERE 1 = 1{where}"
    sql = (
        "SELECT c.organization, c.language, c.field, c.label, SUM(c.entries) AS entries,"
        f" MIN(c.example_report) AS example_report FROM ({counted}) c"
        " GROUP BY c.organization, c.language, c.field, c.label"
        " ORDER BY c.organization, c.language, c.field, c.label"
    )
    columns = ["organization", "language", "field", "label", "rows", "example_report"]
    with engine.connect() as conn:
        vocabulary = Vocabulary([
            VocabularyLabel(row.organization, row.language, row.label, row.acceptance, row.implementation)
            for row in conn.execute(sql_text(
                "SELECT organization, language, label, acceptance, implementation FROM status_vocabulary"))
        ])
        found = [dict(zip(columns, row, strict=True)) for row in conn.execute(sql_text(sql), params)]
    unmapped = [row for row in found
                if vocabulary.lookup(row["label"], row["language"], row["organization"])[0] is None]
    return Rows(columns, unmapped, "unmapped labels")


def show_document(engine: Engine, symbol: str) -> list[Rows]:
    """Everything about one symbol: its language versions, recommendations, status rows, tables,
    the symbols it cites and the stored documents that cite it."""
    with engine.connect() as conn:
        symbol = _canonical_symbol(conn, " ".join(symbol.split()))
        docs = _rows(conn, select(
            Document.id.label("document_id"), Document.symbol, Document.language, Document.kind, Document.title,
            Document.date, Document.session, Document.page_count.label("pages"), Document.file_name,
            Document.status,
        ).where(Document.symbol == symbol).order_by(Document.language), "documents")
        ids = docs.column("document_id")
        v = recommendations_v
        quoted = select(RecommendationSource.recommendation_id).where(RecommendationSource.document_id.in_(ids))
        recs = _rows(conn, select(
            v.c.report, v.c.number, v.c.language, v.c.kind, v.c.addressee, v.c.deadline_date,
            v.c.response_position, v.c.acceptance, v.c.implementation, v.c.source_symbol, v.c.page, v.c.text,
        ).where(or_(v.c.report == symbol, v.c.recommendation_id.in_(quoted)))
            .order_by(v.c.report, v.c.language, v.c.recommendation_id), "recommendations")
        s = status_v
        status = _rows(conn, select(
            s.c.report, s.c.number, s.c.organization, s.c.as_of, s.c.acceptance, s.c.implementation,
            s.c.implementation_raw, s.c.remarks, s.c.previous_status, s.c.document_symbol, s.c.page, s.c.text,
        ).where(or_(s.c.document_id.in_(ids), s.c.report == symbol))
            .order_by(s.c.key_report, _number_order(conn.dialect.name, s.c.key_number).nulls_last(),
                      s.c.key_number, s.c.as_of.nulls_first(), s.c.status_id), "status")
        size = (select(TableCell.table_id, func.max(TableCell.row).label("last_row"),
                       func.max(TableCell.col).label("last_col"))
                .group_by(TableCell.table_id).subquery())
        tables = _rows(conn, select(
            Document.language, TableRow.page, TableRow.caption,
            (func.coalesce(size.c.last_row, -1) + 1).label("rows"),
            (func.coalesce(size.c.last_col, -1) + 1).label("columns"), TableRow.id.label("table_id"),
        ).join(Document, Document.id == TableRow.document_id).outerjoin(size, size.c.table_id == TableRow.id)
            .where(TableRow.document_id.in_(ids)).order_by(Document.language, TableRow.seq), "tables")
        r = references_v
        cites = _rows(conn, select(r.c.document_language.label("language"), r.c.cited_symbol, r.c.cited_stored)
                      .where(r.c.document_id.in_(ids)).order_by(r.c.cited_symbol, r.c.document_language),
                      "references")
        cited_by = _rows(conn, select(r.c.document_symbol, r.c.document_language, r.c.document_kind,
                                      r.c.document_date)
                         .where(r.c.cited_symbol == symbol)
                         .order_by(r.c.document_date, r.c.document_symbol, r.c.document_language), "cited by")
    sections = [docs, recs, status, tables, cites, cited_by]
    if not any(len(section) for section in sections):
        raise NotFoundError(f"nothing in the store has or cites the symbol {symbol!r}")
    return sections


def _canonical_symbol(conn: Connection, symbol: str) -> str:
    """The symbol as stored, found case-insensitively (``jiu/rep/2021/6`` → ``JIU/REP/2021/6``), so
    that the queries after it can compare exactly and use the indexes."""
    key = symbol.lower()
    for found in (
        select(Document.symbol).where(func.lower(Document.symbol) == key),
        select(RecommendationRow.report).where(RecommendationRow.report.in_([symbol, symbol.upper()])),
        select(StatusObservation.report).where(StatusObservation.report.in_([symbol, symbol.upper()])),
        select(Reference.symbol).where(Reference.symbol.in_([symbol, symbol.upper()])),
    ):
        value = conn.execute(found.limit(1)).scalar()
        if value is not None:
            return str(value)
    return symbol


STATS_DIMENSIONS = {"addressee": "addressee", "year": "report_year", "organization": "organization",
                    "report": "key_report"}


def status_stats(engine: Engine, by: list[str], as_of: dt.date | None = None,
                 organization: str | None = None) -> Rows:
    """Acceptance and implementation rates, and how long open recommendations have been outstanding.

    Counted over the latest observation per recommendation and organization (``status_latest_v``, as
    summed up in ``status_counts``); the year is the year of the recommendation's report; age is the
    as-of year minus that year.
    """
    unknown = [name for name in by if name not in STATS_DIMENSIONS]
    if unknown or not by:
        raise ConfigError(f"cannot group by {', '.join(unknown) or 'nothing'}; "
                          f"valid: {', '.join(STATS_DIMENSIONS)}")
    v = status_counts
    grouping = list(dict.fromkeys([*(STATS_DIMENSIONS[name] for name in by), "report_year", "acceptance",
                                   "implementation"]))
    query = (select(*[v.c[name] for name in grouping], func.sum(v.c.entries).label("entries"))
             .where(func.lower(v.c.organization) == organization.strip().lower() if organization else literal(True))
             .group_by(*[v.c[name] for name in grouping]))
    year = (as_of or dt.date.today()).year
    tallies: dict[tuple[Any, ...], Counter[str]] = {}
    with engine.connect() as conn:
        for found in conn.execute(query).mappings():
            key = tuple(found[STATS_DIMENSIONS[name]] for name in by)
            tally = tallies.setdefault(key, Counter())
            for category in _stats_categories(found["acceptance"], found["implementation"], found["report_year"],
                                              year):
                tally[category] += int(found["entries"])
    columns = [*by, "tracked", "accepted", "partially_accepted", "not_accepted", "acceptance_rate",
               "implemented", "in_progress", "not_started", "implementation_rate", "outstanding",
               "outstanding_under_1y", "outstanding_1_3y", "outstanding_3_5y", "outstanding_5y_plus",
               "outstanding_age_unknown"]
    rows = []
    for key, tally in tallies.items():
        row: dict[str, Any] = dict(zip(by, key, strict=True))
        row.update({name: tally[name] for name in columns if name not in row})
        row["acceptance_rate"] = _rate(tally["accepted"] + tally["partially_accepted"], tally["with_acceptance"])
        row["implementation_rate"] = _rate(tally["implemented"], tally["with_implementation"])
        rows.append(row)
    rows.sort(key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in by))
    brief = [*by, "tracked", "acceptance_rate", "implementation_rate", "outstanding", "outstanding_under_1y",
             "outstanding_1_3y", "outstanding_3_5y", "outstanding_5y_plus", "outstanding_age_unknown"]
    return Rows(columns, rows, "status statistics", brief)


def _stats_categories(acceptance: str | None, implementation: str | None, report_year: int | None,
                      year: int) -> list[str]:
    """The ``unpipe stats`` columns one latest observation counts in."""
    found = ["tracked"]
    if acceptance is not None and acceptance != "not_relevant":
        found.append("with_acceptance")
    if acceptance in ("accepted", "partially_accepted", "not_accepted"):
        found.append(acceptance)
    if implementation is not None and implementation != "not_relevant":
        found.append("with_implementation")
    if implementation in ("implemented", "in_progress"):
        found.append(implementation)
    elif implementation in ("not_started", "not_implemented"):
        found.append("not_started")
    if implementation in OUTSTANDING:
        found.append("outstanding")
        if report_year is None:  # the report's year is unknown: counted apart, so the ages add up
            found.append("outstanding_age_unknown")
        else:
            age = year - report_year
            found.append("outstanding_under_1y" if age < 1 else "outstanding_1_3y" if age < 3
                         else "outstanding_3_5y" if age < 5 else "outstanding_5y_plus")
    return found


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
