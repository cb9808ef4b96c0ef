"""Run the registered extractors over a parsed document and build the extraction record (spec v1)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from extractors.records import DocumentInfo, Recommendation, Record, StatusEntry, TableRecord
from extractors.registry import ExtractionContext, Extractor, SkipDocument, all_extractors
from pipeline.document import ParsedDocument
from pipeline.errors import ExtractorError

SCHEMA = "unpipe.extraction/1"


@dataclass
class ExtractorRun:
    """What one extractor did on one document: its records, or the error that stopped it."""

    name: str
    version: str
    status: str  # "ok", "skipped" or "failed"
    records: list[Record] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Extraction:
    """All extractor runs on one document, with the document information they agreed on."""

    document: DocumentInfo
    runs: list[ExtractorRun]

    def records(self, kind: type) -> list[Any]:
        return [r for run in self.runs for r in run.records if isinstance(r, kind)]


def run_extractors(doc: ParsedDocument, extractors: list[Extractor] | None = None) -> Extraction:
    """Run extractors in registry order. One failing extractor is recorded and the others still run."""
    context = ExtractionContext()
    runs: list[ExtractorRun] = []
    for extractor in extractors if extractors is not None else all_extractors():
        started = time.perf_counter()
        run = ExtractorRun(name=extractor.name, version=extractor.version, status="ok")
        try:
            for record in extractor.extract(doc, context):
                if isinstance(record, DocumentInfo):
                    context.document = record
                run.records.append(record)
        except SkipDocument:
            run.status = "skipped"
        except Exception as exc:  # an extractor bug must not lose the other extractors' results
            run.status = "failed"
            run.error = str(
                ExtractorError(
                    f"{type(exc).__name__}: {exc}", extractor=extractor.name, document=doc.file_name
                )
            )
            run.records = []
        run.seconds = round(time.perf_counter() - started, 4)
        runs.append(run)
    return Extraction(document=context.document, runs=runs)


def build_record(doc: ParsedDocument, extraction: Extraction) -> dict[str, Any]:
    """The JSON record of ../shared/spec/extraction-v1.md for one document."""
    info = extraction.document
    return {
        "schema": SCHEMA,
        "source": {"file": doc.file_name, "sha256": doc.sha256, "pages": doc.page_count},
        "document": {
            "symbol": info.symbol,
            "language": info.language,
            "kind": info.kind,
            "title": info.title,
            "session": info.session,
            "agenda_items": info.agenda_items,
            "date": info.date,
            "job_number": info.job_number,
            "references": info.references,
        },
        "recommendations": [_recommendation(r) for r in extraction.records(Recommendation)],
        "status_entries": [_status_entry(s) for s in extraction.records(StatusEntry)],
        "tables": [_table(t) for t in extraction.records(TableRecord)],
        "quality": {"flags": doc.quality_flags, "parser_version": doc.parser_version},
        "extractors": {
            run.name: {"version": run.version, "status": run.status, "error": run.error}
            for run in extraction.runs
        },
    }


def _recommendation(rec: Recommendation) -> dict[str, Any]:
    out = asdict(rec)
    out["bbox"] = list(rec.bbox) if rec.bbox else None
    return out


def _status_entry(entry: StatusEntry) -> dict[str, Any]:
    out = asdict(entry)
    out["bbox"] = list(entry.bbox) if entry.bbox else None
    return out


def _table(table: TableRecord) -> dict[str, Any]:
    return {
        "page": table.page,
        "caption": table.caption,
        "header": table.header,
        "rows": table.rows,
        "bbox": list(table.bbox) if table.bbox else None,
        "unit": table.unit,
    }
