"""The built-in extractors, in run order. Importing this module registers them."""

from extractors import metadata  # noqa: F401  # first: the others read the document's kind and symbol

# isort: split
from extractors import status, tables  # noqa: F401  # tables, status_entries (spec: tables, status_entries)

# isort: split
from extractors import acabq, jiu, sg  # noqa: F401  # recommendations (spec: recommendations)
