"""Benchmark of the query layer: 100,000 synthetic recommendations in a SQLite store, each query timed.

Why: the views compute the latest status per recommendation on the fly, and search goes through FTS5;
this shows whether the filtered queries stay interactive (aim: under 100 ms) at a realistic size.

    .venv/bin/python benchmarks/bench_queries.py [--recommendations 100000] [--runs 5] [--db FILE]

Rows are written with bulk Core inserts (not the ORM, not through the extractors); the search index is
filled with the same segmentation the store uses. Timings are the median of ``--runs`` runs of the
library call (``pipeline.query.queries`` / ``pipeline.query.search``), rows included, after one warm-up run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from models import (
    Document,
    RecommendationRow,
    RecommendationSource,
    StatusLabel,
    StatusObservation,
)
from pipeline.query.queries import (
    RecommendationFilter,
    StatusFilter,
    find_recommendations,
    find_recommendations_bilingual,
    find_status,
    show_document,
    status_stats,
    unmapped_labels,
)
from pipeline.query.search import search
from pipeline.store.db import make_engine, upgrade
from pipeline.store.search_index import index_text, search_docs

EN_SUBJECTS = ["The executive heads of the United Nations system organizations",
               "The legislative organs and governing bodies", "The Secretary-General", "The General Assembly"]
EN_VERBS = ["should review", "should ensure", "should establish", "should strengthen", "should report on"]
EN_OBJECTS = ["business continuity management frameworks", "protection against retaliation policies",
              "flexible working arrangements", "enterprise risk management", "the use of multiple languages",
              "the learning policy of the organization", "oversight and accountability", "cloud computing",
              "the prevention of sexual exploitation and abuse", "procurement practices", "results-based management"]
ZH_SUBJECTS = ["联合国系统各组织的行政首长", "立法机关和理事机构", "秘书长", "大会"]
ZH_VERBS = ["应审查", "应确保", "应建立", "应加强", "应报告"]
ZH_OBJECTS = ["业务连续性管理框架", "防止报复政策", "灵活工作安排", "机构风险管理", "多种语文的使用", "学习政策",
              "监督和问责", "云计算", "防止性剥削和性虐待", "采购做法", "成果管理制"]
ADDRESSEES = ["executive_heads", "legislative_bodies", "secretary_general", "general_assembly"]
ORGS = ["WIPO", "UNICEF", "UNDP", "WHO", "ILO", "UNFPA"]
IMPLEMENTATION = [("implemented", "Implemented"), ("in_progress", "In progress"), ("not_started", "Not started"),
                  ("implemented", "已落实"), ("in_progress", "正在落实"), ("not_relevant", "Not relevant")]


def fill(engine: Engine, n_recs: int, seed: int = 7) -> dict[str, Any]:
    """Bulk-insert documents, recommendations (in en and zh), their sources, status observations and
    the search index; returns a few values the queries then ask for."""
    rnd = random.Random(seed)
    n_reports = max(1, n_recs // 50)
    docs, reports = [], []
    for i in range(n_reports):
        year = 2012 + i % 14
        symbol = f"JIU/REP/{year}/{i}" if i % 2 else f"A/{year - 1945}/{i}"
        reports.append((symbol, year))
        for language in ("en", "zh"):
            docs.append({"id": len(docs) + 1, "symbol": symbol, "language": language,
                         "kind": "jiu_report" if i % 2 else "acabq_report", "title": f"Report {symbol}",
                         "agenda_items": [], "date": dt.date(year, 1 + i % 12, 1 + i % 28),
                         "sha256": f"{len(docs):064x}", "file_name": f"{i}.pdf", "status": "loaded",
                         "quality_flags": []})
    doc_id = {(d["symbol"], d["language"]): d["id"] for d in docs}
    recs, sources, index = [], [], []
    per_report = n_recs // n_reports
    for r, (symbol, year) in enumerate(reports):
        for number in range(1, per_report + 1):
            for language in ("en", "zh") if number % 3 == 0 else ("en",):
                if len(recs) >= n_recs:
                    break
                if language == "en":
                    body = f"{rnd.choice(EN_SUBJECTS)} {rnd.choice(EN_VERBS)} {rnd.choice(EN_OBJECTS)}, " \
                           f"and {rnd.choice(EN_OBJECTS)}, by the end of {year + 2}."
                else:
                    body = f"{rnd.choice(ZH_SUBJECTS)}{rnd.choice(ZH_VERBS)}{rnd.choice(ZH_OBJECTS)}和" \
                           f"{rnd.choice(ZH_OBJECTS)}，在 {year + 2} 年底前完成。"
                rec_id = len(recs) + 1
                deadline = dt.date(year + 2, 12, 31) if number % 4 else None
                document = doc_id[(symbol, language)]
                recs.append({"id": rec_id, "report": symbol, "number": str(number), "language": language,
                             "kind": "jiu" if r % 2 else "acabq", "text": body,
                             "addressee": ADDRESSEES[(r + number) % 4], "deadline_date": deadline,
                             "deadline_kind": "year_end" if deadline else None,
                             "deadline_text": f"by the end of {year + 2}" if deadline else None,
                             "document_id": document, "page": 1 + number % 30, "extractor": "bench",
                             "extractor_version": "1"})
                sources.append({"recommendation_id": rec_id, "document_id": document, "text": body,
                                "extractor": "bench", "extractor_version": "1"})
                index.append({"kind": "recommendation", "ref_id": rec_id, "document_id": document,
                              "language": language, "page": 1 + number % 30, "body": index_text(body)})
    status, status_docs = [], []
    for org_i, org in enumerate(ORGS):
        for year in (2019, 2021, 2023, 2025):
            status_docs.append({"id": len(docs) + len(status_docs) + 1, "symbol": f"{org}/STATUS/{year}",
                                "language": "en", "kind": "status_report", "title": f"{org} status {year}",
                                "agenda_items": [],
                                "date": dt.date(year, 6, 1), "sha256": f"f{len(status_docs):063x}",
                                "file_name": f"{org}{year}.pdf", "status": "loaded", "quality_flags": []})
            sd = status_docs[-1]
            for seq, rec in enumerate(rnd.sample(recs[: len(recs) // 2], k=min(len(recs) // 2, n_recs // 10))):
                implementation, raw = IMPLEMENTATION[(seq + org_i + year) % len(IMPLEMENTATION)]
                status.append({"document_id": sd["id"], "organization": org, "as_of": sd["date"], "seq": seq,
                               "report": rec["report"], "number": rec["number"], "language": "en",
                               "text": rec["text"], "addressee": rec["addressee"], "acceptance": "accepted",
                               "implementation": implementation, "implementation_raw": raw,
                               "extractor": "bench", "extractor_version": "1"})
    with engine.begin() as conn:
        conn.execute(insert(Document), docs + status_docs)
        for table, rows in ((RecommendationRow, recs), (RecommendationSource, sources),
                            (StatusObservation, status)):
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[start:start + 20_000])
        conn.execute(insert(StatusLabel), [{"organization": "*", "language": "en", "label": "Implemented",
                                            "implementation": "implemented"}])
        for start in range(0, len(index), 20_000):
            conn.execute(search_docs.insert(), index[start:start + 20_000])
        conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
        # What the store's after-load hook keeps current, computed once for the bulk-loaded rows.
        started = time.perf_counter()
        _rebuild_status(conn)
        derived_seconds = time.perf_counter() - started
        conn.execute(text("ANALYZE"))
    sample = recs[len(recs) // 3]
    return {"recommendations": len(recs), "status": len(status), "documents": len(docs) + len(status_docs),
            "report": sample["report"], "number": sample["number"], "derived_seconds": derived_seconds}


def _rebuild_status(conn: Any) -> None:
    """Recompute ``status_current`` and the count tables for every observation (the search index was
    bulk-inserted above)."""
    from pipeline.store.derived import rebuild_counts, rebuild_latest

    rebuild_latest(conn)
    rebuild_counts(conn)


def timed(call: Callable[[], Any], runs: int) -> tuple[float, int]:
    """Median milliseconds of ``runs`` calls after a warm-up, and the rows the call returned."""
    result = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    rows = sum(len(r) for r in result) if isinstance(result, list) and result and hasattr(result[0], "rows") \
        else len(result)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recommendations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file to build (default: a temporary one)")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "bench.db"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    facts = fill(engine, args.recommendations)
    print(f"store: {facts['recommendations']:,} recommendations, {facts['status']:,} status observations, "
          f"{facts['documents']:,} documents; built in {time.perf_counter() - started:.1f} s, of which "
          f"{facts['derived_seconds']:.1f} s derived status tables ({path})")
    report, number = facts["report"], facts["number"]
    today = dt.date(2026, 11, 22)
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("recs --report R", lambda: find_recommendations(engine, RecommendationFilter(report=report))),
        ("recs --kind jiu --language en --addressee executive_heads -n 100", lambda: find_recommendations(
            engine, RecommendationFilter(kind="jiu", language="en", addressee="executive_heads", limit=100))),
        ("recs --deadline-after 2019-01-01 --deadline-before 2020-01-01 -n 100", lambda: find_recommendations(
            engine, RecommendationFilter(deadline_after=dt.date(2019, 1, 1), deadline_before=dt.date(2020, 1, 1),
                                         limit=100))),
        ("recs --overdue -n 100", lambda: find_recommendations(
            engine, RecommendationFilter(overdue=True, as_of=today, limit=100))),
        ("recs --overdue --addressee general_assembly --kind acabq (all rows)", lambda: find_recommendations(
            engine, RecommendationFilter(overdue=True, as_of=today, addressee="general_assembly", kind="acabq"))),
        ("recs --text 'business continuity' -n 100", lambda: find_recommendations(
            engine, RecommendationFilter(text="business continuity", limit=100))),
        ("recs --text 业务连续性 --language zh -n 100", lambda: find_recommendations(
            engine, RecommendationFilter(text="业务连续性", language="zh", limit=100))),
        ("recs --both-languages --report R", lambda: find_recommendations_bilingual(
            engine, RecommendationFilter(report=report))),
        ("status --organization WIPO -n 100", lambda: find_status(engine, StatusFilter(organization="WIPO",
                                                                                       limit=100))),
        ("status --report R --number N --history", lambda: find_status(
            engine, StatusFilter(report=report, number=number, history=True))),
        ("status --report R (latest)", lambda: find_status(engine, StatusFilter(report=report))),
        ("status --unmapped", lambda: unmapped_labels(engine, StatusFilter())),
        ("status --unmapped --organization WIPO", lambda: unmapped_labels(engine, StatusFilter(organization="WIPO"))),
        ("status --unmapped --report R", lambda: unmapped_labels(engine, StatusFilter(report=report))),
        ("stats --by addressee,year", lambda: status_stats(engine, ["addressee", "year"], as_of=today)),
        ("stats --by organization,year --organization WIPO", lambda: status_stats(
            engine, ["organization", "year"], as_of=today, organization="WIPO")),
        ("show R", lambda: show_document(engine, report)),
        ("search 'business continuity' (top 20)", lambda: search(engine, "business continuity")),
        ("search 业务连续性 (top 20)", lambda: search(engine, "业务连续性")),
        ("search 'retaliation policies' --language en (top 20)", lambda: search(
            engine, "retaliation policies", language="en")),
    ]
    print(f"\n{'query':<72} {'ms (median)':>12} {'rows':>8}")
    for name, call in cases:
        ms, rows = timed(call, args.runs)
        flag = "" if ms < 100 else "  (over 100 ms)"
        print(f"{name:<72} {ms:>12.1f} {rows:>8}{flag}")
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
