"""Stores for the query tests (built by the fixtures in tests/query_store.py) and helpers to query them.

Two kinds of store, each on SQLite and on PostgreSQL:

- ``gold_store``: corpus PDFs go through ``ingest_paths`` (real parsing, file store, load and search
  index), but the extraction records come from the gold files (``../shared/corpus/gold``), so that
  query tests can expect exact rows whatever state the extractors are in. A few synthetic documents
  are added with ``load_document`` for what the corpus lacks: an English version of A/77/256/Add.1
  (zh↔en linking) and two earlier/later WIPO status reports (status history, overdue logic).
- ``live_store``: the same PDFs through ``ingest_paths`` with the registered extractors, unpatched.

Parsing is the slow part, so each PDF is parsed once per session and shared by all four stores.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from extractors.apply import Extraction, ExtractorRun, run_extractors
from extractors.lib.records import Deadline, DocumentInfo, Recommendation, Response, StatusEntry, TableRecord
from models import StatusLabel
from pipeline.core.document import Page, PageQuality, Paragraph, ParsedDocument
from pipeline.store.db import make_engine, session_scope, upgrade
from tests.corpus import GOLD, corpus_pdf, parsed
from tests.databases import postgres_schema_url

CORPUS_FILES = (
    "A_77_256_Add.1.pdf",  # zh: SG note with the six JIU/REP/2021/6 recommendations and responses
    "WO_PBC_34_6.pdf",  # zh: WIPO status report (51 status rows)
    "A_80_604_Add.1.pdf",  # en: ACABQ report (7 recommendations); cites A/80/596
    "JIU_REP_2025_2.pdf",  # en: JIU report (15 recommendations, 3 tables)
    "E_ICEF_2025_14.pdf",  # en: UNICEF status report (43 status rows)
    "A_80_596.pdf",  # en: SG report (6 GA actions, 5 status rows)
)

# The gold omits a date for WO/PBC/34/6; page 1 prints the session "2022年6月27日至7月1日". Status history
# needs observations in time order, so the store dates it by the session's opening day.
DATE_SUPPLEMENT = {"WO_PBC_34_6": "2022-06-27"}

REC_KIND = {"acabq_report": "acabq", "sg_report": "ga_action"}

# The gold has no remarks yet; WO/PBC/34/6 prints WIPO's assessment (管理层/联络点评估) of each
# JIU/REP/2021/6 recommendation in the row's table, copied here as printed (a test finds each in the PDF).
REMARKS_SUPPLEMENT = {"WO_PBC_34_6": {
    ("JIU/REP/2021/6", "1"): "正如报告（附件三）所述，产权组织的框架已经反映了报告中的核心要素。但是，在即将对业务连续性计划进行"
                             "全面更新之后，将对该框架是否切合目的进行审查，产权组织将能够确保核心要素继续得到反映。",
    ("JIU/REP/2021/6", "2"): "如报告（附件四）所述，产权组织通过一致、严谨的方法对其业务连续性计划中的维护、实施和审查部分加以"
                             "应用。在计划进行下一次全面更新时，将对维护、实施和审查部分的相关性和有效性进行重新评估和验证。",
    ("JIU/REP/2021/6", "3"): "正如报告（附件四）所述，产权组织的业务连续性相关学习机制已经包括事后审查和定期管理审查。在计划进行"
                             "下一次全面审查时，将寻求进一步加强这些机制的机会并加以落实。",
    ("JIU/REP/2021/6", "4"): "实施组织复原力管理系统政策及其经修订的绩效指标的进展情况，以及业务连续性管理领域的良好做法和经验"
                             "教训，将作为联检组报告的附件，向我们的立法机关和领导机构分发。",
    ("JIU/REP/2021/6", "5"): "2021 年期间，产权组织内部监督司对产权组织的 2019 冠状病毒病大流行危机管理应对进行了全面审查，涉及建议"
                             "中提到的所有职能领域，从而完成了这项工作。查明了经验教训和建议，以便自 2022 年开始实施。",
    ("JIU/REP/2021/6", "6"): "这项工作于 2021 年完成，产权组织内部监督司对产权组织的 2019 冠状病毒病危机管理进行了全面审查，审查结果"
                             "在产权组织成员国大会期间提交给成员国，并在产权组织独立咨询监督委员会第六十一届会议上向其提交。",
}}


@dataclass
class QueryStore:
    """A filled store: its engine, the URL the CLI's ``--db`` takes, and the backend name."""

    engine: Engine
    url: str
    backend: str


def _deadline(data: dict[str, Any] | None) -> Deadline | None:
    if not data:
        return None
    return Deadline(text=data["text"], kind=data["kind"], date=data.get("date"), session=data.get("session"))


def gold_record(stem: str) -> dict[str, Any]:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


