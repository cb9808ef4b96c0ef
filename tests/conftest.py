"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import CORPUS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS
