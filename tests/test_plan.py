"""A run's plan at scale: batches of ``ingest_items`` ids, items read per batch, reports that keep only
what changed or failed.

The stages are called directly (no Prefect) on a real SQLite store, against a stand-in serving a
generated Digital Library catalogue over HTTP (most records exist in no language: ``unavailable``).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.settings import Settings
from pipeline.run import resources, stages
from pipeline.run.items import KEPT_PER_OUTCOME, IngestReport, WorkItem
from tests.flows_support import ingest_items
from tests.standin import StandIn, generate_catalogue

RECORDS = 120
"""Records of the generated catalogue: 12 with an English PDF, the rest in no language."""


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[Settings]:
    corpus = tmp_path / "corpus"
    for folder in ("en", "zh"):
        (corpus / folder).mkdir(parents=True)
    with StandIn(corpus, generated=generate_catalogue(RECORDS)) as sites:
        settings = Settings(
            data_dir=tmp_path / "data", ods_base_url=sites.url, undl_base_url=sites.url, jiu_base_url=sites.url,
            http_requests_per_second=1000.0, http_retries=0, undl_page_size=50, batch_size=40, languages=["en"],
        )
        resources.prepare(settings)
        yield settings
        resources.release_resources()


def test_the_plan_is_batches_of_row_ids_and_each_batch_reads_its_items(catalogue: Settings) -> None:
    batches = stages.plan_batches(catalogue, sources=["undl"])

    rows = ingest_items(catalogue.resolved_database_url)
    assert len(rows) == RECORDS  # one English item per record
    assert [len(b) for b in batches] == [40, 40, 40]
    ids = [i for b in batches for i in b]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == RECORDS  # the plan holds ids, not items
    assert all(isinstance(b, array) and b.typecode == "q" for b in batches)  # packed: 8 bytes an item
    items = stages.load_batch(batches[0], catalogue)
    assert [i.key for i in items] == sorted(i.key for i in items) and len(items) == 40
    assert all(i.state == "discovered" and i.next_stage == "fetch" and i.path is None for i in items)
    assert {i.key for i in items} <= set(rows)


def test_a_batch_report_counts_unavailable_and_unchanged_items_without_keeping_them(catalogue: Settings) -> None:
    [batch, *_] = stages.plan_batches(catalogue, sources=["undl"])

    first = stages.run_batch(stages.load_batch(batch, catalogue), catalogue)

    assert first.total == 40 and first.counts["unavailable"] + first.counts["loaded"] == 40
    assert first.counts["loaded"] >= 1 and first.counts["unavailable"] >= 30
    assert {i.outcome for i in first.items} == {"loaded"}  # the unavailable ones only counted
    again = stages.run_batch(stages.load_batch(batch, catalogue), catalogue)
    assert again.items == [] and again.counts == {"unchanged": first.counts["loaded"],
                                                  "unavailable": first.counts["unavailable"]}
    assert again.summary_line().startswith(f"40 document(s): 0 loaded, {first.counts['loaded']} unchanged")


def test_unfinished_items_of_an_earlier_run_join_the_plan_once(catalogue: Settings) -> None:
    [batch, *_] = stages.plan_batches(catalogue, sources=["undl"])
    stages.run_batch(stages.load_batch(batch, catalogue), catalogue)  # the other 80 stay "discovered"
    narrower = catalogue.model_copy(update={"undl_max_records": 50})  # lists only the first page now

    again = [i for b in stages.plan_batches(narrower, sources=["undl"]) for i in b]

    states = {key: row.state for key, row in ingest_items(catalogue.resolved_database_url).items()}
    unfinished = sum(state == "discovered" for state in states.values())
    assert unfinished == 80 and len(again) == len(set(again))
    planned = {i.key for i in stages.load_batch(again, catalogue)}
    assert {k for k, s in states.items() if s == "discovered"} <= planned


def test_a_run_report_keeps_a_bounded_number_of_items_and_counts_the_rest() -> None:
    def batch(start: int, outcome: str) -> IngestReport:
        items = [WorkItem(f"A/80/{n:05d}", "en", "undl", None, "failed" if outcome == "failed" else "loaded",
                          outcome=outcome, pages=2, reason="http_500: boom" if outcome == "failed" else None)  # type: ignore[arg-type]
                 for n in range(start, start + 150)]
        return IngestReport(items).compact()

    report = IngestReport()
    for start, outcome in [(600, "failed"), (0, "failed"), (300, "loaded"), (900, "loaded"), (1200, "unavailable")]:
        report = IngestReport.merge([report, batch(start, outcome)])  # as a flow folds batches in

    assert report.counts == Counter(failed=300, loaded=300, unavailable=150) and report.total == 750
    assert len(report.failures) == KEPT_PER_OUTCOME and report.more_failures == 300 - KEPT_PER_OUTCOME
    first = sorted(f"A/80/{n:05d}" for n in [*range(0, 150), *range(600, 750)])[:KEPT_PER_OUTCOME]
    assert [i.symbol for i in report.failures] == first  # the first, whatever order the batches ended in
    assert len(report.items) == 2 * KEPT_PER_OUTCOME and report.pages == 2 * 750
    assert report.summary_line() == ("750 document(s): 300 loaded, 0 unchanged, 300 failed, "
                                     "150 not available in that language; 1500 page(s) parsed")
