"""The query commands over what the registered extractors produce (no gold records), on SQLite and
PostgreSQL: an integration check that the extractors' output and the views fit together.

Expectations are the gold's keys (report, number, symbol), not every field, so a wording change in an
extractor does not fail these tests; a missing recommendation or status row does.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.query_data import CORPUS_FILES, QueryStore, cli_json, gold_record

pytest_plugins = ["tests.query_store"]


def test_every_corpus_document_is_shown_under_its_symbol(live_store: QueryStore) -> None:
    for name in CORPUS_FILES:
        gold = gold_record(Path(name).stem)["document"]
        shown = cli_json(live_store, "show", gold["symbol"], "--section", "documents")
        assert [(d["symbol"], d["language"]) for d in shown] == [(gold["symbol"], gold["language"])]


def test_recommendations_match_the_gold_keys(live_store: QueryStore) -> None:
    for name in ("A_77_256_Add.1", "A_80_604_Add.1", "JIU_REP_2025_2", "A_80_596"):
        gold = gold_record(name)
        report = gold["recommendations"][0]["report"]
        rows = cli_json(live_store, "recs", "--report", report)
        assert [r["number"] for r in rows] == [g["number"] for g in gold["recommendations"]], name
        assert {r["language"] for r in rows} == {gold["document"]["language"]}


def test_status_rows_and_overdue_from_extracted_tables(live_store: QueryStore) -> None:
    rows = cli_json(live_store, "status", "--document", "WO/PBC/34/6", "--history")
    assert len(rows) == len(gold_record("WO_PBC_34_6")["status_entries"])
    assert {r["organization"] for r in rows} == {"WIPO"}
    latest = {r["number"]: r["implementation"] for r in cli_json(live_store, "status", "--report", "JIU/REP/2021/6")}
    assert latest == {"1": "implemented", "2": "implemented", "3": "implemented", "4": "in_progress",
                      "5": "implemented", "6": "implemented"}
    overdue = cli_json(live_store, "recs", "--overdue", "--as-of", "2026-11-22", "--report", "JIU/REP/2021/6")
    assert [r["number"] for r in overdue] == ["4"]


def test_stats_count_every_latest_observation(live_store: QueryStore) -> None:
    rows = cli_json(live_store, "stats", "--by", "organization", "--as-of", "2026-11-22")
    tracked = Counter({r["organization"]: r["tracked"] for r in rows})
    unicef = cli_json(live_store, "status", "--document", "E/ICEF/2025/14", "--history")
    assert tracked["WIPO"] == 51 and tracked["UNICEF"] == len({(r["report"], r["number"]) for r in unicef})


def test_unicef_status_rows_carry_the_gold_report_symbols(live_store: QueryStore) -> None:
    rows = cli_json(live_store, "status", "--document", "E/ICEF/2025/14", "--history")
    gold = gold_record("E_ICEF_2025_14")["status_entries"]
    assert sorted((r["report"], r["number"]) for r in rows) == sorted((g["report"], g["number"]) for g in gold)


def test_search_over_extracted_recommendations(live_store: QueryStore) -> None:
    hits = cli_json(live_store, "search", "核心要素 利益攸关方", "--kind", "recommendation")
    assert hits and hits[0]["item"] == "JIU/REP/2021/6 rec. 1" and hits[0]["symbol"] == "A/77/256/Add.1"
    hits = cli_json(live_store, "search", "civilian personnel approval", "--kind", "recommendation")
    assert hits[0]["item"] == "A/80/604/Add.1 rec. 29"
