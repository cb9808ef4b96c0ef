"""Run extractors over a parsed document: each one's records, or the error that stopped it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from extractors.base import ExtractionContext, Extractor
from extractors.catalog import all_extractors
from extractors.lib.records import DocumentInfo, Record
from pipeline.core.document import ParsedDocument
from pipeline.core.errors import ExtractorError


@dataclass
class ExtractorRun:
    """What one extractor did on one document: its records, or the error that stopped it."""

    name: str
    version: str
    status: str  # "ok" or "failed"
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
