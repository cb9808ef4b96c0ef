"""Ingest local files: parse → extract → keep the PDF in the file store → load. One document at a time,
each in its own transaction, so a bad file never harms what was stored before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from extractors.apply import run_extractors
from pipeline.core.errors import BadInputError, UnpipeError
from pipeline.fetch.filestore import FileStore
from pipeline.parse.pdf import parse_pdf, sha256_file
from pipeline.store.load import LoadResult, load_document, record_failure


@dataclass
class IngestSummary:
    """What an ingest run did, document by document."""

    results: list[tuple[Path, LoadResult]] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(result.status for _, result in self.results)

    @property
    def failures(self) -> list[tuple[Path, LoadResult]]:
        return [(path, r) for path, r in self.results if r.status == "failed" or r.reason]


def find_pdfs(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and the PDFs inside the folders named (recursively, in a stable order)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        elif path.is_file():
            yield path
        else:
            raise UnpipeError(f"no such file or folder: {path}", hint="check the path")


def ingest_file(engine: Engine, path: Path, files: FileStore) -> LoadResult:
    """Parse, extract and store one file; a bad file is recorded as failed with its reason."""
    try:
        doc = parse_pdf(path)
    except BadInputError as exc:
        return record_failure(engine, file_name=path.name, sha256=sha256_file(path), error=exc)
    extraction = run_extractors(doc)
    stored = files.put(path)
    return load_document(engine, doc, extraction, stored_path=str(stored.path))


def ingest_paths(
    engine: Engine,
    paths: Iterable[Path],
    files: FileStore,
    on_progress: Callable[[Path, LoadResult], None] | None = None,
) -> IngestSummary:
    summary = IngestSummary()
    for path in find_pdfs(paths):
        result = ingest_file(engine, path, files)
        summary.results.append((path, result))
        if on_progress is not None:
            on_progress(path, result)
    return summary
