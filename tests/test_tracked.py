"""Tracked recommendations (``tracked_v``, ``unpipe recs``) and the organizations' own words (``remarks``),
on stores built from corpus PDFs (SQLite and PostgreSQL); rows are checked against the PDFs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from extractors.apply import Extraction, ExtractorRun
from extractors.lib.records import Deadline, DocumentInfo, Recommendation, StatusEntry
from pipeline.store.load import load_document
from tests.corpus import parsed
from tests.databases import migrated_engine
from tests.query_data import (
    CORPUS_FILES,
    REMARKS_SUPPLEMENT,
    QueryStore,
    _synthetic_doc,
    cli,
    cli_json,
)

pytest_plugins = ["tests.query_store"]

AS_OF = "2026-11-22"
CLOSED = ("implemented", "not_relevant")


def pdf_text(symbol: str) -> str:
    """Everything the corpus PDF of a symbol prints (lines and table cells), without any white space."""
    name = next(n for n in CORPUS_FILES if n == symbol.replace("/", "_") + ".pdf")
    doc = parsed(name)
    parts = [line.text for page in doc.pages for line in page.lines]
    parts += [cell.text for page in doc.pages for table in page.tables for row in table.rows for cell in row if cell]
    return re.sub(r"\s+", "", "".join(parts))


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def test_overdue_lists_status_rows_as_well_as_recommendations(live_store: QueryStore) -> None:
    rows = cli_json(live_store, "recs", "--overdue", "--addressee", "executive_heads", "--as-of", AS_OF)
    origins = {r["origin"] for r in rows}
    assert origins == {"recommendation", "status"}, origins
    status_rows = [r for r in rows if r["origin"] == "status"]
    assert {r["status_organization"] for r in status_rows} >= {"UNICEF", "WIPO"}
    assert len(status_rows) >= 10
    for row in rows:
        assert row["kind"] != "ga_action" and row["addressee"] == "executive_heads"
        assert row["deadline_date"] < AS_OF and row["implementation"] not in CLOSED
        assert row["days_overdue"] > 0
    for row in status_rows:  # each as its status report prints it: the symbol, the text and the deadline
        printed = pdf_text(row["source_symbol"])
        assert squeeze(row["report"]) in printed
        assert squeeze(row["text"])[:30] in printed, row
        assert squeeze(row["deadline_text"]) in squeeze(row["text"]), row


def test_recs_lists_tracked_rows_in_natural_number_order(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--report", "JIU/REP/2023/7")  # UNICEF's rows only: 1 … 10
    numbers = [r["number"] for r in rows]
    assert numbers == sorted(numbers, key=int) and "10" in numbers, numbers
    assert {r["origin"] for r in rows} == {"status"} and {r["status_organization"] for r in rows} == {"UNICEF"}


def test_status_shows_the_organizations_assessment(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "status", "--report", "JIU/REP/2021/6", "--organization", "WIPO")
    supplement = REMARKS_SUPPLEMENT["WO_PBC_34_6"]
    printed = pdf_text("WO/PBC/34/6")
    found = {r["number"]: r["remarks"] for r in rows if r["document_symbol"] == "WO/PBC/34/6"}
    assert found == {number: text for (_, number), text in supplement.items() if number != "4"}
    for remark in found.values():
        assert squeeze(remark) in printed
    # The 2024 report is WIPO's latest on rec 4 and has no remark; the table shows every remark whole.
    table = cli(gold_store, "status", "--report", "JIU/REP/2021/6", "--organization", "wipo").stdout
    assert supplement[("JIU/REP/2021/6", "6")] in table
    shown = cli_json(gold_store, "show", "WO/PBC/34/6")["status"]
    assert supplement[("JIU/REP/2021/6", "6")] in {r["remarks"] for r in shown}


def test_search_finds_status_rows_by_their_remarks(gold_store: QueryStore) -> None:
    hits = cli_json(gold_store, "search", "内部监督司", "--kind", "status")
    assert hits and {h["kind"] for h in hits} == {"status"}
    assert {h["item"] for h in hits} >= {"JIU/REP/2021/6 rec. 5 (WIPO)", "JIU/REP/2021/6 rec. 6 (WIPO)"}
    assert all(h["symbol"] == "WO/PBC/34/6" for h in hits)


def test_recs_text_and_phrases(gold_store: QueryStore) -> None:
    phrase = cli_json(gold_store, "search", '"business continuity management"', "--language", "en")
    loose = cli_json(gold_store, "search", "management business continuity", "--language", "en")
    assert phrase and len(phrase) <= len(loose)
    assert all("business continuity management" in h["snippet"].replace("<b>", "").replace("</b>", "").lower()
               for h in phrase)
    reversed_phrase = cli_json(gold_store, "search", '"management continuity business"', "--language", "en")
    assert reversed_phrase == []


def test_history_is_by_date_within_each_recommendation(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "status", "--report", "JIU/REP/2021/6", "--history")
    numbers = list(dict.fromkeys(r["number"] for r in rows))
    assert numbers == sorted(numbers, key=int)
    for number in numbers:
        dates = [r["as_of"] for r in rows if r["number"] == number]
        assert dates == sorted(dates), (number, dates)
    assert [r["as_of"] for r in rows if r["number"] == "6"] == ["2021-07-01", "2022-06-27"]
    since = cli_json(gold_store, "status", "--report", "JIU/REP/2021/6", "--history", "--since", "2022-01-01",
                     "--until", "2022-12-31")
    assert {r["as_of"] for r in since} == {"2022-06-27"}


# --- a small store of its own: proposals, numbers without a number, dates out of order ---------------


@pytest.fixture(params=["sqlite", "postgres"])
def small_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueryStore]:
    with migrated_engine(request.param, tmp_path) as engine:
        _fill_small(engine)
        yield QueryStore(engine, engine.url.render_as_string(hide_password=False), request.param)


def _load(engine: Engine, symbol: str, kind: str, date: str, records: list[Any]) -> None:
    doc = _synthetic_doc(symbol.replace("/", "_"), [f"Synthetic test document {symbol}"], "en")
    info = DocumentInfo(symbol=symbol, language="en", kind=kind, title=f"Synthetic {symbol}", date=date)
    load_document(engine, doc, Extraction(info, [ExtractorRun("test", "1", "ok", [info, *records])]))


def _fill_small(engine: Engine) -> None:
    past = Deadline("by the end of 2020", "year_end", "2020-12-31")
    _load(engine, "A/99/1", "sg_report", "2021-01-10", [
        Recommendation(report="A/99/1", number=n, text=f"To take note of item {n} (synthetic)",
                       addressee="general_assembly", deadline=past, response=None, page=1,
                       kind="ga_action") for n in ("70(a)", "70(b)")])
    _load(engine, "JIU/REP/2019/99", "jiu_report", "2019-06-01", [
        Recommendation(report="JIU/REP/2019/99", number=n, text=f"Executive heads should do {n} (synthetic)",
                       addressee="executive_heads", deadline=past, response=None, page=1,
                       kind="jiu") for n in ("10", "2", "1")])
    # Two Board of Auditors rows without numbers, reported twice; the later report is loaded first.
    for symbol, date, state in (("A/99/5/LATER", "2023-07-01", "implemented"),
                                ("A/99/5/EARLIER", "2022-07-01", "in_progress")):
        _load(engine, symbol, "status_report", date, [
            StatusEntry(report="A/98/5", number=None, text=f"Board row {i} (synthetic)", implementation=state,
                        remarks=f"Board remark {i} {state}") for i in (1, 2)])


def test_overdue_leaves_proposals_out_unless_asked(small_store: QueryStore) -> None:
    rows = cli_json(small_store, "recs", "--overdue", "--as-of", AS_OF)
    assert [(r["report"], r["number"]) for r in rows] == [("JIU/REP/2019/99", n) for n in ("1", "2", "10")]
    both = cli_json(small_store, "recs", "--overdue", "--as-of", AS_OF, "--include-proposals")
    assert [(r["report"], r["number"]) for r in both][:2] == [("A/99/1", "70(a)"), ("A/99/1", "70(b)")]
    assert len(both) == 5


def test_rows_without_numbers_keep_apart(small_store: QueryStore) -> None:
    history = cli_json(small_store, "status", "--report", "A/98/5", "--history")
    assert len(history) == 4 and {r["number"] for r in history} == {None}
    keys = [r["key_number"] for r in history]
    assert len(set(keys)) == 4  # every unnumbered row is its own history
    tracked = cli_json(small_store, "recs", "--report", "A/98/5")
    assert len(tracked) == 4 and {r["origin"] for r in tracked} == {"status"}
    assert {r["remarks"] for r in tracked} == {f"Board remark {i} {s}" for i in (1, 2)
                                               for s in ("implemented", "in_progress")}


def test_deadline_session_and_organization_filters(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--deadline-session", "81")
    assert [(r["report"], r["number"]) for r in rows] == [("JIU/REP/2025/2", "6"), ("JIU/REP/2025/2", "14")]
    assert all("eighty-first session" in r["deadline_text"] for r in rows)
    unicef = cli_json(gold_store, "recs", "--organization", "unicef")
    assert unicef and {r["status_organization"] for r in unicef} == {"UNICEF"}
    # Each of UNICEF's latest observations is the status of its recommendation (UNICEF reported last), in
    # English; JIU/REP/2021/5 rec 4 is also tracked in Chinese (WIPO's row), with UNICEF's later status.
    latest = cli_json(gold_store, "status", "--organization", "UNICEF")
    assert {(r["report"], r["number"]) for r in unicef} == {(r["report"], r["number"]) for r in latest}
    assert len(unicef) == len(latest) + 1


def test_stats_ages_add_up_to_the_outstanding(gold_store: QueryStore) -> None:
    ages = ("outstanding_under_1y", "outstanding_1_3y", "outstanding_3_5y", "outstanding_5y_plus",
            "outstanding_age_unknown")
    rows = cli_json(gold_store, "stats", "--by", "organization,report", "--as-of", AS_OF)
    assert sum(r["outstanding"] for r in rows) > 0
    for row in rows:
        assert row["outstanding"] == sum(row[name] for name in ages), row
