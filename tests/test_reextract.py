"""The reextract flow: only changed (or named) extractors run again, over stored layouts, no PDF read."""

from __future__ import annotations

import shutil
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from models import ExtractionRunRow
from tests.flows_support import snapshot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

BUMPED = "jiu_comments"
"""Finds the Secretary-General's comments on JIU recommendations in A/77/256/Add.1 (Chinese)."""


def _runs(url: str) -> Counter[tuple[str, str]]:
    """(extractor, version) → how many runs are recorded."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(ExtractionRunRow.extractor, ExtractionRunRow.version)).all()
    engine.dispose()
    return Counter((name, version) for name, version in rows)


def _without(snap: dict[str, list[str]], *names: str) -> dict[str, list[str]]:
    return {table: rows for table, rows in snap.items() if table not in names}


def test_version_bump_reruns_only_that_extractor_without_reading_pdfs(
    flow_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.catalog import all_extractors, get_extractor
    from flows.run import run_ingest, run_reextract

    ingested = run_ingest(sources=["undl"])
    assert ingested.counts == {"loaded": 25}
    url, data = flow_settings.resolved_database_url, flow_settings.data_dir
    before_runs, before = _runs(url), snapshot(url, data)
    versions = {e.name: e.version for e in all_extractors()}
    documents = len(before["documents"])

    # Nothing changed: nothing to do.
    assert run_reextract().results == []
    assert _runs(url) == before_runs

    # No PDF may be read: the file store and layout cache are gone and the parser refuses to run.
    shutil.move(data / "files", data.parent / "files-moved")
    shutil.rmtree(data / "layouts", ignore_errors=True)

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("reextract parsed a PDF")

    monkeypatch.setattr("pipeline.parse.parse_pdf", no_parsing)
    monkeypatch.setattr(get_extractor(BUMPED), "version", "99.0")

    report = run_reextract()

    assert report.failures == []
    assert report.runs == {BUMPED: documents}
    added = _runs(url) - before_runs
    assert added == {(BUMPED, "99.0"): documents}
    after = snapshot(url, data)
    # Every other row is exactly as it was; the bumped extractor's rows changed only in their version.
    bumped = ("extraction_runs", "recommendations", "recommendation_sources")
    assert _without(after, *bumped) == _without(before, *bumped)
    for table in bumped[1:]:
        mine = [row for row in after[table] if f"extractor='{BUMPED}'" in row]
        assert mine and all("extractor_version='99.0'" in row for row in mine), table
        restored = sorted(r.replace("extractor_version='99.0'", f"extractor_version='{versions[BUMPED]}'")
                          for r in after[table])
        assert restored == before[table], table

    # Named: that extractor runs on every document although its version did not change.
    named = run_reextract(["ga_actions"])
    assert named.runs == {"ga_actions": documents}
    assert (_runs(url) - before_runs) == {(BUMPED, "99.0"): documents, ("ga_actions", versions["ga_actions"]): documents}
