"""Flows run extractors on thread pools: concurrent extraction must give exactly the sequential records."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from extractors.apply import run_extractors
from pipeline.run.record import build_record
from tests.corpus import parsed

NAMES = ("A_80_604_Add.1.pdf", "A_77_256_Add.1.pdf", "JIU_REP_2025_2.pdf")


def test_concurrent_extraction_matches_sequential() -> None:
    docs = [parsed(name) for name in NAMES]
    sequential = [build_record(doc, run_extractors(doc)) for doc in docs]
    with ThreadPoolExecutor(max_workers=6) as pool:
        concurrent = list(pool.map(lambda d: build_record(d, run_extractors(d)), docs * 2))
    for record in concurrent:
        assert all(run["status"] != "failed" for run in record["extractors"].values()), record["extractors"]
    assert concurrent == sequential * 2
