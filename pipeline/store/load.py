"""The one place where records become rows. Loads are idempotent and one transaction per document.

- ``load_document`` stores a parsed document and its extraction; loading the same file again with the
  same parser and extractor versions changes nothing.
- ``replace_runs`` swaps one or more extractors' output for a document in one transaction, so a reader
  never sees a half-updated document (used by re-extraction).
- ``record_failure`` keeps a bad file with its reason, touching nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, event, func, inspect, select
from sqlalchemy.orm import Session

from extractors.apply import Extraction, ExtractorRun
from extractors.lib.records import Deadline, DocumentInfo, Recommendation, StatusEntry, TableRecord
from extractors.lib.vocabulary import organization_of
from models import (
    Base,
    Document,
    ExtractionRunRow,
    PageRow,
    ParagraphRow,
    ParsedLayout,
    RecommendationRow,
    RecommendationSource,
    Reference,
    StatusObservation,
    StoredFile,
    TableCell,
    TableRow,
)
from pipeline.core.document import ParsedDocument
from pipeline.core.errors import BadInputError
from pipeline.store.db import session_scope
from pipeline.store.derived import refresh_document


@dataclass
class LoadResult:
    """What happened to one document in the store."""

    document_id: int
    symbol: str | None
    language: str | None
    status: str
    """``inserted``, ``updated``, ``unchanged`` or ``failed``."""
    counts: dict[str, int] = field(default_factory=dict)
    reason: str | None = None


def load_document(
    engine: Engine,
    doc: ParsedDocument,
    extraction: Extraction,
    *,
    stored_path: str | None = None,
    source_url: str | None = None,
    layout: bytes | None = None,
) -> LoadResult:
    """Store one parsed and extracted document; a no-op when the same file was loaded the same way.

    ``layout``: ``doc.to_bytes()`` when the caller holds it already (the layout cache file the parse
    stage wrote), stored as it is: serialising a large document again costs the loading process more
    than the rest of its load.
    """
    extraction = without_nul(extraction)
    info = extraction.document
    with _loading(engine) as session:
        document = _find_document(session, info, doc.sha256)
        if document is not None and _unchanged(session, document, doc, extraction):
            return LoadResult(document.id, document.symbol, document.language, "unchanged")
        status = "inserted" if document is None else "updated"
        stored = _stored_file(session, doc, stored_path, source_url)
        if document is None:
            document = Document(sha256=doc.sha256, file_name=doc.file_name)
            session.add(document)
        _set_document_fields(document, info, doc, stored)
        session.flush()
        _replace_layout(session, document, doc, doc.to_bytes() if layout is None else layout)
        counts = _apply_runs(session, document, extraction.runs)
        return LoadResult(document.id, document.symbol, document.language, status, counts)


def replace_runs(engine: Engine, document_id: int, extraction: Extraction, doc: ParsedDocument) -> LoadResult:
    """Swap the given extractors' output for one stored document, in one transaction."""
    extraction = without_nul(extraction)
    with _loading(engine) as session:
        document = session.get(Document, document_id)
        if document is None:
            raise LookupError(f"document {document_id} is not in the store")
        language = document.language  # the paragraphs' index rows carry it
        if any(run.name == "metadata" for run in extraction.runs):
            _set_document_fields(document, extraction.document, doc, document.file)
        counts = _apply_runs(session, document, extraction.runs, paragraphs=document.language != language)
        return LoadResult(document.id, document.symbol, document.language, "updated", counts)


def record_failure(
    engine: Engine, *, file_name: str, sha256: str, error: BadInputError, parser_version: str | None = None
) -> LoadResult:
    """Keep a file that could not be parsed, with its reason and the parser version that refused it
    (the same bytes fail the same way under that version: ``unpipe ingest`` does not parse them again).
    Documents stored before are not touched."""
    with _loading(engine) as session:
        document = session.scalars(
            select(Document).where(Document.sha256 == sha256).order_by(Document.id)
        ).first()
        if document is not None and document.status == "loaded":
            # The same bytes loaded fine before (an older parser?): keep the good record.
            return LoadResult(document.id, document.symbol, document.language, "unchanged")
        status = "failed"
        if document is None:
            document = Document(sha256=sha256, file_name=file_name)
            session.add(document)
        elif (document.failure_reason, document.error, document.parser_version) == (
                error.reason, str(error), parser_version):
            return LoadResult(document.id, None, None, "unchanged", reason=error.reason)
        document.file_name = file_name
        document.status = "failed"
        document.failure_reason = error.reason
        document.error = str(error)
        document.parser_version = parser_version
        session.flush()
        return LoadResult(document.id, None, None, status, reason=error.reason)


