"""Scale-out: the same flows on a Dask cluster (prefect-dask), with the store on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.databases import postgres_schema_url
from tests.flows_support import snapshot, use_settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture
def dask_address() -> Iterator[str]:
    """A local Dask cluster: two workers (threads in this process: processes would cost seconds each)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_ingest_and_reextract_on_dask_with_postgres(
    flow_settings: Any, dask_address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.catalog import get_extractor
    from flows.run import run_ingest, run_reextract
    from pipeline.run import stages

    parse_item = stages.parse_item
    seen: list[tuple[str, int]] = []

    def recording_parse_item(item: Any, settings: Any, *, workers: int = 0) -> Any:
        seen.append((threading.current_thread().name, workers))
        return parse_item(item, settings, workers=workers)

    monkeypatch.setattr(stages, "parse_item", recording_parse_item)

    with postgres_schema_url() as url:
        settings = flow_settings.model_copy(update={"database_url": url, "dask_address": dask_address})
        use_settings(monkeypatch, settings)

        report = run_ingest(sources=["jiu", "undl"], languages=["zh"])
        assert report.counts == {"loaded": 3}
        # Parsed on the Dask workers' threads, without a process pool of our own.
        assert len(seen) == 3 and all("Dask-Default-Threads" in name and workers == 0 for name, workers in seen), seen
        first = snapshot(url, settings.data_dir)
        assert len(first["documents"]) == 3 and len(first["parsed_layouts"]) == 3

        again = run_ingest(since=date(2000, 1, 1), sources=["jiu", "undl"], languages=["zh"])  # re-check all
        assert again.counts == {"unchanged": 3}
        assert snapshot(url, settings.data_dir) == first

        monkeypatch.setattr(get_extractor("jiu_comments"), "version", "99.0")
        redone = run_reextract()
        assert redone.failures == []
        assert redone.runs == {"jiu_comments": 3}
        runs = snapshot(url, settings.data_dir)["extraction_runs"]
        assert sum("extractor='jiu_comments', " in r and "version='99.0'" in r for r in runs) == 3
