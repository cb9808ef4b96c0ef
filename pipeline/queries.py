"""Read-side functions over the store, shared by the CLI, the flows and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from models import Document, RecommendationSource, Reference, StatusObservation, TableRow
from pipeline.db import session_scope
from pipeline.errors import NotFoundError


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
                id=doc.id, symbol=doc.symbol, language=doc.language, kind=doc.kind, title=doc.title,
                date=doc.date.isoformat() if doc.date else None, pages=doc.page_count, status=doc.status,
                reason=doc.failure_reason, recommendations=recs, status_entries=statuses, tables=tables,
                references=refs,
            )
            for doc, recs, statuses, tables, refs in session.execute(query)
        ]


def get_document(engine: Engine, symbol: str, language: str | None = None) -> list[DocumentSummary]:
    """The stored language versions of one symbol."""
    found = [
        d for d in list_documents(engine)
        if d.symbol and d.symbol.casefold() == symbol.casefold() and (language is None or d.language == language)
    ]
    if not found:
        raise NotFoundError(f"no stored document has the symbol {symbol!r}")
    return found
