"""The one registry of extractors. Built-ins register exactly like newcomers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from extractors.records import DocumentInfo, Record
from pipeline.document import ParsedDocument
from pipeline.errors import DuplicateExtractorError, UnknownExtractorError


class SkipDocument(Exception):
    """Raised by an extractor that does not apply to a document; not an error."""


@dataclass
class ExtractionContext:
    """What earlier extractors found, for the ones that need it (most need the document's kind and symbol)."""

    document: DocumentInfo = field(default_factory=DocumentInfo)


class Extractor(Protocol):
    """A unit that reads a parsed document and yields typed records; it never touches the database."""

    name: str
    version: str

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]: ...


_REGISTRY: dict[str, Extractor] = {}


def register(extractor: Extractor) -> Extractor:
    """Add an extractor to the registry; run order is registration order."""
    if extractor.name in _REGISTRY:
        raise DuplicateExtractorError(f"an extractor named {extractor.name!r} is already registered")
    _REGISTRY[extractor.name] = extractor
    return extractor


def registered(cls: Callable[[], Extractor]) -> Callable[[], Extractor]:
    """Class decorator: instantiate and register."""
    register(cls())
    return cls


def all_extractors() -> list[Extractor]:
    _load_builtins()
    return list(_REGISTRY.values())


def get_extractor(name: str) -> Extractor:
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(_REGISTRY)
        raise UnknownExtractorError(f"no extractor named {name!r}; valid names: {valid}") from None


def _load_builtins() -> None:
    """Import the built-in extractor modules, which register themselves on import."""
    import extractors.builtin  # noqa: F401
