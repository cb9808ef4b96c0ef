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
    from pipeline.parse.pdf import parse_pdf

    path = corpus_pdf("A_77_256_Add.1.pdf")
    settings = store_settings(engine, tmp_path)
    ingest_paths([path], settings)
    parsed = parse_pdf(path, parser=settings.parser)
    parsed.file_name = path.name
    with session_scope(engine) as session:
        document = session.scalars(select(Document)).one()
        layout = session.get(ParsedLayout, document.id)
        assert layout is not None
        # The parse stage's bytes, stored as they are: exactly the parsed document's own serialised form.
        assert layout.layout == parsed.to_bytes()
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


def _item_rows(engine: Engine) -> list[tuple[object, ...]]:
    from models import IngestItem

    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(IngestItem.__table__).order_by(IngestItem.id))]


def test_a_second_ingest_settles_unchanged_and_known_bad_files_without_any_stage(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked all at once: unchanged bytes end ``unchanged`` and bytes the current parser refused end
    ``failed`` with the stored reason, neither through a stage nor with a write; the other parser
    tries the refused file again."""
    import shutil

    from pipeline.parse.version import ParserName, parser_version
    from pipeline.run import files
    from tests.badfiles import make_bad_files

    settings = store_settings(engine, tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(corpus_pdf("A_77_256_Add.1.pdf"), folder / "A_77_256_Add.1.pdf")
    shutil.copyfile(make_bad_files(tmp_path / "bad")["image_only"], folder / "image_only.pdf")
    first = ingest_paths([folder], settings)
    assert first.counts == {"loaded": 1, "failed": 1}
    (refused,) = first.failures
    assert (refused.reason or "").startswith("image_only: ")
    counts, items = table_counts(engine), _item_rows(engine)

    def no_stages(path: Path, settings: object) -> object:
        raise AssertionError(f"{path.name} went through the stages")

    with monkeypatch.context() as patched:
        patched.setattr(files, "ingest_file", no_stages)
        second = ingest_paths([folder], settings)
    assert second.counts == {"unchanged": 1, "failed": 1} and second.pages == 0
    assert [(i.path, i.reason) for i in second.failures] == [(refused.path, refused.reason)]
    assert table_counts(engine) == counts and _item_rows(engine) == items  # nothing written

    # Under the other parser nothing is settled: the good file is parsed again, the bad one refused again.
    other: ParserName = "pdfium" if settings.parser == "pdfplumber" else "pdfplumber"
    switched = ingest_paths([folder], settings.model_copy(update={"parser": other}))
    assert switched.counts == {"loaded": 1, "failed": 1}
    with session_scope(engine) as session:
        failed = session.scalars(select(Document).where(Document.status == "failed")).one()
        assert (failed.failure_reason, failed.parser_version) == ("image_only", parser_version(other))


def test_a_no_op_ingest_loads_no_parser_language_model_http_client_or_migration_tool(tmp_path: Path) -> None:
    """The fixed cost of ingesting an unchanged folder: what a second ``unpipe ingest`` imports."""
    import subprocess
    import sys

    from tests.flows_support import env_for

    with migrated_engine("sqlite", tmp_path) as engine:
        settings = store_settings(engine, tmp_path / "data")
        path = corpus_pdf("A_77_256_Add.1.pdf")
        assert ingest_paths([path], settings).counts == {"loaded": 1}
        script = (
            "import sys; from pathlib import Path; from pipeline.core.settings import get_settings; "
            "from pipeline.run.files import ingest_paths; "
            f"report = ingest_paths([Path({str(path)!r})], get_settings()); "
            "heavy = ('spacy', 'jieba', 'pdfplumber', 'pypdfium2', 'pdfminer', 'httpx', 'alembic', 'prefect'); "
            "print(dict(report.counts), sorted(m for m in heavy if m in sys.modules))"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={"PATH": "/usr/bin:/bin", **env_for(settings)})
    assert done.stdout.strip() == "{'unchanged': 1} []", done.stderr
