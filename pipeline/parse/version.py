"""The parser's version, apart from the parser: asking whether stored work is current must not import
pdfplumber and pdfium (a no-op ``unpipe ingest`` asks, and parses nothing)."""

from __future__ import annotations

from typing import Literal

ParserName = Literal["pdfium", "pdfplumber"]

PARSER_VERSION = "7"
"""The layout code's version; ``parser_version`` adds the parser that read the characters."""


def parser_version(parser: ParserName) -> str:
    """What a stored layout records as its parser version ("7+pdfium"): a layout is reused only by the
    same layout code *and* the same character reader, so switching ``UNPIPE_PARSER`` parses again."""
    return f"{PARSER_VERSION}+{parser}"
