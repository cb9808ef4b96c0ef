"""Full-text search in Chinese and English (``unpipe search``), on SQLite FTS5 and PostgreSQL tsvector.

The cases were written from the corpus: each names the paragraph a reader would expect to find.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from pipeline.query.search import Term, fts5_query, parse_query, search, snippet, tsquery
from pipeline.store.search_index import index_text
from tests.query_data import QueryStore, cli, cli_json

pytest_plugins = ["tests.query_store"]

# (query, document symbol, page, words of the paragraph expected among the first three paragraph hits)
ZH_CASES = [
    ("事后分析", "A/77/256/Add.1", 2, "要求在破坏性事件后进行事后分析"),
    ("专用的资源", "A/77/256/Add.1", 1, "因缺乏足够或专用的资源"),
    ("最佳途径 测试", "A/77/256/Add.1", 2, "最佳途径是对业务连续性计划加强维护、测试、审查"),
    ("实证信息", "A/77/256/Add.1", 1, "大多是有用的实证信息"),
    ("发布 审查报告 涉及产权组织", "WO/PBC/34/6", 1, "联检组发布了 7 份审查报告"),
    ("上次 同一主题", "WO/PBC/34/6", 1, "自上次就同一主题向成员国提交报告"),
    ("408 项", "WO/PBC/34/6", 2, "联检组所有 408 项"),
    ("评估意见 成员国审议", "WO/PBC/34/6", 3, "建议提出评估意见，供成员国审议"),
    ("问卷", "WO/PBC/34/6", 1, "问卷、调查和访谈"),  # two characters
    ("机构风险管理 基准", "WO/PBC/34/6", 1, "对照联检组基准1至9"),
    ("组织复原力", "A/77/256/Add.1", 2, "以提升组织复原力"),
]
EN_CASES = [
    ("military and police personnel 14.9 per cent", "A/80/604/Add.1", 6, "or 14.9 per cent"),
    ("protection against retaliation policies", "JIU/REP/2025/2", 13, "significant risks of retaliation"),
    ("formal timelines for disciplinary proceedings", "JIU/REP/2025/2", 28, "established formal timelines"),
    ("JIU interactions with participating organizations", "E/ICEF/2025/14", 6, "effectiveness of JIU interactions"),
    ("price of fuel vehicles", "A/80/596", 20, "average price of fuel for vehicles"),
    ("resolution 350 (1974)", "A/80/604/Add.1", 4, "resolution 350 (1974)"),
    ("approval civilian personnel", "A/80/604/Add.1", 9, "for civilian personnel"),
    ("non-staff personnel contractual modalities", "E/ICEF/2025/14", 4, "use of non-staff personnel"),
    ("vetting implementing partners", "JIU/REP/2025/2", 25, "Screening and vetting processes"),
    ("environmental initiatives installation", "A/80/604/Add.1", 12, "environmental initiatives"),
    ("recommend* civilian", "A/80/604/Add.1", 9, "recommends the approval"),  # prefix
    ("A/76/607", "A/77/256/Add.1", 2, "A/76/607"),  # a symbol, as a phrase
]


def paragraph_text(engine: Engine, paragraph_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT text FROM paragraphs WHERE id = :i"), {"i": paragraph_id}).scalar_one())


@pytest.mark.parametrize(("query", "symbol", "page", "words"), ZH_CASES + EN_CASES,
                         ids=[c[0] for c in ZH_CASES + EN_CASES])
def test_search_finds_the_paragraph(gold_store: QueryStore, query: str, symbol: str, page: int, words: str) -> None:
    hits = search(gold_store.engine, query, kind="paragraph", limit=3)
    found = [h for h in hits if h.symbol == symbol and h.page == page
             and words in paragraph_text(gold_store.engine, h.ref_id)]
    assert found, [(h.symbol, h.page, h.snippet) for h in hits]
    assert "<b>" in found[0].snippet


def test_a_word_finds_longer_words_containing_it(gold_store: QueryStore) -> None:
    hits = search(gold_store.engine, "业务连续性", document="A/77/256/Add.1", limit=50)
    texts = [paragraph_text(gold_store.engine, h.ref_id) for h in hits if h.kind == "paragraph"]
    assert texts and all("业务连续性" in t for t in texts)
    assert sum("业务连续性管理" in t for t in texts) >= 5
    # Two characters from inside the word find it too: the index holds jieba's sub-words.
    inner = search(gold_store.engine, "连续", document="A/77/256/Add.1", kind="paragraph", limit=50)
    assert {h.ref_id for h in inner} >= {h.ref_id for h in hits if h.kind == "paragraph"}
    assert "<b>连续</b>性" in inner[0].snippet


def test_search_filters_by_language_kind_and_document(gold_store: QueryStore) -> None:
    hits = search(gold_store.engine, "recommendation", language="zh", limit=50)
    assert hits == [] or all(h.language == "zh" for h in hits)
    recs = search(gold_store.engine, "业务连续性", kind="recommendation", limit=50)
    assert {h.item for h in recs} >= {"JIU/REP/2021/6 rec. 1", "JIU/REP/2021/6 rec. 2"}
    assert all(h.kind == "recommendation" and h.symbol == "A/77/256/Add.1" for h in recs)
    english = search(gold_store.engine, "business continuity", limit=50)
    assert {h.language for h in english} == {"en"} and {h.item for h in english if h.kind == "recommendation"} == {
        "JIU/REP/2021/6 rec. 1"}
    only = search(gold_store.engine, "personnel", document="a/80/596", limit=100)
    assert only and {h.symbol for h in only} == {"A/80/596"}


def test_search_command_outputs(gold_store: QueryStore) -> None:
    rows = cli_json(gold_store, "search", "实证信息", "--language", "zh", "--limit", "5")
    assert rows[0]["rank"] == 1 and rows[0]["symbol"] == "A/77/256/Add.1" and "<b>实证信息</b>" in "".join(
        r["snippet"] for r in rows)
    assert list(rows[0]) == ["rank", "kind", "symbol", "language", "page", "item", "snippet", "score",
                             "document_id", "ref_id"]
    table = cli(gold_store, "search", "retaliation", "--kind", "paragraph").stdout
    assert "JIU/REP/2025/2" in table and "row(s)" in table and "<b>" not in table


def test_search_without_words_is_a_clean_error(gold_store: QueryStore) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    result = CliRunner().invoke(app, ["search", "“ ”", "--db", gold_store.url])
    assert result.exit_code == 1 and "no words" in result.output


# --- the index is kept current on load ----------------------------------------------------------------


def test_index_follows_loads_reloads_and_deletes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractors.catalog import get_extractor
    from models import Document
    from pipeline.run.files import ingest_paths
    from pipeline.store.db import make_engine, session_scope, upgrade
    from pipeline.store.search_index import rebuild_index
    from tests.corpus import corpus_pdf
    from tests.databases import store_settings

    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    settings = store_settings(engine, tmp_path)
    pdf = corpus_pdf("A_77_256_Add.1.pdf")

    def counts() -> tuple[int, int, int]:
        with engine.connect() as conn:
            return (conn.execute(text("SELECT count(*) FROM search_docs")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM paragraphs")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"审查\"'")).scalar_one())

    ingest_paths([pdf], settings)
    first = counts()
    assert first[0] >= first[1] > 0 and first[2] > 0
    ingest_paths([pdf], settings)  # unchanged: nothing re-indexed twice
    assert counts() == first
    monkeypatch.setattr(get_extractor("metadata"), "version", "test-new")
    ingest_paths([pdf], settings)  # reloaded under a new extractor version: replaced, not added
    assert counts() == first
    with engine.begin() as conn:
        assert rebuild_index(conn) == first[0]
    assert counts() == first
    with session_scope(engine) as session:
        for document in session.scalars(select(Document)).all():
            session.delete(document)
    assert counts()[0] == counts()[2] == 0


# --- pure parts -----------------------------------------------------------------------------------------


def test_index_text_holds_sub_words_and_folds_latin() -> None:
    words = index_text("业务连续性管理框架").split()
    assert {"业务", "连续", "连续性", "管理", "框架"} <= set(words)
    assert index_text("Réunion of the UNDOF, A/80/596 ２０２３") == "reunion of the undof a 80 596 2023"
    assert index_text("在2023年底前") == "在 2023 年底 前"


def test_folding_by_table_is_the_whole_string_normalisation() -> None:
    """The per-character table gives what normalising the whole text gives: accents off Latin letters,
    full-width forms to ASCII, CJK untouched, and texts whose characters fold with their neighbours
    (combining marks, Hangul jamo, an Oriya vowel sign) still right."""
    from pipeline.store.search_index import _fold, _fold_text

    cases = {
        "Réunion Ödön Ångström ÇA Ñandú": "reunion odon angstrom ca nandu",
        "業務連續性 业务连续性 年底前": "業務連續性 业务连续性 年底前",
        "２０２３ ＡＢＣ ﬁ Ⅻ": "2023 abc fi xii",
        "Straße ΑΣ Комитет": "strasse ασ комитет",
        "e\u0301te\u0301 a\u0308\u0301": "ete a",
        "\u1100\u1161\u11a8 가\u11a8": "각 각",
        "\u0b47\u0b3e": "\u0b4b",
    }
    for text_, folded in cases.items():
        assert _fold(text_) == _fold_text(text_) == folded, text_


@given(st.text(st.characters(codec="utf-8"), max_size=40)
       | st.lists(st.sampled_from("aeé\u0301\u0308A\u1100\u1161\u11a8가\u0b47\u0b3e２ﬁİΣ业"), max_size=12).map("".join))
def test_folding_by_table_matches_on_any_text(value: str) -> None:
    from pipeline.store.search_index import _fold, _fold_text

    assert _fold(value) == _fold_text(value)


def test_characters_that_compose_with_the_one_before_are_those_of_unicodedata() -> None:
    import sys
    import unicodedata

    from pipeline.store.search_index import _COMPOSING_STARTERS

    seconds = set()
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<") and not unicodedata.combining(chr(int(parts[1], 16))):
            seconds.add(chr(int(parts[1], 16)))
    hangul = {chr(c) for c in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))}  # medial and final jamo
    assert seconds | hangul == _COMPOSING_STARTERS


def test_queries_for_both_backends() -> None:
    terms = parse_query("危机管理 A/80/596 recommend*")
    assert terms == [Term(("危机",)), Term(("管理",)), Term(("a", "80", "596")), Term(("recommend",), True)]
    assert fts5_query(terms) == '"危机" AND "管理" AND "a 80 596" AND "recommend"*'
    assert tsquery(terms) == "'危机' & '管理' & ('a' <-> '80' <-> '596') & 'recommend':*"
    assert parse_query("业务连续性") == [Term(("业务连续性",))]  # kept whole: unpipe's own dictionary word
    assert parse_query("“ ” ,") == []


def test_snippet_marks_matches_in_the_original_text() -> None:
    body = "The Advisory Committee recommends the approval of the proposals. " * 5
    cut = snippet(body, parse_query("approval"), width=60)
    assert cut.startswith("…recommends the <b>approval</b> of") and cut.endswith("…")  # starts at a word
    assert snippet("联合国系统各组织业务连续性管理审查", parse_query("连续")) == "联合国系统各组织业务<b>连续</b>性管理审查"
    assert snippet("see A/80/596.", parse_query("A/80/596")) == "see <b>A/80/596</b>."
