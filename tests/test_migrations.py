"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from models import Base
from pipeline.db import include_object, upgrade
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

    from pipeline.db import alembic_config
    from tests.query_data import assert_counts_match_the_views, load_synthetic

    load_synthetic(migrated)
    config = alembic_config()
    with migrated.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    upgrade(migrated)
    assert sum(assert_counts_match_the_views(migrated).values()) == 3
