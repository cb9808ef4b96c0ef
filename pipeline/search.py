"""Full-text search over paragraphs and recommendations, in Chinese and English, on SQLite and PostgreSQL.

Why segmented text: neither SQLite FTS5 nor PostgreSQL's ``simple`` configuration can split Chinese
into words, so the index holds the text already cut into words, one space between words. Chinese is cut
with jieba in search-engine mode (``业务连续性管理`` → ``业务 连续 连续性 管理``), so a query for a word
*inside* a longer one still matches; the query itself is cut in precise mode and its words are ANDed.
Latin text is case-folded and stripped of accents here, not by the database, so both backends see the
same tokens.

The index is one plain table, ``search_docs`` (created by migration 0002), kept current by
``reindex_document`` after every load. On SQLite an external-content FTS5 table (``search_fts``) follows
it through triggers; on PostgreSQL a generated ``tsvector`` column with a GIN index does.
"""

from __future__ import annotations

import logging
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    Text,
    TextualSelect,
    bindparam,
    column,
    table,
    text,
)

if TYPE_CHECKING:
    import jieba
    from sqlalchemy.orm import Session

# Words jieba's default dictionary splits, kept whole so queries for them match exactly.
ZH_WORDS = (
    "行预咨委会", "联检组", "检查专员", "行政首长", "立法机关", "理事机构", "会员国", "业务连续性",
    "性剥削和性虐待", "监督机构",
)

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(r"[^\W_]+")
_HAN_SPLIT = re.compile(f"([{_HAN}]+)")
_HAN_RUN = re.compile(f"[{_HAN}]+")

search_docs = table(
    "search_docs",
    column("id", Integer),
    column("kind", String),
    column("ref_id", Integer),
    column("document_id", Integer),
    column("language", String),
    column("page", Integer),
    column("body", Text),
)
"""The index table, as Core (it is not an ORM model: the models describe extracted data only)."""