@contextmanager
def _loading(engine: Engine) -> Iterator[Session]:
    """A load's transaction, every text it writes without NUL characters (see ``without_nul``)."""
    with session_scope(engine) as session:
        event.listen(session, "before_flush", _strip_rows)
        yield session


def without_nul(value: Any) -> Any:
    """``value`` with every NUL character removed from its texts (dataclasses, lists, tuples, dicts walked).

    PostgreSQL refuses NUL in text and JSON (``DataError``), and a PDF can carry one in any string; in
    SQLite it would cut the text short for most readers. Returns ``value`` itself when nothing changed.
    """
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if value is None or isinstance(value, int | float):  # most leaves: numbers (boxes), none of the tests below
        return value
    if isinstance(value, list | tuple):
        cleaned = [without_nul(v) for v in value]
        if all(a is b for a, b in zip(cleaned, value, strict=True)):
            return value
        return type(value)(cleaned) if isinstance(value, list) else tuple(cleaned)
    if isinstance(value, dict):
        pairs = {without_nul(k): without_nul(v) for k, v in value.items()}
        return value if all(pairs.get(k) is v for k, v in value.items()) else pairs
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: new for f in dataclasses.fields(value) if f.init
                   and (new := without_nul(old := getattr(value, f.name))) is not old}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _strip_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Before rows are written: NUL out of every text and JSON column of new or changed rows (the parsed
    layout's pages and paragraphs included, which the records do not carry)."""
    for row in (*session.new, *session.dirty):
        for attribute in inspect(row).mapper.column_attrs:
            old = getattr(row, attribute.key)
            new = without_nul(old)
            if new is not old:
                setattr(row, attribute.key, new)


def _find_document(session: Session, info: DocumentInfo, sha256: str) -> Document | None:
    if info.symbol and info.language:
        found = session.scalars(
            select(Document).where(Document.symbol == info.symbol, Document.language == info.language)
        ).first()
        if found is not None:
            return found
    return session.scalars(select(Document).where(Document.sha256 == sha256).order_by(Document.id)).first()


def _unchanged(session: Session, document: Document, doc: ParsedDocument, extraction: Extraction) -> bool:
    if document.status != "loaded" or document.sha256 != doc.sha256:
        return False
    if document.parser_version != doc.parser_version:
        return False
    return current_versions(session, document.id) == {run.name: run.version for run in extraction.runs}


def current_versions(session: Session, document_id: int) -> dict[str, str]:
    """The version of each extractor whose output is stored for a document (its latest run)."""
    return latest_versions(session, [document_id]).get(document_id, {})


def latest_versions(session: Session, document_ids: Iterable[int] | None = None) -> dict[int, dict[str, str]]:
    """Per document, the version of each extractor's latest stored run: one query for many documents
    (``None``: every document), so planning a run or a re-extraction never asks once per document."""
    latest = select(ExtractionRunRow.document_id, ExtractionRunRow.extractor,
                    func.max(ExtractionRunRow.id).label("id"))
    if document_ids is not None:
        latest = latest.where(ExtractionRunRow.document_id.in_(list(document_ids)))
    chosen = latest.group_by(ExtractionRunRow.document_id, ExtractionRunRow.extractor).subquery()
    rows = session.execute(
        select(ExtractionRunRow.document_id, ExtractionRunRow.extractor, ExtractionRunRow.version).join(
            chosen, ExtractionRunRow.id == chosen.c.id
        )
    )
    out: dict[int, dict[str, str]] = {}
    for document_id, name, version in rows:
        out.setdefault(document_id, {})[name] = version
    return out


def _stored_file(
    session: Session, doc: ParsedDocument, stored_path: str | None, source_url: str | None
) -> StoredFile:
    stored = session.scalars(select(StoredFile).where(StoredFile.sha256 == doc.sha256)).first()
    if stored is None:
        stored = StoredFile(sha256=doc.sha256, size=0, file_name=doc.file_name)
        session.add(stored)
    stored.path = stored_path or stored.path
    stored.source_url = source_url or stored.source_url
    if stored_path:
        stored.size = Path(stored_path).stat().st_size
    session.flush()
    return stored


def _set_document_fields(
    document: Document, info: DocumentInfo, doc: ParsedDocument, stored: StoredFile | None
) -> None:
    document.symbol = info.symbol
    document.language = info.language
    document.kind = info.kind
    document.title = info.title
    document.session = info.session
    document.agenda_items = list(info.agenda_items)
    document.date = _iso_date(info.date)
    document.job_number = info.job_number
    document.sha256 = doc.sha256
    document.file_name = doc.file_name
    document.file_id = stored.id if stored is not None else None
    document.page_count = doc.page_count
    document.status = "loaded"
    document.failure_reason = None
    document.error = None
    document.quality_flags = doc.quality_flags
    document.parser_version = doc.parser_version


def _replace_layout(session: Session, document: Document, doc: ParsedDocument, layout: bytes) -> None:
    """The document's layout, pages and paragraphs in place of those it had. Pages and paragraphs go in
    as one multi-row INSERT each (NUL removed, as ``_strip_rows`` does for ORM rows): a unit of work
    over hundreds of ORM objects per document costs more than building them."""
    session.execute(delete(PageRow).where(PageRow.document_id == document.id))
    session.execute(delete(ParagraphRow).where(ParagraphRow.document_id == document.id))
    session.execute(delete(ParsedLayout).where(ParsedLayout.document_id == document.id))
    session.add(ParsedLayout(document_id=document.id, parser_version=doc.parser_version, sha256=doc.sha256,
                             layout=layout))
    pages = [
        {
            "document_id": document.id,
            "number": page.number,
            "text": page.text(("body",)),
            "footnotes": page.text(("footnote",)),
            "width": page.width,
            "height": page.height,
            "chars": page.quality.chars,
            "cid_share": page.quality.cid_share,
            "replacement_share": page.quality.replacement_share,
            "image_area_share": page.quality.image_area_share,
            "quality_flags": list(page.quality.flags),
        }
        for page in doc.pages
    ]
    _insert_rows(session, PageRow, without_nul(pages))
    paragraphs = [
        {"document_id": document.id, "seq": seq, "page": p.page, "role": p.role, "number": p.number,
         "text": p.text, "bbox": list(p.bbox)}
        for seq, p in enumerate(doc.paragraphs)
        if p.role != "masthead"
    ]
    _insert_rows(session, ParagraphRow, without_nul(paragraphs))


def _insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Rows of one table by executemany of its Core INSERT, one per run of rows with the same keys (a
    None is stored as the ORM stored it: SQL NULL, JSON null in a JSON column). Not the ORM's bulk
    INSERT, which leaves None values of other columns out and so starts a new statement wherever a
    row with one follows a row without: paragraphs with and without a number, table cells with and
    without a value, dozens to thousands of statements a document."""
    statement = cast(Table, model.__table__).insert()
    for _, run in itertools.groupby(rows, key=lambda row: row.keys()):
        session.execute(statement, list(run))


def _apply_runs(
    session: Session, document: Document, runs: list[ExtractorRun], *, paragraphs: bool = True
) -> dict[str, int]:
    """Swap the runs' output in (their earlier output deleted first) and refresh the derived tables;
    ``paragraphs=False``: the document's paragraphs did not change, their index rows stay."""
    counts: dict[str, int] = {}
    cells: list[tuple[TableRow, list[dict[str, Any]]]] = []
    references: list[dict[str, Any]] = []
    _delete_output(session, document.id, [run.name for run in runs])
    for run in runs:
        for seq, record in enumerate(run.records):
            kind = _add_record(session, document, run, record, seq, cells, references)
            counts[kind] = counts.get(kind, 0) + 1
    session.flush()
    # Rows nothing else points at (the runs' NUL is gone: ``without_nul`` cleaned the extraction).
    _insert_rows(session, ExtractionRunRow, [
        {"document_id": document.id, "extractor": run.name, "version": run.version, "status": run.status,
         "error": run.error, "records": len(run.records), "seconds": run.seconds}
        for run in runs
    ])
    _insert_rows(session, Reference, references)
    _insert_rows(session, TableCell, [{**cell, "table_id": table.id} for table, rows in cells for cell in rows])
    dropped = _drop_orphan_recommendations(session)
    refresh_document(session, document.id, dropped, paragraphs=paragraphs)
    return counts


def _delete_output(session: Session, document_id: int, extractors: list[str]) -> None:
    """One statement per output table for all the given extractors (not one per extractor and table)."""
    if not extractors:
        return
    for model in (Reference, RecommendationSource, StatusObservation, TableRow):
        session.execute(delete(model).where(model.document_id == document_id, model.extractor.in_(extractors)))


def _add_record(
    session: Session, document: Document, run: ExtractorRun, record: Any, seq: int,
    cells: list[tuple[TableRow, list[dict[str, Any]]]], references: list[dict[str, Any]],
) -> str:
    """Add one record's rows; a table's cells go into ``cells``, written once the table rows have ids,
    and cited symbols into ``references``, written with the runs."""
    provenance = {"extractor": run.name, "extractor_version": run.version}
    if isinstance(record, DocumentInfo):
        references.extend({"document_id": document.id, "symbol": symbol, **provenance}
                          for symbol in sorted(set(record.references)))
        return "references"
    if isinstance(record, Recommendation):
        _add_recommendation(session, document, record, provenance)
        return "recommendations"
    if isinstance(record, StatusEntry):
        session.add(_status_row(document, record, seq, provenance))
        return "status_entries"
    if isinstance(record, TableRecord):
        table = _table_row(document, record, seq, provenance)
        session.add(table)
        cells.append((table, _table_cells(record)))
        return "tables"
    raise TypeError(f"the store has no table for {type(record).__name__} records")


def _add_recommendation(
    session: Session, document: Document, rec: Recommendation, provenance: dict[str, str]
) -> None:
    language = document.language or "und"
    row = session.scalars(
        select(RecommendationRow).where(
            RecommendationRow.report == rec.report,
            RecommendationRow.number == rec.number,
            RecommendationRow.language == language,
        )
    ).first()
    is_own = document.symbol == rec.report
    if row is None:
        row = RecommendationRow(report=rec.report, number=rec.number, language=language)
        session.add(row)
    if row.id is None or is_own or row.document_id is None or row.document_id == document.id:
        row.kind = rec.kind
        row.text = rec.text
        row.addressee = rec.addressee
        _set_deadline(row, "deadline", rec.deadline)
        row.document_id = document.id
        row.page = rec.page
        row.bbox = list(rec.bbox) if rec.bbox else None
        row.extractor = provenance["extractor"]
        row.extractor_version = provenance["extractor_version"]
    session.flush()
    session.add(
        RecommendationSource(
            recommendation_id=row.id,
            document_id=document.id,
            text=rec.text,
            response_position=rec.response.position if rec.response else None,
            response_text=rec.response.text if rec.response else None,
            page=rec.page,
            bbox=list(rec.bbox) if rec.bbox else None,
            **provenance,
        )
    )


def _drop_orphan_recommendations(session: Session) -> set[str]:
    """A recommendation no document makes or quotes any more is removed; returns the reports it had."""
    orphans = session.execute(select(RecommendationRow.id, RecommendationRow.report).where(
        RecommendationRow.id.not_in(select(RecommendationSource.recommendation_id)))).all()
    if orphans:
        session.execute(delete(RecommendationRow).where(RecommendationRow.id.in_([row.id for row in orphans])))
    return {row.report for row in orphans}


def _status_row(
    document: Document, entry: StatusEntry, seq: int, provenance: dict[str, str]
) -> StatusObservation:
    row = StatusObservation(
        document_id=document.id,
        organization=organization_of(document.symbol),
        as_of=document.date,
        seq=seq,
        report=entry.report,
        number=entry.number,
        language=document.language,
        text=entry.text,
        addressee=entry.addressee,
        acceptance=entry.acceptance,
        implementation=entry.implementation,
        acceptance_raw=entry.acceptance_raw,
        implementation_raw=entry.implementation_raw,
        responsible=entry.responsible,
        remarks=entry.remarks,
        previous_status=entry.previous_status,
        page=entry.page,
        bbox=list(entry.bbox) if entry.bbox else None,
        **provenance,
    )
    _set_deadline(row, "due", entry.due)
    return row


def _table_row(document: Document, table: TableRecord, seq: int, provenance: dict[str, str]) -> TableRow:
    return TableRow(
        document_id=document.id,
        seq=seq,
        page=table.page,
        caption=table.caption,
        header=list(table.header),
        unit=table.unit,
        bbox=list(table.bbox) if table.bbox else None,
        **provenance,
    )


def _table_cells(table: TableRecord) -> list[dict[str, Any]]:
    """A table's ``table_cells`` rows, without their ``table_id``."""
    from pipeline.core.numbers import parse_number

    out = []
    for r, cells in enumerate(table.rows):
        for c, text in enumerate(cells):
            bbox = None
            if r < len(table.cell_bboxes) and c < len(table.cell_bboxes[r]):
                box = table.cell_bboxes[r][c]
                bbox = list(box) if box else None
            out.append({"row": r, "col": c, "text": text, "value": parse_number(text), "bbox": bbox})
    return out


def _set_deadline(row: Any, prefix: str, deadline: Deadline | None) -> None:
    setattr(row, f"{prefix}_text", deadline.text if deadline else None)
    setattr(row, f"{prefix}_kind", deadline.kind if deadline else None)
    setattr(row, f"{prefix}_date", _iso_date(deadline.date) if deadline else None)
    setattr(row, f"{prefix}_session", deadline.session if deadline else None)


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


