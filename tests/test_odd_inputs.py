"""Inputs that used to stop whole runs: a link or a pipe in the inbox, a discovered symbol longer than the
store's column (PostgreSQL refuses it, failing the whole batch), a PDF whose oddities pdfminer warns about."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import text

from models import Document, IngestItem
from pipeline.core.settings import Settings
from pipeline.discover import catalog
from pipeline.discover.base import MAX_SYMBOL_LENGTH, Discovered
from pipeline.discover.inbox import InboxSource
from tests.corpus import corpus_pdf
from tests.databases import migrated_engine, store_settings


def test_links_and_pipes_in_the_inbox_are_skipped_with_a_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "zh").mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "A_77_256_Add.1.pdf"
    outside.parent.mkdir()
    shutil.copyfile(corpus_pdf("A_77_256_Add.1.pdf"), outside)
    shutil.copyfile(outside, inbox / "zh" / "A_77_256_Add.1.pdf")
    (inbox / "A_80_1-EN.pdf").symlink_to(outside)  # a link out of the inbox
    (inbox / "A_80_2-EN.pdf").symlink_to(inbox / "zh" / "A_77_256_Add.1.pdf")  # a link inside it
    os.mkfifo(inbox / "A_80_3-EN.pdf")  # opening it would block the run for ever
    settings = Settings(inbox_dir=inbox, data_dir=tmp_path / "data")
    with caplog.at_level(logging.WARNING, logger="pipeline.discover.inbox"):
        found = list(InboxSource().discover(None, settings))
    assert [(d.symbol, d.languages) for d in found] == [("A/77/256/Add.1", ("zh",))]
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == 3 and all("not a regular file inside the inbox" in m for m in skipped), skipped
    assert outside.is_file()  # what a link points at is never moved


ODD_SOURCE = "odd-symbols-test-source"


@contextlib.contextmanager
def source_yielding(*symbols: str) -> Iterator[str]:
    """A registered discovery source that finds these symbols (removed afterwards)."""

    @catalog.registered
    class Odd:
        name = ODD_SOURCE
        version = "1"

        def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]:
            for symbol in symbols:
                yield Discovered(symbol=symbol, source=ODD_SOURCE, languages=("en",))

    try:
        yield ODD_SOURCE
    finally:
        catalog.remove_source(ODD_SOURCE)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_symbol_longer_than_the_store_holds_is_left_out_alone(
    backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pipeline.run.resources import release_resources
    from pipeline.run.stages import load_batch, plan_batches

    assert MAX_SYMBOL_LENGTH == IngestItem.__table__.c.symbol.type.length == Document.__table__.c.symbol.type.length
    long_symbol = "A/80/" + "9" * 300
    with migrated_engine(backend, tmp_path) as engine, source_yielding("A/80/1", long_symbol, "A/80/2") as name:
        settings = store_settings(engine, tmp_path).model_copy(update={"languages": ["en"]})
        try:
            with caplog.at_level(logging.WARNING, logger="pipeline.discover.catalog"):
                batches = [load_batch(ids, settings) for ids in plan_batches(settings, sources=[name])]
        finally:
            release_resources()
        assert sorted(item.symbol for batch in batches for item in batch) == ["A/80/1", "A/80/2"]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT symbol FROM ingest_items ORDER BY symbol")).scalars().all() == [
                "A/80/1", "A/80/2"]
    assert any("symbol of 305 characters skipped" in r.getMessage() for r in caplog.records)


def test_pdf_library_warnings_stay_off_stderr(tmp_path: Path) -> None:
    """A page whose content sets a grey level with a name (``/x G``) makes pdfminer warn; the user sees the
    record, not the warning."""
    writer = PdfWriter(clone_from=PdfReader(corpus_pdf("A_80_604_Add.1.pdf")))
    page = writer.pages[0]
    contents = page.get_contents()
    assert contents is not None
    contents.set_data(b"/x G\n" + contents.get_data())
    page.replace_contents(contents)
    while len(writer.pages) > 2:
        writer.remove_page(len(writer.pages) - 1)
    odd = tmp_path / "A_80_604_Add.1.pdf"
    with odd.open("wb") as fh:
        writer.write(fh)
    with odd.open("rb") as fh:  # the file really makes pdfminer warn
        logger = logging.getLogger("pdfminer.pdfinterp")
        seen: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
        logger.addHandler(handler)
        try:
            _interpret_first_page(fh)
        finally:
            logger.removeHandler(handler)
    assert any("Cannot set gray level" in m for m in seen), seen
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", str(odd), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [f"1 record(s) written to {tmp_path / 'out'}, 0 failed"]


def _interpret_first_page(fh: Any) -> None:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager)
    PDFPageInterpreter(manager, device).process_page(next(iter(PDFPage.get_pages(fh))))
