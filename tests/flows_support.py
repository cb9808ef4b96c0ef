"""Shared pieces of the flow tests: one Prefect harness per session, a small corpus, settings as env.

Why a small corpus: the flow tests are about states, retries and resuming, not about parsing, so
they serve real corpus documents cut to their first pages (page 1 carries the symbol, masthead and
title the metadata extractor reads), which parse in a fraction of a second each.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import CORPUS
from tests.databases import postgres_schema_url

# Before anything imports Prefect: its home in a temporary folder, offline and quiet (the same
# defaults flows/__init__.py sets for the command line).
os.environ.setdefault("PREFECT_HOME", str(Path(tempfile.gettempdir()) / f"unpipe-test-prefect-{os.getuid()}"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

# (folder, file, pages kept: 0 = all). 22 English and 3 Chinese documents.
SMALL_CORPUS = [
    *(("en", f"A_80_604_Add.{n}.pdf", 2) for n in range(1, 14)),
    ("en", "A_79_7_Add.12.pdf", 2),
    ("en", "A_79_7_Add.13.pdf", 2),
    ("en", "A_79_772.pdf", 2),
    ("en", "JIU_REP_2025_1.pdf", 2),
    ("en", "JIU_REP_2025_2.pdf", 2),
    ("en", "JIU_NOTE_2022_1_Rev.1_review.pdf", 2),
    ("en", "A_80_188.pdf", 2),
    ("en", "A_80_271.pdf", 2),
    ("en", "A_80_590.pdf", 2),
    ("zh", "A_77_256_Add.1.pdf", 0),
    ("zh", "WO_PBC_34_6.pdf", 3),
    ("zh", "UDHR_zh.pdf", 2),
]
CHINESE_EXTRA = {
    "WO/PBC/34/6": "WIPO status report on JIU recommendations",
    "A/RES/217(III)": "Universal Declaration",
}
"""Chinese documents the Digital Library stand-in does not list as oversight documents; added as records."""


def build_small_corpus(target: Path, chosen: list[tuple[str, str, int]] = SMALL_CORPUS) -> Path:
    """Write the first pages of the chosen corpus PDFs to ``target/{en,zh}`` (with SOURCES.tsv)."""
    from pypdf import PdfReader, PdfWriter

    for folder, name, pages in chosen:
        source = CORPUS / folder / name
        out = target / folder / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if pages == 0:
            shutil.copyfile(source, out)
            continue
        reader = PdfReader(source)
        writer = PdfWriter()
        for page in reader.pages[:pages]:
            writer.add_page(page)
        with out.open("wb") as fh:
            writer.write(fh)
    shutil.copyfile(CORPUS / "SOURCES.tsv", target / "SOURCES.tsv")
    return target


def list_chinese_extras(standin: Any) -> None:
    """Make the Digital Library stand-in list the two Chinese documents it would not find otherwise."""
    from tests.standin import SECRETARY_GENERAL, CatalogEntry

    by_symbol = {e.symbol: e for e in standin.catalog}
    for symbol in CHINESE_EXTRA:
        entry = by_symbol[symbol]
        standin.add_record(
            CatalogEntry(
                symbol=symbol,
                title=entry.title,
                date=entry.date,
                author=SECRETARY_GENERAL,
                languages=["zh"],
                record_id=entry.record_id,
            )
        )


def fill_inbox(folder: Path) -> Path:
    """An inbox with one Chinese corpus PDF (in a ``zh`` folder) and one HTML page saved as a PDF."""
    from tests.badfiles import make_bad_files
    from tests.corpus import corpus_pdf

    inbox = folder / "inbox"
    (inbox / "zh").mkdir(parents=True)
    shutil.copyfile(corpus_pdf("A_77_256_Add.1.pdf"), inbox / "zh" / "A_77_256_Add.1.pdf")
    shutil.copyfile(make_bad_files(folder / "bad")["not_pdf"], inbox / "A_80_999-EN.pdf")
    return inbox


def env_for(settings: Any) -> dict[str, str]:
    """``UNPIPE_*`` variables that reproduce a Settings object (for the flows and for subprocesses)."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, list):
            value = json.dumps(value)  # pydantic-settings decodes list variables as JSON
        env[f"UNPIPE_{name.upper()}"] = str(value)
    return env


