"""The one catalog of extractors, in run order: an explicit tuple, so importing a module registers nothing.

Like camelot's parser table: built-ins are listed here, a newcomer joins with ``register`` and a
duplicate name is refused; ``get_extractor`` names the valid ones when asked for an unknown one.
"""

from __future__ import annotations

from extractors.acabq import AcabqRecommendations
from extractors.base import Extractor
from extractors.ga_actions import GaActions
from extractors.jiu import JiuComments, JiuRecommendations
from extractors.metadata import MetadataExtractor
from extractors.status import StatusExtractor
from extractors.tables import TablesExtractor
from pipeline.core.errors import DuplicateExtractorError, UnknownExtractorError

BUILTIN_EXTRACTORS: tuple[Extractor, ...] = (
    MetadataExtractor(),  # first: the others read the document's kind and symbol
    TablesExtractor(),
    StatusExtractor(),
    AcabqRecommendations(),
    JiuRecommendations(),
    JiuComments(),
    GaActions(),
)

_REGISTRY: dict[str, Extractor] = {extractor.name: extractor for extractor in BUILTIN_EXTRACTORS}


def register(extractor: Extractor) -> Extractor:
    """Add an extractor after the built-ins (run order is catalog order); duplicate names are refused."""
    if extractor.name in _REGISTRY:
        raise DuplicateExtractorError(f"an extractor named {extractor.name!r} is already registered")
    _REGISTRY[extractor.name] = extractor
    return extractor


def all_extractors() -> list[Extractor]:
    return list(_REGISTRY.values())


def get_extractor(name: str) -> Extractor:
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(_REGISTRY)
        raise UnknownExtractorError(f"no extractor named {name!r}; valid names: {valid}") from None
