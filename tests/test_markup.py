"""Names and texts that look like Rich markup or emoji codes (``[/]``, ``[bold]``, ``[en]``, ``:x:``) are
printed exactly as they are, by every command and by the error handler: never a ``MarkupError``, never a
lost tag, never an emoji."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.apply import Extraction, ExtractorRun
from extractors.lib.records import DocumentInfo, Recommendation
from pipeline.store.db import make_engine, upgrade
from pipeline.store.load import load_document
from tests.flows_support import build_small_corpus
from tests.query_data import _synthetic_doc

HOSTILE = "[bold]:x:[/][en]"
SYMBOL = "A/[bold]80[/]/:x:"
TEXT = "Review the [/] continuity [en] plan :x: [red]now[/red] (synthetic test text)."
EMOJI = "❌"


def unpipe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, its output piped (as ``unpipe … > file``)."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          env=os.environ | {"COLUMNS": "200"} | (env or {}), timeout=600)


def clean(result: subprocess.CompletedProcess[str]) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "MarkupError" not in stream, stream
        assert EMOJI not in stream, stream


@pytest.fixture
def odd_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A folder whose path holds ``[/]``, ``[bold]`` and ``:x:``, with one good PDF and one HTML page."""
    folder = tmp_path / f"in{HOSTILE}"  # the name holds "/": a folder "in[bold]:x:[" with "][en]" inside
    corpus = build_small_corpus(tmp_path / "corpus", [("en", "A_80_604_Add.1.pdf", 1)])
    folder.mkdir(parents=True)
    good = folder / f"{HOSTILE.replace('/', '_')}good.pdf"
    good.write_bytes((corpus / "en" / "A_80_604_Add.1.pdf").read_bytes())
    bad = folder / ":x:[bold]bad.pdf"
    bad.write_text("<html><body>not a pdf</body></html>", encoding="utf-8")
    return good, bad


def test_extract_prints_odd_paths_as_they_are(odd_folder: tuple[Path, Path], tmp_path: Path) -> None:
    good, bad = odd_folder
    out = tmp_path / "out[/]:x:"
    result = unpipe("extract", str(good), str(bad), "--out", str(out))
    clean(result)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"failed: {bad}: ") and "not a PDF" in line for line in lines), result.stderr
    assert f"1 record(s) written to {out}, 1 failed" in lines, result.stderr
    assert (out / f"{good.stem}.json").is_file()


def test_ingest_and_docs_print_odd_paths_as_they_are(odd_folder: tuple[Path, Path], tmp_path: Path) -> None:
    good, bad = odd_folder
    data = {"UNPIPE_DATA_DIR": str(tmp_path / "data"), "UNPIPE_DATABASE_URL": ""}
    result = unpipe("ingest", str(good.parent), env=data)  # with the progress bar: a name is its text
    clean(result)
    assert result.returncode == 1
    assert f"failed: {bad}: not_pdf: " in result.stderr, result.stderr
    assert "2 document(s): 1 loaded, 0 unchanged, 1 failed" in result.stdout, result.stdout
    failed = unpipe("docs", "--failed", env=data)
    clean(failed)
    assert failed.returncode == 0, failed.stderr
    assert bad.name in failed.stdout, failed.stdout


def test_query_output_prints_odd_symbols_and_texts_as_they_are(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    info = DocumentInfo(symbol=SYMBOL, language="en", kind="jiu_report", title=f"Title {HOSTILE}")
    rec = Recommendation(report=SYMBOL, number="1", text=TEXT, addressee="executive_heads", deadline=None,
                         response=None, page=1, kind="jiu")
    load_document(engine, _synthetic_doc("odd_names_en", [TEXT], "en"),
                  Extraction(info, [ExtractorRun("test", "1", "ok", [info, rec])]))
    engine.dispose()
    for args in (["recs"], ["docs"], ["search", "continuity"], ["show", SYMBOL]):
        result = unpipe(*args, "--db", url)
        clean(result)
        assert result.returncode == 0, result.stderr
        assert SYMBOL in result.stdout, (args, result.stdout)
    recs = unpipe("recs", "--db", url).stdout
    assert "[/] continuity [en] plan :x: [red]now[/red]" in recs
    found = unpipe("search", "continuity", "--db", url).stdout
    assert "[en]" in found and ":x:" in found and "[/]" in found, found


def test_error_handler_prints_odd_symbols_and_paths_as_they_are(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(make_engine(url))
    missing = unpipe("show", SYMBOL, "--db", url)
    clean(missing)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        f"error: nothing in the store has or cites the symbol '{SYMBOL}' (list what is stored with `unpipe docs`)"]
    nowhere = tmp_path / f"no{HOSTILE}" / "store.db"
    absent = unpipe("recs", "--db", f"sqlite:///{nowhere}")
    clean(absent)
    assert absent.returncode == 1
    assert absent.stderr.strip().splitlines() == [
        f"error: no store at {nowhere} (run `unpipe ingest` first, or check --db / UNPIPE_DATABASE_URL)"]


def test_run_failure_lines_keep_their_language(capsys: pytest.CaptureFixture[str]) -> None:
    """``unpipe run`` and ``unpipe ingest`` print failures through one function; the label's ``[en]`` stays."""
    from pipeline.cli.app import print_report
    from pipeline.run.items import IngestReport, WorkItem

    item = WorkItem(SYMBOL, "en", "undl", None, "failed", outcome="failed", reason=f"not_pdf: sent {HOSTILE}")
    print_report(IngestReport([item]))
    err = capsys.readouterr().err
    assert f"failed: {SYMBOL} [en]: not_pdf: sent {HOSTILE} (" in err, err


def test_prefect_log_lines_keep_emoji_codes_and_tags() -> None:
    """``unpipe run`` also shows the run's warnings through Prefect's Rich console handler."""
    import io
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    from flows import plain_prefect_consoles

    stream = io.StringIO()
    handler = PrefectConsoleHandler(stream=stream)
    logger = logging.getLogger("unpipe.test.prefect-console")
    logger.addHandler(handler)
    try:
        plain_prefect_consoles()
        logger.warning("failed: %s: %s", f"{SYMBOL} [en]", f"not_pdf: sent {HOSTILE}")
    finally:
        logger.removeHandler(handler)
    assert f"failed: {SYMBOL} [en]: not_pdf: sent {HOSTILE}" in stream.getvalue()
    assert EMOJI not in stream.getvalue()
