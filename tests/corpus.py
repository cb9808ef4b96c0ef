"""Where the shared corpus lives, and corpus documents parsed once per test session."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.core.document import ParsedDocument

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("UNPIPE_SHARED_DIR", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
GOLD = CORPUS / "gold"
BENCH = SHARED / "bench"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_pdf(name: str) -> Path:
    """A corpus PDF by file name, from any language folder; skips the test if the corpus is absent."""
    for folder in ("en", "zh", "other"):
        path = CORPUS / folder / name
        if path.exists():
            return path
    if (FIXTURES / name).exists():
        return FIXTURES / name
    pytest.skip(f"corpus file {name} not found under {CORPUS}")


@lru_cache(maxsize=64)
def _parse_cached(path: str) -> ParsedDocument:
    from pipeline.parse.pdf import parse_pdf

    return parse_pdf(path)


def parsed(name: str) -> ParsedDocument:
    """A corpus PDF parsed once per test session (parsing is the slow part of most tests)."""
    return _parse_cached(str(corpus_pdf(name)))
