"""Stores as users really have them: query commands open the store read-only (a read-only SQLite folder, a
SELECT-only PostgreSQL role), a missing store is an error (never a new empty one), a corrupt file or a newer
schema is one line saying what to do; and what loads write is clean for PostgreSQL (no NUL characters)."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, text

from extractors.apply import Extraction, ExtractorRun
from extractors.lib.records import DocumentInfo, Recommendation, StatusEntry
from pipeline.store.db import make_engine, upgrade
from pipeline.store.load import load_document
from tests.databases import PG_BASE, migrated_engine, postgres_schema_url
from tests.query_data import _synthetic_doc

SYMBOL = "JIU/REP/2099/1"
REC_TEXT = "Executive heads should review their continuity plans by 2099 (synthetic test text)."
QUERIES = [["recs"], ["docs"], ["search", "continuity"], ["status"], ["stats"], ["show", SYMBOL]]


def unpipe(*args: str, env: dict[str, str] | None = None, as_nobody: str = "") -> subprocess.CompletedProcess[str]:
    """The real command in a child process. ``as_nobody`` (a writable copy of the store): when the tests run
    as root, whom file modes do not stop, the child first runs the command on the copy (so every module it
    needs is imported: the interpreter's library is unreadable to others), then drops to user ``nobody``."""
    command = [sys.executable, "-m", "pipeline.cli", *args]
    if as_nobody and os.getuid() == 0:
        command = [sys.executable, "-c", DROP_TO_NOBODY, as_nobody, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env=os.environ | {"COLUMNS": "200"} | (env or {}))


DROP_TO_NOBODY = """
import contextlib, io, os, sys
from pipeline.cli import app, main
copy, args = sys.argv[1], sys.argv[2:]
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    app([a.replace(args[args.index("--db") + 1], copy) for a in args], standalone_mode=False)
os.setgroups([]); os.setgid(65534); os.setuid(65534)
sys.argv = ["unpipe", *args]
main()
"""


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "internal error" not in lines[0] and "a bug" not in lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def fill(engine: Engine, *, symbol: str = SYMBOL, rec_text: str = REC_TEXT, title: str = "Continuity") -> None:
    """One synthetic JIU report with one recommendation and one status row."""
    info = DocumentInfo(symbol=symbol, language="en", kind="jiu_report", title=title, date="2099-01-31")
    rec = Recommendation(report=symbol, number="1", text=rec_text, addressee="executive_heads", deadline=None,
                         response=None, page=1, kind="jiu")
    status = StatusEntry(report=symbol, number="1", text=rec_text, acceptance="accepted",
                         implementation="in_progress", page=1)
    load_document(engine, _synthetic_doc(symbol.replace("/", "_"), [rec_text], "en"),
                  Extraction(info, [ExtractorRun("test", "1", "ok", [info, rec, status])]))


# --- Missing, corrupt, newer ---------------------------------------------------------------------------


def test_a_missing_sqlite_store_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    where = tmp_path / "typo" / "unpipe.db"
    for args in QUERIES:
        one_line(unpipe(*args, "--db", f"sqlite:///{where}"), f"no store at {where}", "unpipe ingest")
    assert not where.parent.exists()


def test_an_empty_postgres_schema_is_no_store() -> None:
    with postgres_schema_url() as url:
        one_line(unpipe("recs", "--db", url), "no store at postgresql", "unpipe ingest")


def test_a_corrupt_sqlite_file_is_one_line_for_queries_and_ingest(tmp_path: Path) -> None:
    store = tmp_path / "unpipe.db"
    store.write_bytes(b"this was a store once " * 500)
    one_line(unpipe("recs", "--db", f"sqlite:///{store}"), str(store), "not a", "backup")
    ingest = unpipe("ingest", "--quiet", str(tmp_path / "nothing.pdf"),
                    env={"UNPIPE_DATABASE_URL": f"sqlite:///{store}", "UNPIPE_DATA_DIR": str(tmp_path)})
    assert ingest.returncode != 0 and "Traceback" not in ingest.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_newer_or_older_schema_is_one_line(backend: str, tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from pipeline.store.db import alembic_config

    first = ScriptDirectory.from_config(alembic_config()).get_base()
    with migrated_engine(backend, tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        one_line(unpipe("recs", "--db", url), "9999_from_the_future", "newer", "upgrade unpipe")
        files = tmp_path / "files"
        files.mkdir()
        shutil.copyfile(Path(__file__).parent.parent / "README.md", files / "x.pdf")
        ingest = unpipe("ingest", "--quiet", str(files),
                        env={"UNPIPE_DATABASE_URL": url, "UNPIPE_DATA_DIR": str(tmp_path / "data")})
        one_line(ingest, "9999_from_the_future", "newer")
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": first})
        one_line(unpipe("recs", "--db", url), "older", "unpipe db upgrade")


# --- Read-only access ----------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only_folder() -> Iterator[Path]:
    """A folder other users can enter (tmp_path is private to root), made read-only by the test."""
    folder = Path(tempfile.mkdtemp(prefix="unpipe-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in (folder, *folder.iterdir()):
            path.chmod(stat.S_IRWXU)
        shutil.rmtree(folder)
        shutil.rmtree(folder.with_name(folder.name + "-copy"), ignore_errors=True)


def test_queries_work_on_a_read_only_sqlite_folder() -> None:
    with read_only_folder() as folder:
        store = folder / "unpipe.db"
        engine = make_engine(f"sqlite:///{store}")
        upgrade(engine)
        fill(engine)
        engine.dispose()
        copy = folder.with_name(folder.name + "-copy") / "unpipe.db"  # removed with the folder
        copy.parent.mkdir()
        shutil.copyfile(store, copy)
        store.chmod(0o444)
        folder.chmod(0o555)
        before = sorted(p.name for p in folder.iterdir())
        for args in QUERIES:
            result = unpipe(*args, "--db", f"sqlite:///{store}", as_nobody=f"sqlite:///{copy}")
            assert result.returncode == 0, (args, result.stderr)
            assert SYMBOL in result.stdout or args == ["stats"], (args, result.stdout)
        assert sorted(p.name for p in folder.iterdir()) == before  # no lock file, no journal
        assert "<b>continuity</b> plans" in unpipe("search", "continuity", "--db", f"sqlite:///{store}",
                                            "--format", "csv", as_nobody=f"sqlite:///{copy}").stdout


@pytest.fixture
def read_only_role() -> Iterator[tuple[str, str]]:
    """A migrated, filled PostgreSQL schema, and a URL for a new role that may only SELECT from it."""
    import psycopg

    with postgres_schema_url() as owner_url:
        engine = make_engine(owner_url)
        upgrade(engine)
        fill(engine)
        schema = engine.url.query["options"].split("search_path=")[1]
        engine.dispose()
        role = f"unpipe_ro_{uuid.uuid4().hex[:10]}"
        dsn = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
            conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
            conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
        try:
            base = urlsplit(owner_url)
            yield owner_url, base._replace(netloc=base.netloc.replace("postgres@", f"{role}@", 1)).geturl()
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP OWNED BY "{role}"')
                conn.execute(f'DROP ROLE "{role}"')


def test_queries_work_with_a_read_only_postgres_role(read_only_role: tuple[str, str]) -> None:
    _, url = read_only_role
    for args in QUERIES:
        result = unpipe(*args, "--db", url)
        assert result.returncode == 0, (args, result.stderr)
        assert SYMBOL in result.stdout or args == ["stats"], (args, result.stdout)
    # The role really cannot write: the same store opened for writing fails, with one line.
    one_line(unpipe("db", "upgrade", env={"UNPIPE_DATABASE_URL": url}))


# --- What loads write ----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_nul_characters_are_removed_before_storing(backend: str, tmp_path: Path) -> None:
    with migrated_engine(backend, tmp_path) as engine:
        fill(engine, symbol="JIU/REP/2099/\x002", rec_text="Review\x00 the plans\x00.", title="Ti\x00tle")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT symbol, title FROM documents")).one() == ("JIU/REP/2099/2", "Title")
            assert conn.execute(text("SELECT report, text FROM recommendations")).one() == (
                "JIU/REP/2099/2", "Review the plans.")
            assert conn.execute(text("SELECT text FROM status_entries")).scalar() == "Review the plans."
            assert conn.execute(text("SELECT text FROM paragraphs")).scalar() == "Review the plans."


def test_a_failed_file_is_counted_as_failed(tmp_path: Path) -> None:
    from pipeline.core.errors import NotPdfError
    from pipeline.store.load import record_failure

    with migrated_engine("sqlite", tmp_path) as engine:
        result = record_failure(engine, file_name="x.pdf", sha256="0" * 64, error=NotPdfError("an HTML page"))
        assert result.status == "failed" and result.reason == "not_pdf"