KINDS = ("paragraph", "recommendation")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """A private jieba instance: extractors add words to the global one, which would make the index
    depend on which extractors happened to run in the process that built it."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    for word in ZH_WORDS:
        tokenizer.add_word(word, freq=200000)
    return tokenizer


def _fold(value: str) -> str:
    """NFKC (full-width digits → ASCII), case-folded, accents dropped: what both backends index."""
    value = unicodedata.normalize("NFKC", value).casefold()
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _words(value: str, *, for_index: bool) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(_fold(value)):
        for part in _HAN_SPLIT.split(word):
            if not part:
                continue
            if _HAN_RUN.fullmatch(part):
                cut = _tokenizer().cut_for_search if for_index else _tokenizer().cut
                out.extend(w for w in cut(part, HMM=False) if _WORD.fullmatch(w))
            else:
                out.append(part)
    return out


def index_text(value: str) -> str:
    """The segmented form of a text, as stored in ``search_docs.body``."""
    return " ".join(_words(value, for_index=True))


@dataclass(frozen=True)
class Term:
    """One query term: a word, a phrase of words that must be adjacent (``A/80/596``), or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Terms of a query; every term must match. ``word*`` is a prefix; ``A/80/596`` a phrase."""
    terms: list[Term] = []
    for raw in query.split():
        prefix = raw.endswith("*") and not _HAN_RUN.search(raw)
        if _HAN_RUN.search(raw):
            # Chinese words are ANDed, not phrased: the index also holds sub-words between them.
            terms.extend(Term((w,)) for w in _words(raw, for_index=False))
            continue
        words = tuple(_words(raw, for_index=False))
        if words:
            terms.append(Term(words, prefix=prefix))
    return list(dict.fromkeys(terms))


def fts5_query(terms: list[Term]) -> str:
    """The FTS5 MATCH expression (words are ``[^\\W_]+``, so quoting is safe)."""
    parts = []
    for term in terms:
        phrase = '"' + " ".join(term.words) + '"'
        parts.append(phrase + ("*" if term.prefix else ""))
    return " AND ".join(parts)


def tsquery(terms: list[Term]) -> str:
    """The PostgreSQL ``to_tsquery('simple', …)`` expression for the same terms."""
    parts = []
    for term in terms:
        words = [f"'{w}'" for w in term.words]
        if term.prefix:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " & ".join(parts)


# --- Keeping the index current ---------------------------------------------------------------------


def reindex_document(session: Session, document_id: int) -> None:
    """Re-index one document's paragraphs and the recommendations it makes or quotes.

    Called by the store after every load, inside the load's transaction, so the index never shows a
    half-loaded document. Index rows of recommendations no document quotes any more are dropped.
    """
    _reindex(session.connection(), document_id)


def _reindex(conn: Connection, document_id: int) -> None:
    conn.execute(text("DELETE FROM search_docs WHERE kind = 'paragraph' AND document_id = :d"), {"d": document_id})
    conn.execute(text(
        "DELETE FROM search_docs WHERE kind = 'recommendation' AND (ref_id NOT IN (SELECT id FROM recommendations)"
        " OR ref_id IN (SELECT recommendation_id FROM recommendation_sources WHERE document_id = :d)"
        " OR ref_id IN (SELECT id FROM recommendations WHERE document_id = :d))"
    ), {"d": document_id})
    rows = [
        _row("paragraph", r.id, r.document_id, r.language, r.page, r.text)
        for r in conn.execute(text(
            "SELECT p.id, p.document_id, d.language, p.page, p.text FROM paragraphs p"
            " JOIN documents d ON d.id = p.document_id WHERE p.document_id = :d ORDER BY p.seq"
        ), {"d": document_id})
    ]
    rows += [
        _row("recommendation", r.id, r.document_id, r.language, r.page, r.text)
        for r in conn.execute(text(
            "SELECT id, document_id, language, page, text FROM recommendations WHERE id IN"
            " (SELECT recommendation_id FROM recommendation_sources WHERE document_id = :d)"
            " OR document_id = :d ORDER BY id"
        ), {"d": document_id})
    ]
    if rows:
        conn.execute(search_docs.insert(), rows)


def _row(kind: str, ref_id: int, document_id: int | None, language: str | None, page: int | None,
         value: str) -> dict[str, Any]:
    return {"kind": kind, "ref_id": ref_id, "document_id": document_id, "language": language, "page": page,
            "body": index_text(value)}


def rebuild_index(conn: Connection) -> int:
    """Rebuild the whole index (for a store loaded before the index existed); returns the rows indexed."""
    conn.execute(text("DELETE FROM search_docs"))
    ids = [row[0] for row in conn.execute(text("SELECT id FROM documents ORDER BY id"))]
    for document_id in ids:
        _reindex(conn, document_id)
    orphans = conn.execute(text(
        "SELECT id, document_id, language, page, text FROM recommendations WHERE document_id IS NULL"
    )).all()
    if orphans:
        conn.execute(search_docs.insert(),
                     [_row("recommendation", r.id, None, r.language, r.page, r.text) for r in orphans])
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    return int(conn.execute(text("SELECT count(*) FROM search_docs")).scalar_one())


# --- Searching ---------------------------------------------------------------------------------------


@dataclass
class Hit:
    """One search result: where it is, how well it matched, and a snippet with the matches marked."""

    rank: int
    kind: str
    symbol: str | None
    language: str | None
    page: int | None
    item: str | None
    """The paragraph number, or ``REPORT rec. N`` for a recommendation."""
    snippet: str
    """Text around the best match; matched words are wrapped in ``<b>…</b>``."""
    score: float
    document_id: int | None
    ref_id: int


def search(
    engine: Engine,
    query: str,
    *,
    language: str | None = None,
    kind: str | None = None,
    document: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Ranked hits for a query (every term must match), best first."""
    from pipeline.errors import ConfigError

    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    terms = parse_query(query)
    if not terms:
        raise ConfigError(f"the query {query!r} has no words to search for")
    filters: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if language:
        filters.append("s.language = :language")
        params["language"] = language
    if kind:
        filters.append("s.kind = :kind")
        params["kind"] = kind
    if document:
        filters.append("lower(d.symbol) = lower(:document)")
        params["document"] = document
    where = "".join(f" AND {f}" for f in filters)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            params["q"] = fts5_query(terms)
            sql = (
                "SELECT s.id, s.kind, s.ref_id, s.document_id, s.language, s.page, -bm25(search_fts) AS score"
                " FROM search_fts JOIN search_docs s ON s.id = search_fts.rowid"
                " LEFT JOIN documents d ON d.id = s.document_id"
                f" WHERE search_fts MATCH :q{where} ORDER BY bm25(search_fts), s.id LIMIT :limit"
            )
        else:
            params["q"] = tsquery(terms)
            sql = (
                "SELECT s.id, s.kind, s.ref_id, s.document_id, s.language, s.page,"
                " ts_rank(s.tsv, to_tsquery('simple', :q), 1) AS score FROM search_docs s"
                " LEFT JOIN documents d ON d.id = s.document_id"
                f" WHERE s.tsv @@ to_tsquery('simple', :q){where} ORDER BY score DESC, s.id LIMIT :limit"
            )
        found = conn.execute(text(sql), params).all()
        return _hits(conn, found, terms)


