from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    TextualSelect,
    bindparam,
    column,
    text,
)

from pipeline.store.search_index import _HAN_RUN, KINDS, _words


@dataclass(frozen=True)
class Term:
    """One query term: a word, a phrase of words that must be adjacent (``A/80/596``), or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')


def parse_query(query: str) -> list[Term]:
    """Terms of a query; every term must match. ``word*`` is a prefix; ``A/80/596`` and ``"quoted words"``
    are phrases (their words adjacent, in order)."""
    terms: list[Term] = []
    for match in _QUOTED.finditer(query):
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        raw = quoted if quoted is not None else match.group(3)
        prefix = quoted is None and raw.endswith("*") and not _HAN_RUN.search(raw)
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
    from pipeline.core.errors import ConfigError

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
    """A sub-select of the ids (of paragraphs, recommendations or status rows) whose text matches, for
    ``--text`` filters."""
    terms = parse_query(query)
    q_name, kind_name = f"fts_q_{kind}", f"fts_kind_{kind}"  # one pair per kind: a query may hold two
    if dialect == "sqlite":
        sql = ("SELECT s.ref_id FROM search_fts JOIN search_docs s ON s.id = search_fts.rowid"
               f" WHERE search_fts MATCH :{q_name} AND s.kind = :{kind_name}")
        q = fts5_query(terms) if terms else '""'
    else:
        sql = f"SELECT ref_id FROM search_docs WHERE tsv @@ to_tsquery('simple', :{q_name}) AND kind = :{kind_name}"
        q = tsquery(terms) if terms else "''"
    return text(sql).bindparams(**{q_name: q, kind_name: kind}).columns(column("ref_id", Integer))


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
    status_ids = [r.ref_id for r in found if r.kind == "status"]
    statuses = {
        r.id: (" ".join(part for part in (r.text, r.remarks, r.previous_status) if part),
               f"{r.report or '—'} rec. {r.number or '—'} ({r.organization or '?'})")
        for r in conn.execute(
            text("SELECT id, text, remarks, previous_status, report, number, organization FROM status_entries"
                 " WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)), {"ids": status_ids})
    } if status_ids else {}
    doc_ids = sorted({r.document_id for r in found if r.document_id is not None})
    symbols = {
        r.id: r.symbol
        for r in conn.execute(
            text("SELECT id, symbol FROM documents WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": doc_ids})
    } if doc_ids else {}
    hits = []
    for rank, r in enumerate(found, start=1):
        texts = {"paragraph": paragraphs, "recommendation": recs, "status": statuses}[r.kind]
        body, item = texts.get(r.ref_id, ("", None))
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
