"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import CORPUS

# The flow tests' session-wide Prefect harness and small-corpus stand-in: see tests/flows_support.py.
from tests.flows_support import flow_settings, prefect_harness, small_standin, small_standin_server

# The stand-in UN sites (ODS, Digital Library, JIU) on 127.0.0.1: see tests/standin.py.
from tests.standin import standin, standin_server, standin_settings

__all__ = [
    "corpus_dir",
    "flow_settings",
    "prefect_harness",
    "small_standin",
    "small_standin_server",
    "standin",
    "standin_server",
    "standin_settings",
]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS
