"""Document metadata (symbol, language, kind, title, session, agenda items, date, job number, references).

Placeholder until the full extractor lands: language from the parser's hint only.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors.records import DocumentInfo, Record
from extractors.registry import ExtractionContext, registered
from pipeline.document import ParsedDocument


@registered
class MetadataExtractor:
    name = "metadata"
    version = "0.1"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        yield DocumentInfo(language=doc.language_hint)
