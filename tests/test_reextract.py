"""The reextract flow: only changed (or named) extractors run again, over stored layouts, no PDF read."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from extractors.catalog import get_extractor
from models import ExtractionRunRow
from tests.flows_support import snapshot, use_settings

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

    monkeypatch.setattr("pipeline.parse.pdf.parse_pdf", no_parsing)
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


# --- One pass per document ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def two_documents(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A store holding a Chinese and an English document, ingested by ``unpipe ingest``'s path (no Prefect)."""
    from pypdf import PdfReader, PdfWriter

    from pipeline.core.settings import get_settings
    from pipeline.run import resources
    from pipeline.run.files import ingest_paths
    from tests.corpus import CORPUS
    from tests.databases import migrated_engine, store_settings

    folder = tmp_path / "in"
    (folder / "zh").mkdir(parents=True)
    (folder / "en").mkdir()
    shutil.copyfile(CORPUS / "zh" / "A_77_256_Add.1.pdf", folder / "zh" / "A_77_256_Add.1.pdf")
    writer = PdfWriter()
    for page in PdfReader(CORPUS / "en" / "A_80_604_Add.1.pdf").pages[:2]:
        writer.add_page(page)
    with (folder / "en" / "A_80_604_Add.1.pdf").open("wb") as fh:
        writer.write(fh)
    with migrated_engine(request.param, tmp_path) as engine:
        settings = store_settings(engine, tmp_path / "data")
        use_settings(monkeypatch, settings)
        assert ingest_paths([folder], settings).counts == {"loaded": 2}
        yield settings
        resources.release_resources()
        get_settings.cache_clear()


def _latest(url: str) -> dict[tuple[str | None, str], str]:
    """(document symbol, extractor) → version of its latest run."""
    from models import Document
    from pipeline.store.db import make_engine, session_scope
    from pipeline.store.load import latest_versions

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            symbols: dict[int, str | None] = {d: s for d, s in session.execute(select(Document.id, Document.symbol))}
            return {(symbols[d], name): v for d, runs in latest_versions(session).items() for name, v in runs.items()}
    finally:
        engine.dispose()


