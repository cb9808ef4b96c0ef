"""Loading into real SQLite and PostgreSQL stores: idempotent, provenance kept, failures harmless."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from models import Document, PageRow, ParagraphRow, ParsedLayout, Reference
from pipeline.core.document import ParsedDocument
from pipeline.run.files import ingest_paths
from pipeline.store.db import session_scope
from tests.corpus import corpus_pdf
from tests.databases import migrated_engine, store_settings

SMALL_DOCS = ("A_77_256_Add.1.pdf", "A_80_604_Add.1.pdf")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with migrated_engine(request.param, tmp_path) as engine:
        yield engine


def table_counts(engine: Engine) -> dict[str, int]:
    from models import Base

    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def test_ingest_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    settings = store_settings(engine, tmp_path)
    paths = [corpus_pdf(name) for name in SMALL_DOCS]
    first = ingest_paths(paths, settings)
    assert first.counts == {"loaded": 2} and first.pages == 3 + 13
    before = table_counts(engine)
    second = ingest_paths(paths, settings)
    assert second.counts == {"unchanged": 2} and second.pages == 0  # asked the store first: nothing parsed
    assert table_counts(engine) == before
    assert before["documents"] == 2 and before["pages"] == 3 + 13
    # 6 JIU recommendations quoted in the Chinese note, 7 ACABQ recommendations in the English report.
    assert before["recommendations"] == 13 and before["recommendation_sources"] == 13
    assert before["references"] == 4 + 8


def test_switching_the_parser_parses_again_and_the_layout_records_it(engine: Engine, tmp_path: Path) -> None:
    """The parser is part of the parser version: a layout made by one parser is never reused under the
    other, while an unchanged file under the same parser is still not opened."""
    settings = store_settings(engine, tmp_path)
    plumber = settings.model_copy(update={"parser": "pdfplumber"})
    pdfium = settings.model_copy(update={"parser": "pdfium"})
    paths = [corpus_pdf("A_77_256_Add.1.pdf")]

    def stored_versions() -> tuple[str | None, str, str]:
        with session_scope(engine) as session:
            document = session.scalars(select(Document)).one()  # one document throughout: updated in place
            layout = session.get(ParsedLayout, document.id)
            assert layout is not None
            return document.parser_version, layout.parser_version, ParsedDocument.from_bytes(layout.layout).parser_version

    for parser_settings, name in ((plumber, "pdfplumber"), (pdfium, "pdfium"), (plumber, "pdfplumber")):
        switched = ingest_paths(paths, parser_settings)
        assert switched.counts == {"loaded": 1} and switched.pages == 3
        assert stored_versions() == (f"7+{name}",) * 3
        again = ingest_paths(paths, parser_settings)
        assert again.counts == {"unchanged": 1} and again.pages == 0


def test_stored_layout_round_trips_and_pages_keep_quality(engine: Engine, tmp_path: Path) -> None:
    ingest_paths([corpus_pdf("A_77_256_Add.1.pdf")], store_settings(engine, tmp_path))
    with session_scope(engine) as session:
        document = session.scalars(select(Document)).one()
        layout = session.get(ParsedLayout, document.id)
        assert layout is not None
        doc = ParsedDocument.from_bytes(layout.layout)
        assert doc.sha256 == document.sha256 and doc.page_count == 3
        pages = session.scalars(select(PageRow).where(PageRow.document_id == document.id)).all()
        assert [p.number for p in pages] == [1, 2, 3]
        assert all(p.chars > 0 and p.quality_flags == [] for p in pages)
        # Body text: no spaces between CJK characters, running header (the symbol) not in it.
        assert "联合检查组在题为" in pages[0].text
        assert "A/77/256/Add.1" not in pages[1].text.splitlines()
        paragraphs = session.scalars(
            select(ParagraphRow).where(ParagraphRow.document_id == document.id)
        ).all()
        assert any(p.role == "footnote" and "A/76/607" in p.text for p in paragraphs)


def test_same_file_under_a_new_extractor_version_is_updated_not_duplicated(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.catalog import get_extractor

    settings = store_settings(engine, tmp_path)
    path = corpus_pdf("A_77_256_Add.1.pdf")
    ingest_paths([path], settings)
    metadata = get_extractor("metadata")
    monkeypatch.setattr(type(metadata), "version", metadata.version + ".test")
    summary = ingest_paths([path], settings)
    assert summary.counts == {"loaded": 1} and summary.pages == 0  # re-extracted from the stored layout
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        refs = session.scalars(select(Reference.extractor_version)).all()
        assert all(v == metadata.version for v in refs)
