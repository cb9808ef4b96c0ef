"""The full-text index of paragraphs, recommendations and status rows (Chinese words via jieba)."""

from __future__ import annotations

import logging
import re
import tempfile
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any, get_args

from sqlalchemy import (
    Connection,
    Integer,
    String,
    Text,
    column,
    table,
    text,
)

from extractors.lib.records import SearchableKind

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

KINDS: tuple[str, ...] = get_args(SearchableKind)


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


# --- Keeping the index current ---------------------------------------------------------------------


def reindex_document(session: Session, document_id: int, *, paragraphs: bool = True) -> None:
    """Re-index one document's paragraphs, status rows and the recommendations it makes or quotes.

    Called by the store after every load, inside the load's transaction, so the index never shows a
    half-loaded document. Index rows of recommendations no document quotes any more are dropped.
    ``paragraphs=False`` (a re-extraction: paragraphs come from the layout, not the extractors) keeps
    the paragraphs' index rows as they are, the bulk of the index and of the work.
    """
    _reindex(session.connection(), document_id, paragraphs=paragraphs)


def _reindex(conn: Connection, document_id: int, *, paragraphs: bool = True) -> None:
    kinds = "('paragraph', 'status')" if paragraphs else "('status')"
    conn.execute(text(f"DELETE FROM search_docs WHERE kind IN {kinds} AND document_id = :d"), {"d": document_id})
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
    ] if paragraphs else []
    rows += [
        _row("recommendation", r.id, r.document_id, r.language, r.page, r.text)
        for r in conn.execute(text(
            "SELECT id, document_id, language, page, text FROM recommendations WHERE id IN"
            " (SELECT recommendation_id FROM recommendation_sources WHERE document_id = :d)"
            " OR document_id = :d ORDER BY id"
        ), {"d": document_id})
    ]
    rows += [  # a status row is found by its text and by the organization's own words on it
        _row("status", r.id, r.document_id, r.language, r.page,
             " ".join(part for part in (r.text, r.remarks, r.previous_status) if part))
        for r in conn.execute(text(
            "SELECT s.id, s.document_id, s.language, s.page, s.text, s.remarks, s.previous_status"
            " FROM status_entries s WHERE s.document_id = :d ORDER BY s.seq"
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