def test_several_extractors_run_in_one_pass_and_one_write_per_document(
    two_documents: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.run import reextract as reextraction
    from pipeline.store import load

    settings = two_documents
    url = settings.resolved_database_url
    jobs = reextraction.plan_reextract(settings, ["jiu_comments", "metadata"])
    # Catalog order (metadata first: the others read it), every document, whatever the order asked in.
    assert [job.extractors for job in jobs] == [["metadata", "jiu_comments"]] * 2
    writes: list[list[str]] = []
    replace_runs = load.replace_runs

    def recording(engine: Any, document_id: int, extraction: Any, doc: Any) -> Any:
        writes.append([run.name for run in extraction.runs])
        return replace_runs(engine, document_id, extraction, doc)

    monkeypatch.setattr(load, "replace_runs", recording)
    before, runs_before = snapshot(url, settings.data_dir), _runs(url)

    results = reextraction.reextract_batch(jobs, settings)

    assert [r.status for r in results] == ["updated", "updated"]
    assert writes == [["metadata", "jiu_comments"]] * 2
    current = {name: get_extractor(name).version for name in ("metadata", "jiu_comments")}
    assert _runs(url) - runs_before == Counter({("metadata", current["metadata"]): 2,
                                                ("jiu_comments", current["jiu_comments"]): 2})
    # Same versions, same layout: every row but the run log is as it was.
    assert _without(snapshot(url, settings.data_dir), "extraction_runs") == _without(before, "extraction_runs")
    # Nothing changed since: a plan of changed extractors is empty (one query, no document read).
    assert reextraction.plan_reextract(settings) == []


def test_a_failing_extractor_keeps_its_earlier_output_and_a_failed_write_keeps_the_whole_document(
    two_documents: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.catalog import get_extractor
    from pipeline.run import reextract as reextraction

    settings = two_documents
    url = settings.resolved_database_url
    before, latest_before = snapshot(url, settings.data_dir), _latest(url)
    assert any("extractor='jiu_comments'" in row for row in before["recommendation_sources"])

    def broken(doc: Any, context: Any) -> Any:
        raise RuntimeError("extractor bug")

    comments = get_extractor("jiu_comments")
    monkeypatch.setattr(comments, "extract", broken)
    monkeypatch.setattr(get_extractor("ga_actions"), "version", "2.0")
    jobs = reextraction.plan_reextract(settings, ["jiu_comments", "ga_actions"])
    results = reextraction.reextract_batch(jobs, settings)

    assert [r.status for r in results] == ["failed", "failed"]
    assert all("extractor bug" in (r.error or "") for r in results)
    assert all(r.job.extractors == ["ga_actions"] for r in results)  # what was stored
    latest = _latest(url)
    assert {k: v for k, v in latest.items() if k[1] == "ga_actions"} == {
        (s, "ga_actions"): "2.0" for s, _ in latest_before}
    assert {k: v for k, v in latest.items() if k[1] != "ga_actions"} == {
        k: v for k, v in latest_before.items() if k[1] != "ga_actions"}  # jiu_comments at its old version: retried next time
    after = snapshot(url, settings.data_dir)
    assert after["recommendation_sources"] == before["recommendation_sources"]  # jiu_comments' rows kept

    # A write that fails part-way (a record the store has no table for) leaves the whole document as it was.
    monkeypatch.delattr(comments, "extract")
    monkeypatch.setattr(get_extractor("ga_actions"), "version", "3.0")

    def unstorable(doc: Any, context: Any) -> Any:
        yield object()

    monkeypatch.setattr(get_extractor("tables"), "extract", unstorable)
    monkeypatch.setattr(get_extractor("tables"), "version", "9.0")
    jobs = reextraction.plan_reextract(settings)
    assert [job.extractors for job in jobs] == [["tables", "ga_actions"]] * 2
    results = reextraction.reextract_batch(jobs, settings)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("TypeError" in (r.error or "") and r.counts is None for r in results)
    assert snapshot(url, settings.data_dir) == after
    assert _latest(url) == latest


def test_reextract_all_from_the_command_line(flow_settings: Any) -> None:
    from typer.testing import CliRunner

    from extractors.catalog import all_extractors
    from flows.run import run_ingest
    from pipeline.cli.app import app

    assert run_ingest(sources=["jiu"]).counts == {"loaded": 3}
    url = flow_settings.resolved_database_url
    before = _runs(url)

    idle = CliRunner().invoke(app, ["reextract"])
    assert (idle.exit_code, idle.output.strip()) == (0, "0 document(s) re-extracted: nothing to do")

    done = CliRunner().invoke(app, ["reextract", "--all"])

    assert done.exit_code == 0, done.output
    names = sorted(e.name for e in all_extractors())
    assert " ".join(done.output.split()) == "3 document(s) re-extracted: " + ", ".join(f"{n} ×3" for n in names)
    assert _runs(url) - before == Counter({(e.name, e.version): 3 for e in all_extractors()})


def test_reextract_without_a_prefect_server_writes_what_the_flow_writes(
    two_documents: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PREFECT_API_URL (and Dask) ``unpipe reextract`` runs the flow's functions in its own
    process: the same records, runs and summary as the flow; unchanged since, a second has nothing to do."""
    from typer.testing import CliRunner

    import flows.run
    from extractors.catalog import all_extractors
    from pipeline.cli.app import app

    settings = two_documents
    url = settings.resolved_database_url
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    names = sorted(e.name for e in all_extractors())
    runs_before = _runs(url)

    def no_flow(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the Prefect flow ran")

    with monkeypatch.context() as patched:
        patched.setattr(flows.run, "run_reextract", no_flow)
        here = CliRunner().invoke(app, ["reextract", "--all"])
    assert here.exit_code == 0, here.output
    assert " ".join(here.output.split()) == "2 document(s) re-extracted: " + ", ".join(f"{n} ×2" for n in names)
    after_here, runs_here = snapshot(url, settings.data_dir), _runs(url)
    every = Counter({(e.name, e.version): 2 for e in all_extractors()})
    assert runs_here - runs_before == every

    by_flow = flows.run.run_reextract(names)

    assert by_flow.failures == [] and by_flow.runs == dict.fromkeys(names, 2)
    after_flow = snapshot(url, settings.data_dir)
    assert _without(after_flow, "extraction_runs") == _without(after_here, "extraction_runs")
    assert _runs(url) - runs_here == every

    idle = CliRunner().invoke(app, ["reextract"])
    assert (idle.exit_code, idle.output.strip()) == (0, "0 document(s) re-extracted: nothing to do")
    assert snapshot(url, settings.data_dir) == after_flow
