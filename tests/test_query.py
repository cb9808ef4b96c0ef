"""Query commands (recs, status, show, stats) on stores filled by ``ingest_paths``, on SQLite and PostgreSQL.

Expectations come from the gold records (see tests/query_data.py), so each test checks the rows a
command returns, not only its exit code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from extractors.lib.vocabulary import load_vocabulary
from tests.query_data import (
    CORPUS_FILES,
    DATE_SUPPLEMENT,
    EN_A_77_256_ADD_1_RECS,
    SYNTHETIC_STATUS,
    QueryStore,
    assert_counts_match_the_views,
    cli,
    cli_json,
    gold_record,
)

pytest_plugins = ["tests.query_store"]

AS_OF = "2026-11-22"
DOC_KIND_REC = {"acabq_report": "acabq", "sg_report": "ga_action"}


def gold_recs() -> list[dict[str, Any]]:
    """Every recommendation the gold store holds, as (report, number, language, kind, addressee, deadline)."""
    out = []
    for name in CORPUS_FILES:
        gold = gold_record(Path(name).stem)
        doc = gold["document"]
        for r in gold.get("recommendations", []):
            out.append({"report": r["report"], "number": r["number"], "language": doc["language"],
                        "kind": "jiu" if r["report"].startswith("JIU/") else DOC_KIND_REC[doc["kind"]],
                        "addressee": r.get("addressee"),
                        "deadline_date": (r.get("deadline") or {}).get("date")})
    for number in EN_A_77_256_ADD_1_RECS:
        out.append({"report": "JIU/REP/2021/6", "number": number, "language": "en", "kind": "jiu",
                    "addressee": "executive_heads" if number == "1" else "legislative_bodies",
                    "deadline_date": "2023-12-31" if number == "1" else None})
    return out


def keys(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["report"], r["number"], r["language"]) for r in rows}


# --- recs -------------------------------------------------------------------------------------------


def test_recs_of_a_report_in_document_order(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--report", "A/80/604/Add.1")
    gold = gold_record("A_80_604_Add.1")["recommendations"]
    assert [r["number"] for r in rows] == [g["number"] for g in gold]
    assert {r["kind"] for r in rows} == {"acabq"} and {r["language"] for r in rows} == {"en"}
    assert rows[0]["text"] == gold[0]["text"] and rows[0]["page"] == gold[0]["page"]
    assert rows[0]["source_symbol"] == "A/80/604/Add.1" and rows[0]["issued_year"] == 2026


def test_recs_filter_by_kind_language_and_addressee(gold_store: QueryStore) -> None:
    everything = gold_recs()
    rows = cli_json(gold_store, "recs", "--kind", "jiu", "--language", "zh", "--origin", "recommendation")
    assert keys(rows) == {("JIU/REP/2021/6", str(n), "zh") for n in range(1, 7)}
    assert all(r["issued_year"] == 2021 for r in rows)  # JIU reports carry their year in the symbol
    tracked = cli_json(gold_store, "recs", "--kind", "jiu", "--language", "zh")  # WIPO's status rows too
    assert keys(tracked) > keys(rows) and {r["origin"] for r in tracked} == {"recommendation", "status"}
    assert all(r["issued_year"] == int(r["report"].split("/")[2]) for r in tracked)
    rows = cli_json(gold_store, "recs", "--addressee", "legislative_bodies", "--origin", "recommendation")
    assert keys(rows) == keys([r for r in everything if r["addressee"] == "legislative_bodies"])
    assert len(rows) == 4
    rows = cli_json(gold_store, "recs", "--kind", "ga_action")
    assert keys(rows) == keys([r for r in everything if r["kind"] == "ga_action"]) and len(rows) == 6


def test_recs_deadline_before_and_after(gold_store: QueryStore) -> None:
    everything = gold_recs()
    before = cli_json(gold_store, "recs", "--deadline-before", "2025-01-01")
    assert keys(before) == keys([r for r in everything if r["deadline_date"] and r["deadline_date"] < "2025-01-01"])
    assert len(before) == 6  # zh 1-5 and the English rec 1
    after = cli_json(gold_store, "recs", "--deadline-after", "2027-01-01", "--kind", "jiu")
    assert keys(after) == {("JIU/REP/2025/2", n, "en") for n in ("1", "2", "12")}
    assert {r["deadline_date"] for r in after} == {"2027-12-31", "2028-12-31"}


def test_recs_overdue_uses_the_latest_status_observation(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--overdue", "--as-of", AS_OF)
    # WIPO reported JIU/REP/2021/6 recs 1-3 and 5 implemented in 2022 (WO/PBC/34/6), rec 4 still in
    # progress in 2024 (synthetic WO/PBC/TEST/2); rec 6 has no deadline (asap).
    assert [(r["report"], r["number"], r["language"]) for r in rows] == [("JIU/REP/2021/6", "4", "zh")]
    assert rows[0]["implementation"] == "in_progress" and rows[0]["status_as_of"] == "2024-07-01"
    assert rows[0]["days_overdue"] == (dt.date(2026, 11, 22) - dt.date(2024, 12, 31)).days
    # Half a year later the JIU/REP/2025/2 recommendations due by the end of 2026 are overdue, with no
    # status reported at all; by 2030 all ten with a deadline are.
    mid = cli_json(gold_store, "recs", "--overdue", "--as-of", "2027-06-30", "--report", "JIU/REP/2025/2")
    assert [r["number"] for r in mid] == ["4", "5", "7", "9", "10", "11", "13"]
    assert all(r["implementation"] is None and r["deadline_date"] == "2026-12-31" for r in mid)
    later = cli_json(gold_store, "recs", "--overdue", "--as-of", "2030-01-01", "--report", "JIU/REP/2025/2")
    assert len(later) == 10


def test_overdue_view_agrees_with_the_command(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--overdue")
    with gold_store.engine.connect() as conn:
        view = conn.execute(text("SELECT report, number, language, days_overdue FROM overdue_v")).mappings().all()
    assert keys([dict(r) for r in view]) == keys(rows)
    assert {r["days_overdue"] for r in view} == {r["days_overdue"] for r in rows}


def test_recs_text_filter_is_full_text(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--text", "组织复原力", "--origin", "recommendation")
    assert keys(rows) == {("JIU/REP/2021/6", "3", "zh"), ("JIU/REP/2021/6", "4", "zh")}
    rows = cli_json(gold_store, "recs", "--text", "retaliation", "--origin", "recommendation")
    assert [(r["report"], r["number"]) for r in rows] == [("JIU/REP/2025/2", "2")]


def test_recs_both_languages_side_by_side(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "recs", "--both-languages", "--report", "JIU/REP/2021/6")
    assert [r["number"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    paired = {r["number"]: r for r in rows if r["text_zh"] and r["text_en"]}
    assert set(paired) == {"1", "6"}
    assert paired["1"]["text_en"] == EN_A_77_256_ADD_1_RECS["1"]
    assert paired["1"]["text_zh"].startswith("联合国系统各组织的行政首长应在2023年底前审查")
    assert paired["6"]["source_symbol_zh"] == paired["6"]["source_symbol_en"] == "A/77/256/Add.1"
    assert rows[1]["text_en"] is None


def test_recs_csv_is_stable_for_scripts(gold_store: QueryStore) -> None:
    out = cli(gold_store, "recs", "--report", "JIU/REP/2025/2", "--format", "csv").stdout
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["report", "number", "language", "origin", "kind", "addressee", "deadline_date",
                        "deadline_text", "deadline_session", "acceptance", "implementation", "implementation_raw",
                        "status_as_of", "status_organization", "remarks", "issued_year", "source_symbol", "page",
                        "text", "status_document_symbol", "status_page", "recommendation_id", "status_id",
                        "key_number"]
    assert [row[1] for row in table[1:]] == [str(n) for n in range(1, 16)]
    assert table[1][6] == "2027-12-31" and table[3][6] == ""  # rec 3 has no deadline


def test_recs_xlsx_needs_an_output_file(gold_store: QueryStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    target = tmp_path / "recs.xlsx"
    cli(gold_store, "recs", "--kind", "ga_action", "--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][:2] == ("report", "number") and len(values) == 7
    assert {v[1] for v in values[1:]} == {"54(a)", "54(b)", "54(c)", "54(d)", "54(e)", "54(f)"}
    result = CliRunner().invoke(app, ["recs", "--format", "xlsx", "--db", gold_store.url])
    assert result.exit_code == 1 and "--output" in result.output


def test_recs_table_for_people(gold_store: QueryStore) -> None:
    out = cli(gold_store, "recs", "--report", "A/80/604/Add.1").stdout
    assert "A/80/604/Add.1" in out and "7 row(s)" in out and "acabq" in out


def test_recs_reject_a_bad_choice(gold_store: QueryStore) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    result = CliRunner().invoke(app, ["recs", "--kind", "nonsense", "--db", gold_store.url])
    assert result.exit_code == 2 and "jiu" in result.output


# --- status -----------------------------------------------------------------------------------------


def test_status_latest_per_recommendation_and_organization(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "status", "--report", "JIU/REP/2021/6")
    latest = {(r["number"], r["organization"]): r for r in rows}
    assert set(latest) == {(str(n), "WIPO") for n in range(1, 7)}
    assert latest[("6", "WIPO")]["implementation"] == "implemented"
    assert latest[("6", "WIPO")]["document_symbol"] == "WO/PBC/34/6"
    assert latest[("6", "WIPO")]["observations"] == 2
    assert latest[("4", "WIPO")]["as_of"] == "2024-07-01" and latest[("4", "WIPO")]["observations"] == 2
    assert latest[("4", "WIPO")]["implementation_raw"] == "推进中（测试标签）"
    assert latest[("3", "WIPO")]["observations"] == 1


def test_status_history_shows_every_observation_in_time_order(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "status", "--report", "JIU/REP/2021/6", "--number", "6", "--history")
    assert [(r["as_of"], r["implementation"], r["document_symbol"]) for r in rows] == [
        ("2021-07-01", "not_started", "WO/PBC/TEST/1"),
        (DATE_SUPPLEMENT["WO_PBC_34_6"], "implemented", "WO/PBC/34/6"),
    ]


def test_status_filters(gold_store: QueryStore) -> None:
    unicef = gold_record("E_ICEF_2025_14")["status_entries"]
    rows = cli_json(gold_store, "status", "--organization", "unicef", "--implementation", "implemented")
    assert len(rows) == sum(1 for s in unicef if s.get("implementation") == "implemented") > 0
    assert {r["document_symbol"] for r in rows} == {"E/ICEF/2025/14"}
    rows = cli_json(gold_store, "status", "--acceptance", "not_accepted")
    assert len(rows) == sum(1 for s in unicef if s.get("acceptance") == "not_accepted") == 1
    rows = cli_json(gold_store, "status", "--document", "WO/PBC/34/6", "--history")
    assert len(rows) == len(gold_record("WO_PBC_34_6")["status_entries"]) == 51
    latest = cli_json(gold_store, "status", "--document", "WO/PBC/34/6")
    assert len(latest) == 50  # rec 4 of JIU/REP/2021/6 has a later observation
    rows = cli_json(gold_store, "status", "--document", "A/80/596")
    assert [(r["report"], r["number"]) for r in rows] == [
        (s["report"], s["number"]) for s in gold_record("A_80_596")["status_entries"]]
    assert all(r["acceptance"] is None and r["implementation"] is None for r in rows)


def test_status_unmapped_lists_labels_the_vocabulary_lacks(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "status", "--unmapped", "--organization", "WIPO")
    assert [(r["field"], r["label"], r["rows"]) for r in rows] == [("implementation", "推进中（测试标签）", 1)]
    # The store holds the shipped vocabulary: of UNICEF's printed labels only those it lacks are listed.
    rows = cli_json(gold_store, "status", "--unmapped", "--organization", "UNICEF")
    known = {label.label for label in load_vocabulary().labels if label.organization in ("*", "UNICEF")}
    labels = Counter(s["implementation_raw"] for s in gold_record("E_ICEF_2025_14")["status_entries"]
                     if s.get("implementation_raw") and s["implementation_raw"] not in known)
    assert {r["label"]: r["rows"] for r in rows} == dict(labels) == {"Outside sole remit of UNICEF": 1}


def test_unmapped_leaves_out_labels_the_extractor_maps_by_their_start(live_store: QueryStore) -> None:
    """WIPO prints notes after the label (已接受之前为“正在落实”): the note is kept apart as the previous
    status, the label maps, so nothing is listed as unmapped."""
    with live_store.engine.connect() as conn:
        rows = conn.execute(text("SELECT acceptance_raw, previous_status FROM status_entries"
                                 " WHERE organization = 'WIPO' AND acceptance_raw IS NOT NULL")).all()
    assert any(note and note.startswith("之前为") for _, note in rows)
    assert {raw for raw, _ in rows} <= {label.label for label in load_vocabulary().labels}
    assert cli_json(live_store, "status", "--unmapped", "--organization", "WIPO") == []


# --- show -------------------------------------------------------------------------------------------


def sections(store: QueryStore, symbol: str) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = cli_json(store, "show", symbol)
    return result


def test_show_a_document_in_both_languages(gold_store: QueryStore) -> None:
    shown = sections(gold_store, "A/77/256/Add.1")
    assert [(d["symbol"], d["language"]) for d in shown["documents"]] == [
        ("A/77/256/Add.1", "en"), ("A/77/256/Add.1", "zh")]
    assert Counter(r["language"] for r in shown["recommendations"]) == {"zh": 6, "en": 2}
    zh1 = next(r for r in shown["recommendations"] if r["language"] == "zh" and r["number"] == "1")
    assert zh1["response_position"] == "supported" and zh1["implementation"] == "implemented"
    assert {r["cited_symbol"] for r in shown["references"]} == set(gold_record("A_77_256_Add.1")["document"]["references"])
    assert shown["status"] == [] and shown["tables"] == [] and shown["cited_by"] == []


def test_show_a_report_that_is_only_quoted(gold_store: QueryStore) -> None:
    shown = sections(gold_store, "jiu/rep/2021/6")
    assert shown["documents"] == []
    assert len(shown["recommendations"]) == 8
    assert len(shown["status"]) == 9  # six from WO/PBC/34/6, three synthetic
    assert {(c["document_symbol"], c["document_language"]) for c in shown["cited_by"]} == {
        ("A/77/256/Add.1", "zh"), ("A/77/256/Add.1", "en"), ("WO/PBC/34/6", "zh"),
        ("WO/PBC/TEST/1", "zh"), ("WO/PBC/TEST/2", "zh")}


def test_show_tables_references_and_citations(gold_store: QueryStore) -> None:
    shown = sections(gold_store, "JIU/REP/2025/2")
    gold = gold_record("JIU_REP_2025_2")
    assert [(t["page"], t["caption"], t["rows"], t["columns"]) for t in shown["tables"]] == [
        (t["page"], t["caption"], len(t["rows"]), len(t["header"])) for t in gold["tables"]]
    assert len(shown["recommendations"]) == 15
    cited = sections(gold_store, "A/80/596")["cited_by"]
    assert [(c["document_symbol"], c["document_kind"]) for c in cited] == [("A/80/604/Add.1", "acabq_report")]
    refs = {r["cited_symbol"]: r["cited_stored"] for r in sections(gold_store, "A/80/604/Add.1")["references"]}
    assert refs["A/80/596"] == 1 and refs["A/80/633"] == 0


def test_show_one_section_as_csv_and_unknown_symbols(gold_store: QueryStore) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    out = cli(gold_store, "show", "WO/PBC/34/6", "--section", "status", "--format", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(out)))) == 51
    table = cli(gold_store, "show", "WO/PBC/34/6").stdout
    assert "documents" in table and "cited by" in table and "51 row(s)" in table
    result = CliRunner().invoke(app, ["show", "A/99/999", "--db", gold_store.url])
    assert result.exit_code == 1 and "A/99/999" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["show", "WO/PBC/34/6", "--format", "csv", "--db", gold_store.url])
    assert result.exit_code == 1 and "--section" in result.output


# --- stats ------------------------------------------------------------------------------------------


def expected_stats(as_of_year: int) -> dict[str, dict[str, int]]:
    """An independent count, per organization, from the gold status entries and the synthetic ones."""
    observations = []
    for stem, org, date in (("WO_PBC_34_6", "WIPO", DATE_SUPPLEMENT["WO_PBC_34_6"]),
                            ("E_ICEF_2025_14", "UNICEF", "2025-05-06")):
        for i, s in enumerate(gold_record(stem)["status_entries"]):
            observations.append((date, stem, i, org, s))
    for symbol, (date, rows) in SYNTHETIC_STATUS.items():
        for i, (number, acceptance, implementation, _raw) in enumerate(rows):
            observations.append((date, symbol, i, "WIPO", {"report": "JIU/REP/2021/6", "number": number,
                                                            "acceptance": acceptance,
                                                            "implementation": implementation}))
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for _date, _doc, _i, org, s in sorted(observations, key=lambda o: (o[0], o[1], o[2])):
        latest[(s["report"], s["number"], org)] = s
    counts: dict[str, Counter[str]] = {}
    for (report, _number, org), s in latest.items():
        c = counts.setdefault(org, Counter())
        c["tracked"] += 1
        c[s.get("acceptance") or "none"] += 1
        c[s.get("implementation") or "none"] += 1
        if s.get("implementation") in ("in_progress", "not_started", "not_implemented"):
            age = as_of_year - int(report.split("/")[2])
            bucket = ("outstanding_under_1y" if age < 1 else "outstanding_1_3y" if age < 3
                      else "outstanding_3_5y" if age < 5 else "outstanding_5y_plus")
            c["outstanding"] += 1
            c[bucket] += 1
    return {org: dict(c) for org, c in counts.items()}


def test_stats_rates_and_ageing_by_organization(gold_store: QueryStore) -> None:
    rows = {r["organization"]: r for r in cli_json(gold_store, "stats", "--by", "organization", "--as-of", AS_OF)}
    expected = expected_stats(2026)
    assert set(rows) == {"WIPO", "UNICEF", "United Nations"}
    for org in ("WIPO", "UNICEF"):
        row, exp = rows[org], expected[org]
        assert row["tracked"] == exp["tracked"]
        for name in ("accepted", "not_accepted", "implemented", "in_progress", "outstanding",
                     "outstanding_under_1y", "outstanding_1_3y", "outstanding_3_5y", "outstanding_5y_plus"):
            assert row[name] == exp.get(name, 0), (org, name)
    wipo = rows["WIPO"]
    assert wipo["acceptance_rate"] == round(wipo["accepted"] / (wipo["tracked"] - 2), 3)  # 2 not relevant
    assert 0 < wipo["implementation_rate"] < 1
    assert rows["United Nations"]["tracked"] == 5 and rows["United Nations"]["acceptance_rate"] is None


def test_stats_by_addressee_and_year(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "stats", "--as-of", AS_OF)
    assert list(rows[0])[:3] == ["addressee", "year", "tracked"]
    by_key = {(r["addressee"], r["year"]): r for r in rows}
    # Every tracked row is counted once, in one addressee-year group.
    assert sum(r["tracked"] for r in rows) == sum(e["tracked"] for e in expected_stats(2026).values()) + 5
    assert by_key[("executive_heads", 2023)]["tracked"] > 0
    assert (None, None) in by_key  # the A/80/596 rows: no addressee, a resolution not in the store


def test_stats_rejects_an_unknown_dimension(gold_store: QueryStore) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    result = CliRunner().invoke(app, ["stats", "--by", "colour", "--db", gold_store.url])
    assert result.exit_code == 1 and "addressee, year, organization" in result.output


# --- views ------------------------------------------------------------------------------------------


def test_bilingual_views_link_documents_and_recommendations(gold_store: QueryStore) -> None:
    with gold_store.engine.connect() as conn:
        docs = conn.execute(text(
            "SELECT symbol, document_id_zh, document_id_en FROM documents_bilingual_v"
            " WHERE document_id_zh IS NOT NULL AND document_id_en IS NOT NULL")).all()
        recs = conn.execute(text(
            "SELECT number FROM recommendations_bilingual_v WHERE text_zh IS NOT NULL AND text_en IS NOT NULL"
            " ORDER BY number")).scalars().all()
    assert [d.symbol for d in docs] == ["A/77/256/Add.1"]
    assert recs == ["1", "6"]


def test_references_view(gold_store: QueryStore) -> None:
    with gold_store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT document_symbol, cited_symbol, cited_stored FROM references_v WHERE cited_stored = 1"
            " ORDER BY document_symbol, cited_symbol")).all()
    assert ("A/80/604/Add.1", "A/80/596", 1) in [tuple(r) for r in rows]
    assert ("WO/PBC/TEST/1", "JIU/REP/2021/6", 1) not in [tuple(r) for r in rows]  # quoted, not stored


# --- the latest-status table follows loads and deletions --------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    from pipeline.store.db import make_engine, upgrade
    from tests.databases import postgres_schema_url

    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite"
               else stack.enter_context(postgres_schema_url()))
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def test_latest_status_follows_reloads_and_deletions(empty_engine: Engine) -> None:
    from models import Document
    from pipeline.query.queries import StatusFilter, find_status
    from pipeline.store.db import session_scope
    from pipeline.store.derived import rebuild
    from tests.query_data import load_synthetic

    load_synthetic(empty_engine)

    def latest() -> dict[str, tuple[str, str]]:
        rows = find_status(empty_engine, StatusFilter(report="JIU/REP/2021/6")).rows
        return {r["number"]: (r["document_symbol"], r["implementation"]) for r in rows}

    assert latest() == {"6": ("WO/PBC/TEST/1", "not_started"), "1": ("WO/PBC/TEST/1", "in_progress"),
                        "4": ("WO/PBC/TEST/2", "in_progress")}
    with session_scope(empty_engine) as session:  # a deleted report's observations stop being latest
        session.delete(session.scalars(select(Document).where(Document.symbol == "WO/PBC/TEST/1")).one())
    assert latest() == {"4": ("WO/PBC/TEST/2", "in_progress")}
    load_synthetic(empty_engine)  # reloads TEST/1 and refreshes the keys left without a latest row
    assert latest() == {"6": ("WO/PBC/TEST/1", "not_started"), "1": ("WO/PBC/TEST/1", "in_progress"),
                        "4": ("WO/PBC/TEST/2", "in_progress")}
    with empty_engine.begin() as conn:
        before = conn.execute(text("SELECT key_report, key_number, key_org, status_id, observations,"
                                   " latest_overall FROM status_current ORDER BY 1, 2, 3")).all()
        rebuild(conn)
        after = conn.execute(text("SELECT key_report, key_number, key_org, status_id, observations,"
                                  " latest_overall FROM status_current ORDER BY 1, 2, 3")).all()
    assert before == after and len(after) == 3
    assert sum(assert_counts_match_the_views(empty_engine).values()) == 3


def test_count_tables_follow_loads_in_any_order(empty_engine: Engine) -> None:
    from tests.query_data import load_synthetic_recommendations, load_synthetic_status

    def addressees() -> dict[tuple[Any, ...], int]:
        kept = assert_counts_match_the_views(empty_engine)
        return {(key[1], key[3], key[4]): n for key, n in kept.items()}

    load_synthetic_status(empty_engine)  # status first: no recommendation gives an addressee yet
    assert addressees() == {(None, "under_consideration", "not_started"): 1, (None, "accepted", "in_progress"): 2}
    load_synthetic_recommendations(empty_engine)  # the recommendations arrive in another document
    assert addressees() == {("legislative_bodies", "under_consideration", "not_started"): 1,
                            ("executive_heads", "accepted", "in_progress"): 1, (None, "accepted", "in_progress"): 1}
    load_synthetic_recommendations(empty_engine, {"1": "general_assembly"}, version="2")  # 6 is dropped
    assert addressees() == {(None, "under_consideration", "not_started"): 1,
                            ("general_assembly", "accepted", "in_progress"): 1, (None, "accepted", "in_progress"): 1}
    assert status_stats_rows(empty_engine) == {"general_assembly": (1, 1, 1), None: (2, 1, 2)}
    load_synthetic_recommendations(empty_engine, {}, version="3")  # the document no longer quotes the report
    assert addressees() == {(None, "under_consideration", "not_started"): 1, (None, "accepted", "in_progress"): 2}
    assert status_stats_rows(empty_engine) == {None: (3, 2, 3)}


def status_stats_rows(engine: Engine) -> dict[Any, tuple[int, int, int]]:
    """``unpipe stats --by addressee``: tracked, accepted and outstanding per addressee."""
    from pipeline.query.queries import status_stats

    rows = status_stats(engine, ["addressee"], as_of=dt.date(2026, 11, 22)).rows
    return {r["addressee"]: (r["tracked"], r["accepted"], r["outstanding"]) for r in rows}


def test_count_tables_match_the_views_after_ingest(live_store: QueryStore) -> None:
    kept = assert_counts_match_the_views(live_store.engine)
    assert sum(kept.values()) > 50  # the WIPO and UNICEF status tables, counted
