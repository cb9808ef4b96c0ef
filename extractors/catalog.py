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
from pipeline.core.registry import Registry

BUILTIN_EXTRACTORS: tuple[Extractor, ...] = (
    MetadataExtractor(),  # first: the others read the document's kind and symbol
    TablesExtractor(),
    StatusExtractor(),
    AcabqRecommendations(),
    JiuRecommendations(),
    JiuComments(),
    GaActions(),
)

_CATALOG: Registry[Extractor] = Registry(
    "extractor", BUILTIN_EXTRACTORS, duplicate=DuplicateExtractorError, unknown=UnknownExtractorError
)

register = _CATALOG.register
"""Add an extractor after the built-ins (run order is catalog order); duplicate names are refused."""
all_extractors = _CATALOG.all
get_extractor = _CATALOG.get
