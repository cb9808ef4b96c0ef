"""The extraction record of ../shared/spec/extraction-v1.md for one document."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from extractors.apply import Extraction
from extractors.lib.records import Recommendation, StatusEntry, TableRecord
from pipeline.core.document import ParsedDocument

SCHEMA = "unpipe.extraction/1"


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
        "end_page": table.end_page,
    }
