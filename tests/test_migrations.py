"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from models import Base, include_object
from pipeline.store.db import upgrade
from tests.databases import migrated_engine


@pytest.fixture(params=["sqlite", "postgres"])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with migrated_engine(request.param, tmp_path) as engine:
        yield engine


def test_models_and_migrations_agree(migrated: Engine) -> None:
    with migrated.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_twice_is_a_no_op(migrated: Engine) -> None:
    upgrade(migrated)


def test_upgrading_a_filled_store_builds_its_count_tables(migrated: Engine) -> None:
    """A store filled before migration 0004 gets ``status_counts`` and ``status_label_counts`` on upgrade."""
    from alembic import command

    from pipeline.store.db import alembic_config
    from tests.query_data import assert_counts_match_the_views, load_synthetic

    load_synthetic(migrated)
    config = alembic_config()
    with migrated.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    upgrade(migrated)
    assert sum(assert_counts_match_the_views(migrated).values()) == 3


def test_stores_opened_together_seed_the_vocabulary_once(migrated: Engine) -> None:
    """Processes opening a migrated store at the same instant all find its vocabulary empty; seeding
    it must still happen once, not fail on the unique key in all but one of them (a CI failure)."""
    import multiprocessing

    from sqlalchemy import func, select

    from extractors.lib.vocabulary import current_vocabulary
    from models import StatusLabel

    url = migrated.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_open_at_once, args=(url, barrier, results)) for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join()
    assert outcomes == ["ok"] * 4
    with migrated.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(StatusLabel))
    assert stored == len(current_vocabulary().labels)


def _open_at_once(url: str, barrier: Any, results: Any) -> None:
    import alembic.command  # noqa: F401  (imported before the barrier, so all start the same instant)

    import pipeline.store.load  # noqa: F401
    from extractors.lib.vocabulary import current_vocabulary
    from pipeline.store.db import open_store

    current_vocabulary()
    barrier.wait()
    try:
        open_store(url).dispose()
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}"[:300])
    else:
        results.put("ok")


def test_the_head_revision_read_without_alembic_is_alembics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store at this head is prepared without importing alembic; with two heads alembic decides."""
    from alembic.script import ScriptDirectory

    from pipeline.store import db

    assert db._head_revision() == ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    versions = tmp_path / "versions"
    versions.mkdir()
    for name, revision, parent in (("a", "0001", "None"), ("b", "0002", '"0001"'), ("c", "0003", '"0001"')):
        (versions / f"{name}.py").write_text(f'revision = "{revision}"\ndown_revision = {parent}\n')
    monkeypatch.setattr(db, "MIGRATIONS", tmp_path)
    db._head_revision.cache_clear()
    try:
        assert db._head_revision() is None
        (versions / "c.py").unlink()
        db._head_revision.cache_clear()
        assert db._head_revision() == "0002"
    finally:
        db._head_revision.cache_clear()
