"""Alembic environment: runs on the connection unpipe hands over (see ``pipeline.store.db.upgrade``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from models import Base, include_object

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """On the connection unpipe hands over (one transaction with what follows), else on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate_on(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _migrate_on(conn)


def _migrate_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
