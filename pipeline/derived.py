"""Read-side tables derived from the extracted rows, refreshed after every load: the search index
(``search_docs``, see ``pipeline.search``) and ``status_current``, the latest status observation.

Why a table for "latest": computing it in a view (a window over every observation) costs seconds at
100,000 recommendations; kept per load, the views join it and filtered queries stay in milliseconds.

``status_current`` holds one row per observation key: the tracked ``report`` (or ``doc N`` for a
document's own actions), the ``number`` (or ``row N`` when none is printed) and the ``organization``. It
points at the latest observation of that key (latest ``as_of``; undated counts as oldest; ties go to the
later-loaded row) and flags, per (report, number), the latest across organizations (``latest_overall``),
which ``recommendations_v`` shows as a recommendation's status. Its ``status_id`` is set to NULL when the
observation is deleted, which marks the key for the next refresh.
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

_CHUNK = 500


def refresh_document(session: Session, document_id: int) -> None:
    """Bring the derived tables up to date after one document was (re)loaded, in the load's transaction."""
    from pipeline.search import reindex_document

    reindex_document(session, document_id)
    refresh_status(session.connection(), document_id)


def rebuild(conn: Connection) -> None:
    """Rebuild every derived table (after a bulk load, or for a store loaded before they existed)."""
    from pipeline.search import rebuild_index

    rebuild_index(conn)
    conn.execute(text("DELETE FROM status_current"))
    reports = conn.execute(text(
        "SELECT DISTINCT COALESCE(report, 'doc ' || CAST(document_id AS VARCHAR(20))) FROM status_entries"
    )).scalars().all()
    _recompute(conn, set(reports))


def refresh_status(conn: Connection, document_id: int) -> None:
    """Recompute the latest observation for the reports this document reports on, and for keys whose
    latest observation was deleted (a reloaded or removed document)."""
    stale = conn.execute(text("SELECT DISTINCT key_report FROM status_current WHERE status_id IS NULL")).scalars()
    mine = conn.execute(text(
        "SELECT DISTINCT COALESCE(report, 'doc ' || CAST(document_id AS VARCHAR(20))) FROM status_entries"
        " WHERE document_id = :d"
    ), {"d": document_id}).scalars()
    _recompute(conn, {*stale, *mine})


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
