"""Two ``unpipe ingest`` processes on one store at the same moment (SQLite file and PostgreSQL schema): both
finish without an error and every document, file and item is stored once."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.corpus import CORPUS
from tests.databases import postgres_schema_url
from tests.flows_support import build_small_corpus

CHOSEN = [("en", "A_80_604_Add.1.pdf", 2), ("en", "JIU_REP_2025_2.pdf", 2), ("zh", "WO_PBC_34_6.pdf", 2)]

UNIQUE_KEYS = {
    "documents": "sha256",
    "files": "sha256",
    "ingest_items": "symbol, language",
    "recommendations": "report, number, language",
    "references": "document_id, symbol",
    "parsed_layouts": "document_id",
}


def _start(paths: list[Path], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", "--quiet", *map(str, paths)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("order", ["same", "reversed"])
def test_two_ingests_at_once_store_each_document_once(backend: str, order: str, tmp_path: Path) -> None:
    """Same order: both want the same file at once. Reversed: each loads other documents at the same
    time, whose rows (recommendations, references, files) may meet."""
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    files = build_small_corpus(tmp_path / "files", CHOSEN)
    (files / "SOURCES.tsv").unlink()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_schema_url()) if backend == "postgresql" else \
            f"sqlite:///{tmp_path / 'data' / 'unpipe.db'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("UNPIPE_") or k == "UNPIPE_SHARED_DIR"}
        env |= {"UNPIPE_DATA_DIR": str(tmp_path / "data"), "UNPIPE_DATABASE_URL": url}
        pdfs = sorted(files.rglob("*.pdf"))
        # Both open the new store together.
        first, second = _start(pdfs, env), _start(pdfs if order == "same" else pdfs[::-1], env)
        results = [(p, *p.communicate(timeout=600)) for p in (first, second)]
        for process, stdout, stderr in results:
            assert process.returncode == 0, stderr
            assert "Traceback" not in stderr and "error" not in stderr.lower(), stderr
            assert "3 document(s)" in stdout and "0 failed" in stdout, stdout
        loaded = sum(int(stdout.split(" loaded")[0].split()[-1]) for _, stdout, _ in results)
        assert 3 <= loaded <= 6  # each file loaded by one process, or by both (the second as an update)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT COUNT(*) FROM documents")).scalar() == 3
                assert conn.execute(text("SELECT COUNT(*) FROM ingest_items")).scalar() == 3
                assert conn.execute(text("SELECT COUNT(DISTINCT document_id) FROM paragraphs")).scalar() == 3
                for table, key in UNIQUE_KEYS.items():
                    doubles = conn.execute(text(
                        f"SELECT {key}, COUNT(*) FROM \"{table}\" GROUP BY {key} HAVING COUNT(*) > 1")).all()
                    assert doubles == [], (table, doubles)
        finally:
            engine.dispose()


def test_two_runs_at_once_store_each_document_once(flow_settings: Any, tmp_path: Path) -> None:
    """Two ``unpipe run`` processes (each with its own Prefect server) over the same Chinese documents of
    the stand-in UN sites, on one store and one data folder."""
    from tests.flows_support import env_for

    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
    env = base | env_for(flow_settings)
    runs = []
    for n in (1, 2):  # Prefect's home is per process here: its ephemeral server is not shared
        home = tmp_path / f"prefect-{n}"
        home.mkdir()
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "run", "--source", "undl", "--languages", "zh"],
            env=env | {"PREFECT_HOME": str(home)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [(p, *p.communicate(timeout=900)) for p in runs]
    for process, stdout, stderr in results:
        assert "Traceback" not in stderr, stderr
        assert process.returncode == 0, stderr
        assert " 0 failed" in stdout, stdout
    engine = create_engine(flow_settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM documents WHERE language = 'zh'")).scalar() >= 1
            for table, key in UNIQUE_KEYS.items():
                doubles = conn.execute(text(
                    f"SELECT {key}, COUNT(*) FROM \"{table}\" GROUP BY {key} HAVING COUNT(*) > 1")).all()
                assert doubles == [], (table, doubles)
            assert conn.execute(text(
                "SELECT COUNT(*) FROM ingest_items WHERE state NOT IN ('loaded', 'unavailable')")).scalar() == 0
    finally:
        engine.dispose()