def match_subquery(dialect: str, query: str, kind: str) -> TextualSelect:
    """A sub-select of the ids (paragraph or recommendation) whose text matches, for ``--text`` filters."""
    terms = parse_query(query)
    if dialect == "sqlite":
        sql = ("SELECT s.ref_id FROM search_fts JOIN search_docs s ON s.id = search_fts.rowid"
               " WHERE search_fts MATCH :fts_q AND s.kind = :fts_kind")
        q = fts5_query(terms) if terms else '""'
    else:
        sql = "SELECT ref_id FROM search_docs WHERE tsv @@ to_tsquery('simple', :fts_q) AND kind = :fts_kind"
        q = tsquery(terms) if terms else "''"
    return text(sql).bindparams(fts_q=q, fts_kind=kind).columns(column("ref_id", Integer))


def _hits(conn: Connection, found: Sequence[Any], terms: list[Term]) -> list[Hit]:
    para_ids = [r.ref_id for r in found if r.kind == "paragraph"]
    rec_ids = [r.ref_id for r in found if r.kind == "recommendation"]
    paragraphs = {
        r.id: (r.text, r.number)
        for r in conn.execute(
            text("SELECT id, text, number FROM paragraphs WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": para_ids})
    } if para_ids else {}
    recs = {
        r.id: (r.text, f"{r.report} rec. {r.number}")
        for r in conn.execute(
            text("SELECT id, text, report, number FROM recommendations WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": rec_ids})
    } if rec_ids else {}
    doc_ids = sorted({r.document_id for r in found if r.document_id is not None})
    symbols = {
        r.id: r.symbol
        for r in conn.execute(
            text("SELECT id, symbol FROM documents WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": doc_ids})
    } if doc_ids else {}
    hits = []
    for rank, r in enumerate(found, start=1):
        body, item = (paragraphs if r.kind == "paragraph" else recs).get(r.ref_id, ("", None))
        hits.append(Hit(rank=rank, kind=r.kind, symbol=symbols.get(r.document_id), language=r.language,
                        page=r.page, item=item, snippet=snippet(body, terms), score=round(float(r.score), 4),
                        document_id=r.document_id, ref_id=r.ref_id))
    return hits


def snippet(body: str, terms: list[Term], width: int = 160) -> str:
    """About ``width`` characters of ``body`` around the densest cluster of matches, matches in ``<b>``."""
    spans = _match_spans(body, terms)
    if not spans:
        return body[:width] + ("…" if len(body) > width else "")
    # The window starting a little before the match that has most other matches within reach.
    best = max(spans, key=lambda s: sum(1 for o in spans if s[0] <= o[0] < s[0] + width))
    start = max(0, best[0] - width // 4)
    end = min(len(body), start + width)
    start = max(0, end - width)
    if start > 0 and body[start - 1].isalnum() and not _HAN_RUN.match(body[start - 1]):
        space = body.find(" ", start, best[0])  # start at a word, not in the middle of one
        start = space + 1 if space != -1 else start
    out, cursor = [], start
    for a, b in spans:
        if b <= start or a >= end or a < cursor:
            continue
        out.append(body[cursor:a])
        out.append(f"<b>{body[a:min(b, end)]}</b>")
        cursor = min(b, end)
    out.append(body[cursor:end])
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(body) else "")


def _match_spans(body: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the query's words occur in the original text (case-insensitively; whole words for Latin)."""
    folded = body.casefold()
    if len(folded) != len(body):  # a rare character whose case-folding changes the length
        folded = body.lower()
    spans: list[tuple[int, int]] = []
    for term in terms:
        if len(term.words) == 1 and _HAN_RUN.fullmatch(term.words[0]):
            pattern = re.escape(term.words[0])
        else:  # Latin words, and phrases such as A/80/596: whole words, any separators between them
            tail = r"\w*" if term.prefix else r"(?![^\W_])"
            pattern = r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in term.words) + tail
        spans.extend(m.span() for m in re.finditer(pattern, folded))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