def gold_extraction(stem: str) -> Extraction:
    """The gold record of a corpus document, as the extractors would have yielded it."""
    gold = gold_record(stem)
    d = gold["document"]
    info = DocumentInfo(
        symbol=d["symbol"], language=d["language"], kind=d["kind"], title=d.get("title"),
        session=d.get("session"), agenda_items=d.get("agenda_items", []),
        date=d.get("date") or DATE_SUPPLEMENT.get(stem), job_number=d.get("job_number"),
        references=d.get("references", []),
    )
    records: list[Any] = [info]
    for r in gold.get("recommendations", []):
        response = r.get("response")
        records.append(Recommendation(
            report=r["report"], number=r["number"], text=r["text"], addressee=r.get("addressee"),
            deadline=_deadline(r.get("deadline")),
            response=Response(position=response["position"], text=response["text"]) if response else None,
            page=r.get("page"),
            kind="jiu" if r["report"].startswith("JIU/") else REC_KIND.get(d["kind"], "acabq"),
        ))
    for s in gold.get("status_entries", []):
        records.append(StatusEntry(
            report=s.get("report"), number=s.get("number"), text=s["text"], addressee=s.get("addressee"),
            acceptance=s.get("acceptance"), implementation=s.get("implementation"),
            implementation_raw=s.get("implementation_raw"), acceptance_raw=s.get("acceptance_raw"),
            responsible=s.get("responsible"), due=_deadline(s.get("due")), page=s.get("page"),
            remarks=s.get("remarks") or REMARKS_SUPPLEMENT.get(stem, {}).get((s.get("report"), s.get("number"))),
            previous_status=s.get("previous_status"),
        ))
    for t in gold.get("tables", []):
        records.append(TableRecord(page=t["page"], caption=t.get("caption"), header=t["header"],
                                   rows=t["rows"]))
    return Extraction(document=info, runs=[ExtractorRun("gold", "1", "ok", records=records)])


