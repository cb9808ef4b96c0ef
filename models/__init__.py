"""The SQL store: typed SQLAlchemy 2.x models. Alembic migrations in ``models/migrations`` create them.

Every extracted row carries its provenance: the document, the page and box it was printed at, and
the extractor (name and version) that produced it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)  # noqa: UP017 - explicit for readers on 3.11


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[float]: JSON}  # noqa: RUF012


class StoredFile(Base):
    """A PDF as received (content-addressed by sha256)."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(500))
    """The name the file had when it was ingested (or the safe name it was downloaded under)."""
    path: Mapped[str | None] = mapped_column(String(1000))
    """Where the file store keeps it, if it was copied there."""
    source_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """One document in one language; unique by (symbol, language). Failed files are kept with their reason."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("symbol", "language", name="uq_documents_symbol_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str | None] = mapped_column(String(200), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str | None] = mapped_column(String(40), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    session: Mapped[int | None] = mapped_column(Integer)
    agenda_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    date: Mapped[date | None] = mapped_column(Date)
    job_number: Mapped[str | None] = mapped_column(String(40))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    page_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="loaded")
    """``loaded`` or ``failed``."""
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    """Machine-readable reason of a failure (``not_pdf``, ``encrypted_pdf`` …)."""
    error: Mapped[str | None] = mapped_column(Text)
    quality_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    parser_version: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    file: Mapped[StoredFile | None] = relationship()
    pages: Mapped[list[PageRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="PageRow.number"
    )


class ParsedLayout(Base):
    """The parsed layout (compressed JSON), so extractors can re-run without the PDF."""

    __tablename__ = "parsed_layouts"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    parser_version: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[bytes] = mapped_column(LargeBinary)


class PageRow(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_pages_document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    """Body text of the page: no running headers, footers or footnotes."""
    footnotes: Mapped[str] = mapped_column(Text, default="")
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    cid_share: Mapped[float] = mapped_column(Float, default=0.0)
    replacement_share: Mapped[float] = mapped_column(Float, default=0.0)
    image_area_share: Mapped[float] = mapped_column(Float, default=0.0)
    quality_flags: Mapped[list[str]] = mapped_column(JSON, default=list)

    document: Mapped[Document] = relationship(back_populates="pages")


class ParagraphRow(Base):
    """Paragraphs of the body and footnotes, for full-text search and provenance."""

    __tablename__ = "paragraphs"
    __table_args__ = (Index("ix_paragraphs_document_seq", "document_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)


class ExtractionRunRow(Base):
    """One extractor's run over one document (kept as history; the latest per extractor is current)."""

    __tablename__ = "extraction_runs"
    __table_args__ = (Index("ix_extraction_runs_document_extractor", "document_id", "extractor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    extractor: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reference(Base):
    """A UN symbol cited by a document."""

    __tablename__ = "references"
    __table_args__ = (UniqueConstraint("document_id", "symbol", name="uq_references_document_symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    symbol: Mapped[str] = mapped_column(String(200), index=True)
    extractor: Mapped[str] = mapped_column(String(60))
    extractor_version: Mapped[str] = mapped_column(String(20))


class RecommendationRow(Base):
    """One recommendation per (report, number, language), however many documents quote it."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("report", "number", "language", name="uq_recommendations_report_number_language"),
        # `unpipe recs --addressee … --kind … --overdue` (and each filter alone) without a full scan.
        Index("ix_recommendations_addressee_kind_deadline_date", "addressee", "kind", "deadline_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(20))
    """``jiu``, ``acabq`` or ``ga_action``."""
    text: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str | None] = mapped_column(String(40))
    deadline_text: Mapped[str | None] = mapped_column(Text)
    deadline_kind: Mapped[str | None] = mapped_column(String(20))
    deadline_date: Mapped[date | None] = mapped_column(Date, index=True)
    deadline_session: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    """The document the text was taken from (the report itself when it is stored)."""
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    extractor: Mapped[str] = mapped_column(String(60))
    extractor_version: Mapped[str] = mapped_column(String(20))

    sources: Mapped[list[RecommendationSource]] = relationship(
        back_populates="recommendation", cascade="all, delete-orphan"
    )


class RecommendationSource(Base):
    """A document that makes or quotes a recommendation, with the response it records."""

    __tablename__ = "recommendation_sources"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "document_id", name="uq_recommendation_sources_rec_doc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    response_position: Mapped[str | None] = mapped_column(String(40))
    response_text: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    extractor: Mapped[str] = mapped_column(String(60))
    extractor_version: Mapped[str] = mapped_column(String(20))

    recommendation: Mapped[RecommendationRow] = relationship(back_populates="sources")


class StatusObservation(Base):
    """One row of a status table: what one organization reported, in one document, as of its date.

    A later report adds new observations; it never overwrites earlier ones.
    """

    __tablename__ = "status_entries"
    __table_args__ = (
        Index("ix_status_entries_report_number", "report", "number"),
        # `unpipe status --unmapped` looks labels up per organization and language.
        Index("ix_status_entries_org_lang_implementation_raw", "organization", "language", "implementation_raw"),
        Index("ix_status_entries_org_lang_acceptance_raw", "organization", "language", "acceptance_raw"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    organization: Mapped[str | None] = mapped_column(String(60), index=True)
    as_of: Mapped[date | None] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    report: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str | None] = mapped_column(String(40))
    acceptance: Mapped[str | None] = mapped_column(String(40))
    implementation: Mapped[str | None] = mapped_column(String(40))
    acceptance_raw: Mapped[str | None] = mapped_column(Text)
    implementation_raw: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(Text)
    due_text: Mapped[str | None] = mapped_column(Text)
    due_kind: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_session: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    extractor: Mapped[str] = mapped_column(String(60))
    extractor_version: Mapped[str] = mapped_column(String(20))
    remarks: Mapped[str | None] = mapped_column(Text)
    """The organization's own assessment or comment on the row, as printed."""
    previous_status: Mapped[str | None] = mapped_column(Text)
    """A printed note on the earlier status ("之前为“正在落实”"), kept apart from the status label."""


class TableRow(Base):
    __tablename__ = "tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(Text)
    header: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit: Mapped[str | None] = mapped_column(String(100))
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    extractor: Mapped[str] = mapped_column(String(60))
    extractor_version: Mapped[str] = mapped_column(String(20))

    cells: Mapped[list[TableCell]] = relationship(
        cascade="all, delete-orphan", order_by="(TableCell.row, TableCell.col)"
    )


class TableCell(Base):
    """A table cell as printed, with its parsed number (if it is one) and its box."""

    __tablename__ = "table_cells"
    __table_args__ = (Index("ix_table_cells_table_row_col", "table_id", "row", "col"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)


class StatusLabel(Base):
    """Status vocabulary: a printed label mapped to the canonical acceptance/implementation values."""

    __tablename__ = "status_vocabulary"
    __table_args__ = (
        UniqueConstraint("organization", "language", "label", name="uq_status_vocabulary_org_lang_label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization: Mapped[str] = mapped_column(String(60))
    """``*`` for every organization."""
    language: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(Text)
    acceptance: Mapped[str | None] = mapped_column(String(40))
    implementation: Mapped[str | None] = mapped_column(String(40))


class IngestItem(Base):
    """Where one wanted document stands in the ingest flow, so a crashed run resumes where it stopped."""

    __tablename__ = "ingest_items"
    __table_args__ = (UniqueConstraint("symbol", "language", name="uq_ingest_items_symbol_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20), index=True)
    """``discovered``, ``fetched``, ``parsed``, ``extracted``, ``loaded``, ``unavailable`` (no file in this
    language; asked again after ``unavailable_retry_days``) or ``failed``."""
    reason: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    job_number: Mapped[str | None] = mapped_column(String(20))
    """ODS job number of the last download, from the file name the access URL redirected to."""
    file_name: Mapped[str | None] = mapped_column(String(300))
    """Last path segment of the URL the last download came from."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SourceCursor(Base):
    """The last successful discovery run per source, for "new since the last run"."""

    __tablename__ = "source_cursors"

    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_success: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate compares only what the models declare: the search index, its FTS5 shadow tables and
    the derived ``status_current`` table are made by hand in migration 0002 and must not be dropped."""
    return not (type_ == "table" and reflected and compare_to is None)
