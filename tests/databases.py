"""Real databases for tests: a SQLite file, and a fresh schema in the PostgreSQL ``test`` database."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from sqlalchemy import Engine

if TYPE_CHECKING:
    from pipeline.core.settings import Settings

PG_BASE = os.environ.get("UNPIPE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    dsn = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    import psycopg

    why = _pg_reachable()
    if why is not None:
        pytest.skip(f"no PostgreSQL server reachable at {PG_BASE}: {why}")
    schema = f"unpipe_test_{uuid.uuid4().hex[:10]}"
    dsn = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def migrated_engine(kind: str, folder: Path) -> Iterator[Engine]:
    """A migrated, empty store: a SQLite file in ``folder`` or a fresh PostgreSQL schema."""
    from pipeline.store.db import make_engine, upgrade

    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{folder / 'store.db'}"
            if kind == "sqlite"
            else stack.enter_context(postgres_schema_url())
        )
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def store_settings(engine: Engine, folder: Path) -> Settings:
    """Settings whose store is ``engine``'s database and whose data (file store, layouts) is ``folder``."""
    from pipeline.core.settings import Settings

    return Settings(database_url=engine.url.render_as_string(hide_password=False), data_dir=folder)
