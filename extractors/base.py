"""What every extractor shares: the ``Extractor`` protocol and the context earlier extractors fill."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from extractors.lib.records import DocumentInfo, Record
from pipeline.core.document import ParsedDocument


@dataclass
class ExtractionContext:
    """What earlier extractors found, for the ones that need it (most need the document's kind and symbol)."""

    document: DocumentInfo = field(default_factory=DocumentInfo)


class Extractor(Protocol):
    """A unit that reads a parsed document and yields typed records; it never touches the database."""

    name: str
    version: str

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]: ...
