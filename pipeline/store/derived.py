"""Read-side tables derived from the extracted rows, refreshed after every load: the search index
(``search_docs``, see ``pipeline.store.search_index``), ``status_current``, the latest status observation, and two
small count tables, ``status_counts`` and ``status_label_counts``.

Why a table for "latest": computing it in a view (a window over every observation) costs seconds at
100,000 recommendations; kept per load, the views join it and filtered queries stay in milliseconds.

``status_current`` holds one row per observation key: the tracked ``report`` (or ``doc N`` for a
document's own actions), the ``number`` (or ``row N`` when none is printed) and the ``organization``. It
points at the latest observation of that key (latest ``as_of``; undated counts as oldest; ties go to the
later-loaded row) and flags, per (report, number), the latest across organizations (``latest_overall``),
which ``recommendations_v`` shows as a recommendation's status. Its ``status_id`` is set to NULL when the
observation is deleted, which marks the key for the next refresh.

``status_counts`` holds the latest observations counted by (key report, organization, addressee, report
year, acceptance, implementation): ``unpipe stats`` sums a few thousand of these rows instead of classifying
every observation again. A key report's counts change when its observations, its recommendations
(addressee) or the report document itself (its year) change, so a load recounts exactly those reports.
``status_label_counts`` counts each document's printed status labels, for ``unpipe status --unmapped``;
it changes only when that document is reloaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, String, bindparam, column, table, text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

status_current = table(
    "status_current",
    column("id", Integer),
    column("key_report", String),
    column("key_number", String),
    column("key_org", String),
    column("report", String),
    column("number", String),
    column("status_id", Integer),
    column("observations", Integer),
    column("latest_overall", Integer),
)

status_counts = table(
    "status_counts",
    column("key_report", String),
    column("organization", String),
    column("addressee", String),
    column("report_year", Integer),
    column("acceptance", String),
    column("implementation", String),
    column("entries", Integer),
)

status_label_counts = table(
    "status_label_counts",
    column("document_id", Integer),
    column("organization", String),
    column("language", String),
    column("field", String),
    column("label", String),
    column("entries", Integer),
    column("example_report", String),
)

_LABEL_FIELDS = ("acceptance", "implementation")

_CHUNK = 500


def refresh_document(
    session: Session, document_id: int, dropped_reports: Iterable[str] = (), *, paragraphs: bool = True
) -> None:
    """Bring the derived tables up to date after one document was (re)loaded, in the load's transaction.

    ``dropped_reports`` are the reports of recommendations the load removed (no document quotes them any
    more): their status counts lose an addressee. ``paragraphs=False``: the document's paragraphs are
    as they were (a re-extraction), so their search index rows are kept.
    """
    from pipeline.store.search_index import reindex_document

    reindex_document(session, document_id, paragraphs=paragraphs)
    conn = session.connection()
    recounted = refresh_status(conn, document_id)
    mine = conn.execute(text(
        "SELECT DISTINCT r.report FROM recommendations r JOIN recommendation_sources rs"
        " ON rs.recommendation_id = r.id WHERE rs.document_id = :d"
        " UNION SELECT symbol FROM documents WHERE id = :d AND symbol IS NOT NULL"
    ), {"d": document_id}).scalars()
    _recount(conn, {*recounted, *mine, *dropped_reports})
    _recount_labels(conn, document_id)


def rebuild(conn: Connection) -> None:
    """Rebuild every derived table (after a bulk load, or for a store loaded before they existed)."""
    from pipeline.store.search_index import rebuild_index

    rebuild_index(conn)
    rebuild_latest(conn)
    rebuild_counts(conn)


def fill_missing(conn: Connection) -> None:
    """Fill each derived table that is empty while what it derives from holds rows.

    Derived tables (search index, latest status, counts) are the current code's work, so migrations
    create them empty and the store fills them here after migrating: a store loaded before a table
    existed, or brought back up after a downgrade. Each check is one indexed ``LIMIT 1`` probe.
    """
    from pipeline.store.search_index import rebuild_index

    if _empty(conn, "search_docs") and not (_empty(conn, "paragraphs") and _empty(conn, "recommendations")):
        rebuild_index(conn)
    if _empty(conn, "status_current") and not _empty(conn, "status_entries"):
        rebuild_latest(conn)
    if _empty(conn, "status_counts") and not _empty(conn, "status_current"):
        rebuild_counts(conn)


def _empty(conn: Connection, table: str) -> bool:
    return conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None


def rebuild_latest(conn: Connection) -> None:
    """Rebuild ``status_current`` from every stored observation."""
    conn.execute(text("DELETE FROM status_current"))
    reports = conn.execute(text(
        "SELECT DISTINCT COALESCE(report, 'doc ' || CAST(document_id AS VARCHAR(20))) FROM status_entries"
    )).scalars().all()
    _recompute(conn, set(reports))


def rebuild_counts(conn: Connection) -> None:
    """Rebuild ``status_counts`` and ``status_label_counts`` (``status_current`` must be current)."""
    conn.execute(text("DELETE FROM status_counts"))
    conn.execute(text("DELETE FROM status_label_counts"))
    _recount(conn, set(conn.execute(text("SELECT DISTINCT key_report FROM status_current")).scalars()))
    _recount_labels(conn, None)


def refresh_status(conn: Connection, document_id: int) -> set[str]:
    """Recompute the latest observation for the reports this document reports on, and for keys whose
    latest observation was deleted (a reloaded or removed document); returns the key reports redone."""
    stale = conn.execute(text("SELECT DISTINCT key_report FROM status_current WHERE status_id IS NULL")).scalars()
    mine = conn.execute(text(
        "SELECT DISTINCT COALESCE(report, 'doc ' || CAST(document_id AS VARCHAR(20))) FROM status_entries"
        " WHERE document_id = :d"
    ), {"d": document_id}).scalars()
    redone = {*stale, *mine}
    _recompute(conn, redone)
    return redone


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _recompute(conn: Connection, key_reports: set[str]) -> None:
    if not key_reports:
        return
    keys = sorted(key_reports)
    delete = text("DELETE FROM status_current WHERE key_report IN :k").bindparams(bindparam("k", expanding=True))
    for chunk in _chunks(keys):
        conn.execute(delete, {"k": chunk})
    reports = [k for k in keys if not k.startswith("doc ")]
    own_docs = [int(k.removeprefix("doc ")) for k in keys if k.startswith("doc ")]
    columns = "SELECT id, document_id, report, number, organization, as_of FROM status_entries"
    found: list[Any] = []
    for chunk in _chunks(reports):
        found += conn.execute(text(f"{columns} WHERE report IN :r").bindparams(bindparam("r", expanding=True)),
                              {"r": chunk}).all()
    for chunk in _chunks(own_docs):
        found += conn.execute(text(f"{columns} WHERE report IS NULL AND document_id IN :d").bindparams(
            bindparam("d", expanding=True)), {"d": chunk}).all()
    if found:
        conn.execute(status_current.insert(), _latest_rows(found))


def _order(row: Any) -> tuple[bool, dt.date | str, int]:
    as_of = row.as_of
    return (as_of is not None, as_of or "", row.id)


def _latest_rows(found: list[Any]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for row in found:
        key = (row.report if row.report is not None else f"doc {row.document_id}",
               row.number if row.number is not None else f"row {row.id}",
               row.organization or "")
        groups.setdefault(key, []).append(row)
    out: list[dict[str, Any]] = []
    overall: dict[tuple[str, str], dict[str, Any]] = {}
    for (key_report, key_number, key_org), rows in groups.items():
        latest = max(rows, key=_order)
        record = {"key_report": key_report, "key_number": key_number, "key_org": key_org,
                  "report": latest.report, "number": latest.number, "status_id": latest.id,
                  "observations": len(rows), "latest_overall": 0, "_order": _order(latest)}
        out.append(record)
        if latest.report is not None and latest.number is not None:
            pair = (latest.report, latest.number)
            if pair not in overall or record["_order"] > overall[pair]["_order"]:
                overall[pair] = record
    for record in overall.values():
        record["latest_overall"] = 1
    for record in out:
        del record["_order"]
    return out


def _recount(conn: Connection, key_reports: set[str]) -> None:
    """Recount ``status_counts`` for these key reports from their latest observations."""
    keys = sorted(key_reports)
    delete = text("DELETE FROM status_counts WHERE key_report IN :k").bindparams(bindparam("k", expanding=True))
    count = text(
        "INSERT INTO status_counts (key_report, organization, addressee, report_year, acceptance, implementation,"
        " entries) SELECT c.key_report, s.organization, s.addressee, s.report_year, s.acceptance, s.implementation,"
        " COUNT(*) FROM status_current c JOIN status_v s ON s.status_id = c.status_id WHERE c.key_report IN :k"
        " GROUP BY c.key_report, s.organization, s.addressee, s.report_year, s.acceptance, s.implementation"
    ).bindparams(bindparam("k", expanding=True))
    for chunk in _chunks(keys):
        conn.execute(delete, {"k": chunk})
        conn.execute(count, {"k": chunk})


def _recount_labels(conn: Connection, document_id: int | None) -> None:
    """Recount one document's printed status labels (every document's when ``document_id`` is None)."""
    where = "" if document_id is None else " AND document_id = :d"
    params = {} if document_id is None else {"d": document_id}
    if document_id is not None:
        conn.execute(text("DELETE FROM status_label_counts WHERE document_id = :d"), params)
    for field in _LABEL_FIELDS:
        raw = f"{field}_raw"
        conn.execute(text(
            "INSERT INTO status_label_counts (document_id, organization, language, field, label, entries,"
            f" example_report) SELECT document_id, organization, language, '{field}', {raw}, COUNT(*), MIN(report)"
            f" FROM status_entries WHERE {raw} IS NOT NULL AND TRIM({raw}) <> ''{where}"
            f" GROUP BY document_id, organization, language, {raw}"
        ), params)