def _synthetic_doc(name: str, paragraphs: list[str], language: str) -> ParsedDocument:
    """A one-page parsed document for what the corpus lacks (no PDF behind it)."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    page = Page(number=1, width=595.0, height=842.0, lines=[], tables=[], quality=PageQuality(chars=100))
    paras = [Paragraph(text=t, page=1, bbox=(72.0, 100.0 + 40 * i, 520.0, 130.0 + 40 * i))
             for i, t in enumerate(paragraphs)]
    return ParsedDocument(file_name=name, sha256=sha, pages=[page], paragraphs=paras, parser_version="test",
                          language_hint=language)


# Synthetic, marked as such in their titles. English wording of JIU/REP/2021/6 recs 1 and 6 is a test
# stand-in, not the official text.
EN_A_77_256_ADD_1_RECS = {
    "1": "The executive heads of the United Nations system organizations should, by the end of 2023, review "
         "their business continuity management frameworks (synthetic English test text).",
    "6": "The legislative organs and governing bodies of the United Nations system organizations should "
         "consider, at the earliest opportunity, the conclusions of the internal management assessment "
         "(synthetic English test text).",
}

SYNTHETIC_STATUS = {
    # symbol: (date, [(number, acceptance, implementation, implementation_raw)]). WO/PBC/34/6 (2022) reports
    # JIU/REP/2021/6 recs 1-3, 5, 6 implemented and 4 in progress; these add an earlier and a later report.
    "WO/PBC/TEST/1": ("2021-07-01", [("6", "under_consideration", "not_started", "尚未启动"),
                                     ("1", "accepted", "in_progress", "正在落实")]),
    "WO/PBC/TEST/2": ("2024-07-01", [("4", "accepted", "in_progress", "推进中（测试标签）")]),
}


def load_synthetic(engine: Engine) -> None:
    load_synthetic_recommendations(engine)
    load_synthetic_status(engine)


def load_synthetic_recommendations(engine: Engine, addressees: dict[str, str] | None = None,
                                   version: str = "1") -> None:
    """The synthetic English A/77/256/Add.1 with JIU/REP/2021/6 recs 1 and 6 (``addressees`` maps the
    numbers to keep to their addressee; a new ``version`` makes a reload)."""
    from pipeline.store.load import load_document

    if addressees is None:
        addressees = {"1": "executive_heads", "6": "legislative_bodies"}
    en_doc = _synthetic_doc("A_77_256_Add.1_en_synthetic", list(EN_A_77_256_ADD_1_RECS.values()), "en")
    info = DocumentInfo(symbol="A/77/256/Add.1", language="en", kind="sg_note",
                        title="Review of business continuity management (synthetic English version)",
                        session=77, agenda_items=["145"], references=["JIU/REP/2021/6"])
    recs = [
        Recommendation(report="JIU/REP/2021/6", number=number, text=text, addressee=addressees[number],
                       deadline=Deadline("by the end of 2023", "year_end", "2023-12-31") if number == "1"
                       else Deadline("at the earliest opportunity", "asap"),
                       response=Response("supported", "Organizations support this recommendation."),
                       page=1, kind="jiu")
        for number, text in EN_A_77_256_ADD_1_RECS.items() if number in addressees
    ]
    load_document(engine, en_doc, Extraction(info, [ExtractorRun("gold", version, "ok", [info, *recs])]))


def load_synthetic_status(engine: Engine) -> None:
    """The two synthetic WIPO status reports on JIU/REP/2021/6, and a small vocabulary."""
    from pipeline.store.load import load_document

    for symbol, (date, rows) in SYNTHETIC_STATUS.items():
        doc = _synthetic_doc(symbol.replace("/", "_"), [f"Synthetic status report {symbol}"], "zh")
        info = DocumentInfo(symbol=symbol, language="zh", kind="status_report",
                            title=f"联检组建议的落实进展报告（测试用合成文件 {symbol}）", date=date,
                            references=["JIU/REP/2021/6"])
        entries = [StatusEntry(report="JIU/REP/2021/6", number=n, text=f"合成测试建议 {n}", acceptance=a,
                               implementation=i, implementation_raw=raw, page=1)
                   for n, a, i, raw in rows]
        load_document(engine, doc, Extraction(info, [ExtractorRun("gold", "1", "ok", [info, *entries])]))
    with session_scope(engine) as session:  # a small vocabulary: --unmapped then has something to leave out
        known = set(session.execute(select(StatusLabel.organization, StatusLabel.label)).tuples())
        session.add_all(StatusLabel(organization=org, language="zh", label=label, implementation=value)
                        for org, label, value in VOCABULARY if (org, label) not in known)


def _summed(conn: Any, source: str, columns: str, measure: str) -> Counter[tuple[Any, ...]]:
    rows = conn.execute(text(f"SELECT {columns}, {measure} FROM {source} GROUP BY {columns}")).all()
    return Counter({tuple(row[:-1]): int(row[-1]) for row in rows})


def assert_counts_match_the_views(engine: Engine) -> Counter[tuple[Any, ...]]:
    """The count tables, kept load by load, equal counting the views and observations afresh."""
    latest = "organization, addressee, report_year, acceptance, implementation"
    labels = "organization, language, field, label"
    printed = " UNION ALL ".join(
        f"SELECT organization, language, '{field}' AS field, {field}_raw AS label FROM status_entries"
        f" WHERE {field}_raw IS NOT NULL AND TRIM({field}_raw) <> ''" for field in ("acceptance", "implementation"))
    with engine.connect() as conn:
        kept = _summed(conn, "status_counts", latest, "SUM(entries)")
        assert kept == _summed(conn, "status_latest_v", latest, "COUNT(*)")
        assert _summed(conn, "status_label_counts", labels, "SUM(entries)") == _summed(
            conn, f"({printed}) p", labels, "COUNT(*)")
    return kept


VOCABULARY = (
    ("WIPO", "已落实", "implemented"), ("WIPO", "正在落实", "in_progress"), ("*", "尚未启动", "not_started"),
)


def _fill(engine: Engine, files: Path, *, gold: bool) -> None:
    from pipeline.parse.pdf import sha256_file
    from pipeline.run.files import ingest_paths
    from tests.databases import store_settings

    paths = [corpus_pdf(name) for name in CORPUS_FILES]
    names = {sha256_file(path): path.name for path in paths}
    for path in paths:
        parsed(path.name)  # parsed (and cached) before parse_pdf is patched below

    def extraction(doc: ParsedDocument) -> Extraction:
        stem = Path(doc.file_name).stem
        return gold_extraction(stem) if gold and (GOLD / f"{stem}.json").exists() else run_extractors(doc)

    with pytest.MonkeyPatch.context() as patch:
        # The stages parse the file store's copy: find the corpus name by content, parse it once per session.
        patch.setattr("pipeline.parse.pdf.parse_pdf", lambda path: parsed(names[sha256_file(Path(path))]))
        if gold:
            patch.setattr("pipeline.run.stages.run_extractors", extraction)
        summary = ingest_paths(paths, store_settings(engine, files))
    assert not summary.failures, summary.failures
    if gold:
        load_synthetic(engine)


def build_store(backend: str, tmp: pytest.TempPathFactory, stack: ExitStack, *, gold: bool) -> QueryStore:
    if backend == "sqlite":
        url = f"sqlite:///{tmp.mktemp('query-store') / 'unpipe.db'}"
    else:
        url = stack.enter_context(postgres_schema_url())
    engine = make_engine(url)
    stack.callback(engine.dispose)
    upgrade(engine)
    _fill(engine, tmp.mktemp("files"), gold=gold)
    return QueryStore(engine, url, backend)


def cli(store: QueryStore, *args: str) -> Any:
    """Run an ``unpipe`` command against a store; fails the test on a non-zero exit."""
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    result = CliRunner().invoke(app, [*args, "--db", store.url])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def cli_json(store: QueryStore, *args: str) -> Any:
    """The JSON an ``unpipe`` command prints with ``--format json``."""
    return json.loads(cli(store, *args, "--format", "json").stdout)
