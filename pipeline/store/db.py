"""Database connections and schema migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import models
from pipeline.core.errors import StoreError

MIGRATIONS = Path(models.__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for the store; for SQLite the folder is created and foreign keys are enforced."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe to call at every start)."""
    with _reachable(engine), migration_lock(engine):
        _migrate(engine)


def prepare_store(engine: Engine) -> None:
    """Migrate the store and make its ``status_vocabulary`` the extractor's, as one step under the
    migration lock: flows starting together on a new store would otherwise both seed the vocabulary,
    and one would fail on its unique key."""
    from extractors.lib.vocabulary import current_vocabulary
    from pipeline.store.vocabulary import sync_vocabulary

    with _reachable(engine), migration_lock(engine):
        _migrate(engine)
        sync_vocabulary(engine, current_vocabulary())


def _migrate(engine: Engine) -> None:
    from alembic import command

    from pipeline.store.derived import fill_missing

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        fill_missing(connection)


@contextlib.contextmanager
def _reachable(engine: Engine) -> Iterator[None]:
    """Turn a connection failure into a message that names the database."""
    try:
        yield
    except OperationalError as exc:
        raise StoreError(
            f"cannot reach the database at {engine.url.render_as_string(hide_password=True)}: {exc.orig}"
        ) from None


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One migration at a time across processes: two scheduled flows starting in the same minute on a
    new store otherwise both create its tables, and one fails (``table files already exists``).

    PostgreSQL: a session-level advisory lock. SQLite: an exclusive lock on a file beside the database.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK_ID})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK_ID})")
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    lock_file = Path(database).with_name(Path(database).name + ".migrate-lock")
    with lock_file.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_MIGRATION_LOCK_ID = 0x756E70697065  # "unpipe"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back otherwise."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def open_store(url: str | None = None) -> Engine:
    """The configured store, migrated to the newest schema."""
    from pipeline.core.settings import get_settings

    engine = make_engine(url or get_settings().resolved_database_url)
    prepare_store(engine)
    return engine
