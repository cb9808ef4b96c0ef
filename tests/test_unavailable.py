"""Versions ODS does not have: recorded ``unavailable`` by the fetch stage and left alone for a while.

The stages are called directly (no Prefect): what is tested is the planning rule, on a real SQLite store
and the stand-in over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from models import IngestItem
from pipeline.core.settings import Settings
from pipeline.run import resources, stages
from tests.flows_support import ingest_items
from tests.standin import StandIn


@pytest.fixture
def watched(standin_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    watch = tmp_path / "watch.toml"
    watch.write_text('symbols = ["A/80/604/Add.1", "A/77/256/Add.1"]\n', encoding="utf-8")
    settings = standin_settings.model_copy(update={"watchlist_file": watch})
    resources.prepare(settings)
    yield settings
    resources.release_resources()


def _run(settings: Settings) -> dict[tuple[str, str], Any]:
    """Discover and fetch once; the fetch outcome of each planned item."""
    items = _planned(settings, sources=["watchlist"])
    return {i.key: stages.fetch_item(i, settings).outcome for i in items}


def test_an_unavailable_version_is_asked_again_only_after_the_interval(
    watched: Settings, standin: StandIn
) -> None:
    standin.missing_style.update({("A/80/604/Add.1", "zh"): "html", ("A/77/256/Add.1", "en"): "empty"})
    first = _run(watched)
    assert first == {("A/80/604/Add.1", "zh"): "unavailable", ("A/80/604/Add.1", "en"): "pending",
                     ("A/77/256/Add.1", "zh"): "pending", ("A/77/256/Add.1", "en"): "unavailable"}
    rows = ingest_items(watched.resolved_database_url)
    assert rows[("A/77/256/Add.1", "en")].state == "unavailable"
    assert rows[("A/77/256/Add.1", "en")].reason.startswith("unavailable: ")
    assert rows[("A/80/604/Add.1", "en")].job_number  # kept from the file ODS redirected to

    asked = len(standin.requests)
    second = _planned(watched, sources=["watchlist"])
    assert {i.key for i in second} == {("A/80/604/Add.1", "en"), ("A/77/256/Add.1", "zh")}  # fetched ones only
    assert len(standin.requests) == asked

    # A week later (or with the interval at 0) the missing versions are asked again.
    engine = resources.store_engine(watched.resolved_database_url)
    with engine.begin() as conn:
        conn.execute(update(IngestItem).values(updated_at=datetime.now(UTC) - timedelta(days=8)))
    later = {i.key for i in _planned(watched, sources=["watchlist"])}
    assert {("A/80/604/Add.1", "zh"), ("A/77/256/Add.1", "en")} <= later
    eager = watched.model_copy(update={"unavailable_retry_days": 0})
    assert len(_planned(eager, sources=["watchlist"])) == 4


def _planned(settings: Any, **kwargs: Any) -> list[Any]:
    """The run's plan as one list (the stages hand it out in batches)."""
    from pipeline.run import stages

    return [item for ids in stages.plan_batches(settings, **kwargs) for item in stages.load_batch(ids, settings)]