def use_settings(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Make ``get_settings()`` return these settings (through the environment, as the CLI sees it)."""
    from pipeline.core.settings import Settings, get_settings

    for name in Settings.model_fields:
        monkeypatch.delenv(f"UNPIPE_{name.upper()}", raising=False)
    for key, value in env_for(settings).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session, with the run heartbeat off (faster runs).
    Its start-up may take minutes on a shared machine under heavy load (seen: over 90 s at load 25)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=300),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture(scope="session")
def small_standin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A stand-in UN site serving the small corpus (25 documents, 22 English and 3 Chinese)."""
    from tests.standin import StandIn

    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    corpus = build_small_corpus(tmp_path_factory.mktemp("small-corpus"))
    with StandIn(corpus) as server:
        yield server


@pytest.fixture
def small_standin(small_standin_server: Any) -> Iterator[Any]:
    """The small-corpus stand-in, reset for this test, with the Chinese extras listed."""
    small_standin_server.reset()
    list_chinese_extras(small_standin_server)
    yield small_standin_server
    small_standin_server.reset()


@pytest.fixture(params=["sqlite", "postgresql"])
def flow_settings(
    request: pytest.FixtureRequest, small_standin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Settings for a flow run against the small stand-in (small timeouts and backoffs), made current;
    the store is a SQLite file or a fresh PostgreSQL schema."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_schema_url()) if request.param == "postgresql" else ""
        yield from flow_settings_for(small_standin, tmp_path, monkeypatch, url)


def flow_settings_for(
    small_standin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, **extra: Any
) -> Iterator[Any]:
    """Settings for a flow run against a stand-in (small timeouts and backoffs), made current."""
    from pipeline.core.settings import Settings
    from pipeline.run import resources

    fields: dict[str, Any] = {
        "database_url": url,
        "data_dir": tmp_path / "data",
        "ods_base_url": small_standin.url,
        "undl_base_url": small_standin.url,
        "jiu_base_url": small_standin.url,
        "http_timeout_seconds": 1.0,
        "http_retries": 2,
        "http_backoff_seconds": 0.01,
        "http_max_retry_after_seconds": 2.0,
        "http_requests_per_second": 1000.0,
        "max_download_bytes": 20_000_000,
        "workers": 2,
    }
    settings = Settings(**(fields | extra))
    use_settings(monkeypatch, settings)
    yield settings
    resources.release_resources()
    from pipeline.core.settings import get_settings

    get_settings.cache_clear()


def ingest_items(url: str) -> dict[tuple[str, str], Any]:
    """The ``ingest_items`` rows of a store, by (symbol, language)."""
    from sqlalchemy import create_engine, select

    from models import IngestItem

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {(r.symbol, r.language): r for r in conn.execute(select(IngestItem))}
    finally:
        engine.dispose()


# --- Comparing whole databases --------------------------------------------------------------------

IGNORED_COLUMNS = {"id", "created_at", "updated_at", "last_success", "seconds", "ref_id"}
"""Surrogate keys, timestamps and timings: they differ between two runs that did the same work."""
_SKIPPED_TABLES = {"alembic_version"}


def snapshot(url: str, data_dir: Path) -> dict[str, list[str]]:
    """Every table's rows, sorted, with ids replaced by natural keys and file paths made relative.

    Two stores built by different runs (one interrupted and resumed, one not) compare equal exactly
    when they hold the same documents, results and ingest states.
    """
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine, views=False)
        with engine.connect() as conn:
            rows = {
                name: [dict(r._mapping) for r in conn.execute(select(table))]
                for name, table in meta.tables.items()
                if name not in _SKIPPED_TABLES and not name.startswith("search_fts")
            }
    finally:
        engine.dispose()
    keys: dict[str, dict[Any, Any]] = {
        "document_id": {
            r["id"]: (r["symbol"], r["language"], r["sha256"]) for r in rows.get("documents", [])
        },
        "file_id": {r["id"]: r["sha256"] for r in rows.get("files", [])},
        "recommendation_id": {
            r["id"]: (r["report"], r["number"], r["language"]) for r in rows.get("recommendations", [])
        },
    }
    keys["table_id"] = {
        r["id"]: (keys["document_id"].get(r["document_id"]), r["seq"]) for r in rows.get("tables", [])
    }
    prefix = str(data_dir)
    out: dict[str, list[str]] = {}
    for name, table_rows in rows.items():
        normalised = []
        for row in table_rows:
            values = []
            for column, value in sorted(row.items()):
                if column in IGNORED_COLUMNS:
                    continue
                if column in keys:
                    value = keys[column].get(value, value)
                elif isinstance(value, str) and value.startswith(prefix):
                    value = "<data>" + value[len(prefix) :]
                elif isinstance(value, bytes):
                    value = hashlib.sha256(value).hexdigest()
                values.append(f"{column}={value!r}")
            normalised.append(", ".join(values))
        out[name] = sorted(normalised)
    return out


def stored_files(data_dir: Path) -> list[str]:
    """Names of the PDFs in a data folder's file store."""
    return sorted(p.name for p in (data_dir / "files").rglob("*.pdf"))
