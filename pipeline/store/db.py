"""Database connections and schema migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import models
from pipeline.core.errors import (
    CorruptStoreError,
    MissingStoreError,
    NewerSchemaError,
    OlderSchemaError,
    StoreError,
    StoreNotWritableError,
)
from pipeline.core.locks import file_lock

MIGRATIONS = Path(models.__file__).resolve().parent / "migrations"


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for the store; for SQLite the folder is created and foreign keys are enforced.

    ``read_only`` (the query commands): nothing is created or written. A SQLite file that does not exist
    is ``MissingStoreError`` (never a new empty store); one in a folder this process may not write is
    opened immutable, since SQLite could not create its lock files there.
    """
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not read_only:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    if sqlite_file is not None and read_only:
        if not sqlite_file.is_file():
            raise MissingStoreError(f"no store at {sqlite_file}")
        immutable = "&immutable=1" if not os.access(sqlite_file.parent, os.W_OK) else ""
        uri = f"file:{quote(str(sqlite_file.resolve()))}?mode=ro{immutable}"
        engine = create_engine(url, future=True, creator=partial(sqlite3.connect, uri, uri=True,
                                                                 check_same_thread=False))
        event.listen(engine, "connect", partial(_sqlite_pragmas, read_only=True))
        return engine
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        return Path(url.removeprefix("sqlite:///").split("?")[0]).expanduser()
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, read_only: bool = False) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if not read_only:
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
    from pipeline.store.derived import fill_missing

    head = _head_revision()
    with engine.begin() as connection:
        if head is not None and _stored_revision(connection) == head:
            fill_missing(connection)  # the usual start: nothing to migrate, and alembic is never imported
            return
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        _check_schema(engine, connection, migrating=True)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        fill_missing(connection)


def _stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|[\"']([^\"']*)[\"'])\s*$", re.MULTILINE)


@functools.cache
def _head_revision() -> str | None:
    """The newest migration, read from the scripts' ``revision`` and ``down_revision`` lines; None when
    that is not plain (several heads, a merge, a line this does not read): alembic then decides.

    Why not alembic: importing it costs a no-op ``unpipe ingest`` a sixth of its CPU time.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((name, value) for name, _, value in _REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found or "down_revision" not in found or not found["revision"]:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def check_store(engine: Engine) -> None:
    """For a read-only command: the store exists and its schema is this code's, else a ``StoreError``
    saying what to do. Nothing is written (no migration, no lock file)."""
    with _reachable(engine), engine.connect() as connection:
        _check_schema(engine, connection, migrating=False)


def _check_schema(engine: Engine, connection: Connection, *, migrating: bool) -> None:
    from alembic.script import ScriptDirectory

    where = _where(engine)
    if not inspect(connection).has_table("alembic_version"):
        if migrating:
            return
        raise MissingStoreError(f"no store at {where}")
    version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    if version is None or version == head:
        if version is None and not migrating:
            raise MissingStoreError(f"no store at {where}")
        return
    known = {script.revision for script in scripts.walk_revisions()}
    if version not in known:
        raise NewerSchemaError(f"the store at {where} has schema {version}, newer than this unpipe's {head}")
    if not migrating:
        raise OlderSchemaError(f"the store at {where} has schema {version}, older than this unpipe's {head}")


def _where(engine: Engine) -> str:
    """The store named for a person: the SQLite file, else the URL without its password."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database:
        return database
    return engine.url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _reachable(engine: Engine) -> Iterator[None]:
    """Turn a connection failure, or a file that is no database, into a message that names the store."""
    try:
        yield
    except DatabaseError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        if "readonly" in reason or "read-only" in reason or getattr(exc.orig, "sqlstate", None) == "42501":
            raise StoreNotWritableError(f"cannot write the store at {_where(engine)}: {reason}") from None
        if engine.dialect.name == "sqlite" and ("not a database" in reason or "malformed" in reason):
            raise CorruptStoreError(f"{_where(engine)} is not a readable SQLite database: {reason}") from None
        if isinstance(exc, OperationalError):
            raise StoreError(f"cannot reach the database at {_where(engine)}: {reason}") from None
        raise


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One migration at a time across processes: two scheduled flows starting in the same minute on a
    new store otherwise both create its tables, and one fails (``table files already exists``).

    PostgreSQL: a session-level advisory lock. SQLite: an exclusive lock on a file beside the database.
    """
    with _store_lock(engine, str(_MIGRATION_LOCK_ID), ".migrate-lock"):
        yield


_MIGRATION_LOCK_ID = 0x756E70697065  # "unpipe"


@contextlib.contextmanager
def _store_lock(engine: Engine, advisory_key: str, suffix: str) -> Iterator[None]:
    """PostgreSQL: a session advisory lock on ``advisory_key`` (an SQL bigint expression). SQLite: an
    exclusive lock on the file beside the database named by ``suffix``. In memory: none."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({advisory_key})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({advisory_key})")
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with file_lock(Path(database).with_name(Path(database).name + suffix)):
        yield


@contextlib.contextmanager
def write_lock(engine: Engine) -> Iterator[None]:
    """One writing transaction at a time across the processes sharing a store.

    Each load reads what is stored (the file by its sha256, the document, its recommendations) and then
    inserts what is missing: two ``unpipe ingest`` processes doing so at once would both insert the same
    row (``UNIQUE constraint failed: files.sha256``). SQLite has one writer anyway, and a deferred
    transaction that read before another process committed fails at once (SQLITE_BUSY) instead of
    waiting: a lock file beside the database orders them. PostgreSQL: a session advisory lock keyed by
    the schema, so stores in other schemas of the database are not held up.
    """
    with _store_lock(engine, "hashtext('unpipe-write:' || current_schema())", ".write-lock"):
        yield


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


def open_store(url: str | None = None, *, read_only: bool = False) -> Engine:
    """The configured store, migrated to the newest schema; ``read_only`` (queries): checked, never
    created, migrated or written, so it works on a read-only file or folder and a SELECT-only role."""
    from pipeline.core.settings import get_settings

    engine = make_engine(url or get_settings().resolved_database_url, read_only=read_only)
    if read_only:
        check_store(engine)
    else:
        prepare_store(engine)
    return engine
