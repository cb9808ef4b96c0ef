"""Fixtures of the query tests, as a plugin (``pytest_plugins = ["tests.query_store"]``) so that the
stores are built once per session for every test module that uses them. See tests/query_data.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.query_data import QueryStore, build_store


@pytest.fixture(scope="session")
def _stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, bool], QueryStore]]:
    """Built lazily, once per session; PostgreSQL schemas are dropped at the end."""
    with ExitStack() as stack:
        built: dict[tuple[str, bool], QueryStore] = {}

        class Lazy(dict[tuple[str, bool], QueryStore]):
            def __missing__(self, key: tuple[str, bool]) -> QueryStore:
                built[key] = build_store(key[0], tmp_path_factory, stack, gold=key[1])
                self[key] = built[key]
                return built[key]

        yield Lazy()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def gold_store(request: pytest.FixtureRequest, _stores: dict[tuple[str, bool], QueryStore]) -> QueryStore:
    """Corpus PDFs ingested with gold extraction records (plus the synthetic documents)."""
    return _stores[(request.param, True)]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def live_store(request: pytest.FixtureRequest, _stores: dict[tuple[str, bool], QueryStore]) -> QueryStore:
    """Corpus PDFs ingested with the registered extractors."""
    return _stores[(request.param, False)]


@pytest.fixture(scope="session")
def gold_sqlite_store(_stores: dict[tuple[str, bool], QueryStore]) -> QueryStore:
    """The gold store on SQLite only (Datasette reads SQLite files)."""
    return _stores[("sqlite", True)]
