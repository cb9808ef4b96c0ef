"""Two ``unpipe ingest`` processes on one store at the same moment (SQLite file and PostgreSQL schema): both
finish without an error and every document, file and item is stored once."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

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
