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
    """NFKC (full-width digits → ASCII), case-folded, accents dropped: what both backends index.

    Character by character through a table (``_FOLDS``), which gives the same text as normalising the
    whole string whenever every character folds on its own; a text with a character whose fold can
    depend on its neighbours (a combining mark, a Hangul jamo, an Indic vowel sign) takes the whole path.
    """
    try:
        return value.translate(_FOLDS)
    except _NeedsContext:
        return _fold_text(value)


def _fold_text(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


_COMPOSING_STARTERS = frozenset(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u0fb5\u0fb7"
    "\u102e\u1b35\U00011127\U0001133e\U00011357\U000114b0\U000114ba\U000114bd\U000115af\U00011930"
    + "".join(map(chr, range(0x1161, 0x1176))) + "".join(map(chr, range(0x11A8, 0x11C3)))
)
"""Characters of combining class 0 that canonical composition joins to the character before them (the
second half of a two-character canonical decomposition, Hangul medial and final jamo); tests derive
the set from ``unicodedata`` again."""


class _NeedsContext(Exception):
    """A character whose fold may depend on its neighbours."""


def _folds_alone(char: str) -> bool:
    """Whether ``char``'s fold is the same wherever it stands: each normalisation step's output starts
    with a character of combining class 0 that composes with nothing before it (so nothing is reordered
    or composed across it), and what is left after dropping the accents composes with nothing either."""
    start = unicodedata.normalize("NFKD", char)[0]
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char).casefold())
    return (unicodedata.combining(start) == 0 and start not in _COMPOSING_STARTERS
            and unicodedata.combining(folded[0]) == 0
            and not any(c in _COMPOSING_STARTERS for c in folded if not unicodedata.combining(c)))


class _FoldTable(dict[int, str]):
    """``str.translate`` table of each character's fold, filled as characters are met; a character
    that does not fold alone raises ``_NeedsContext``."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if not _folds_alone(char):
            raise _NeedsContext(char)
        self[code] = folded = _fold_text(char)
        return folded


_FOLDS = _FoldTable()


def _words(value: str, *, for_index: bool) -> list[str]:
    folded = _fold(value)
    if not _HAN_RUN.search(folded):  # no Chinese: the words as they are, no word split again
        return _WORD.findall(folded)
    out: list[str] = []
    for word in _WORD.findall(folded):
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
