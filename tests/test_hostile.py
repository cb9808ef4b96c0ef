"""Nothing one document does can stop a command (issue 13): hostile PDFs built in code, real parse
workers under small limits, real SQLite files and PostgreSQL schemas, real Prefect flows.

Each hostile file must end ``failed`` with its reason (``resource_limit``, ``timeout``, or the error
class and stage for an unexpected error), a good PDF given in the same command must be extracted or
stored, the command must exit non-zero with its summary line and no traceback, and what the store held
before must be untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from models import Document, IngestItem
from tests.badfiles import flate_bomb, huge_inline_image, many_chars_page, page_without_mediabox
from tests.corpus import corpus_pdf
from tests.databases import postgres_schema_url

GOOD_ZH = "A_77_256_Add.1.pdf"
GOOD_EN = "A_80_500.pdf"

LIMITS = {
    "parse_memory_limit_bytes": 300 << 20,
    "parse_timeout_seconds": 60.0,
    "parse_timeout_per_page_seconds": 0.0,
    "parse_max_stream_bytes": 64 << 20,
    "parser": "pdfplumber",
}
"""Small limits, so each hostile file fails in seconds (a worker holds about 80 MB of address space, 100 MB
after parsing a good 3-page PDF);
the time limit is left long enough that the page of many characters meets the memory limit first.
The pdfplumber (pdfminer) path is the one these files are hostile to; what the pdfium path makes of
them is its own test below."""

EXPECTED = {  # file → (reason code, words its reason must hold)
    "A_80_901-EN.pdf": ("resource_limit", "inflates to more than the cap"),
    "A_80_902-EN.pdf": ("resource_limit", "inline image declares"),
    "A_80_903-EN.pdf": ("error", "parse: TypeError"),
    "A_80_904-EN.pdf": ("resource_limit", "memory limit"),
}


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Flate bomb (400 MB inflated), a 108 MB inline image (declared), a page without /MediaBox and
    a page of 200,000 characters (about 2.3 KB of parser memory each), named like UN documents so the
    store files them under a symbol."""
    folder = tmp_path_factory.mktemp("hostile")
    flate_bomb(folder / "A_80_901-EN.pdf", 400 << 20)
    huge_inline_image(folder / "A_80_902-EN.pdf", 6000, 6000, data_bytes=4096)
    page_without_mediabox(folder / "A_80_903-EN.pdf")
    many_chars_page(folder / "A_80_904-EN.pdf", 200_000)
    return folder


def limit_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNPIPE_")}
    env.update({f"UNPIPE_{name.upper()}": str(value) for name, value in LIMITS.items()})
    env["UNPIPE_SHARED_DIR"] = os.environ.get("UNPIPE_SHARED_DIR", str(corpus_pdf(GOOD_ZH).parents[2]))
    return env | extra


def unpipe(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def failure_lines(stderr: str) -> dict[str, str]:
    """File name → its ``failed:`` line."""
    return {Path(line.split(": ")[1]).name: line for line in stderr.splitlines() if line.startswith("failed: ")}


# --- unpipe extract -------------------------------------------------------------------------------


def test_extract_fails_each_hostile_file_and_extracts_the_good_ones(hostile_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    hostile = sorted(hostile_dir.glob("*.pdf"))
    good = [corpus_pdf(GOOD_ZH), corpus_pdf(GOOD_EN)]
    result = unpipe("extract", *map(str, [hostile[0], good[0], *hostile[1:], good[1]]), "--out", str(out),
                    env=limit_env())

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    failures = failure_lines(result.stderr)
    assert sorted(failures) == sorted(EXPECTED)
    for name, (code, words) in EXPECTED.items():
        reason = failures[name].split(": ", 2)[2]
        assert reason.startswith(f"{code}: parse: ") and words in reason, failures[name]
    assert "2 record(s) written" in result.stderr and "4 failed" in result.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(p.stem + ".json" for p in good)
    for path in good:
        record = json.loads((out / (path.stem + ".json")).read_text(encoding="utf-8"))
        assert record["source"]["pages"] == 3 and record["document"]["symbol"]


def test_pdfium_reads_three_of_the_hostile_files_and_the_bomb_meets_the_memory_limit(
    hostile_dir: Path, tmp_path: Path
) -> None:
    """pdfium does not decode an image to read text, gives a page without /MediaBox the default box and
    keeps 200,000 characters in little memory, so those three are ordinary documents to it; the Flate
    bomb is still inflated, and the worker's memory limit stops it."""
    out = tmp_path / "out"
    hostile = sorted(hostile_dir.glob("*.pdf"))
    result = unpipe("extract", *map(str, [*hostile, corpus_pdf(GOOD_EN)]), "--out", str(out),
                    env=limit_env(UNPIPE_PARSER="pdfium"))

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    failures = failure_lines(result.stderr)
    assert sorted(failures) == ["A_80_901-EN.pdf"]
    assert "resource_limit: " in failures["A_80_901-EN.pdf"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.stem + ".json" for p in [*hostile[1:], corpus_pdf(GOOD_EN)])


def test_the_bomb_hits_the_memory_limit_when_the_stream_cap_allows_it(hostile_dir: Path, tmp_path: Path) -> None:
    """With the inflate cap raised past the bomb, the worker's RLIMIT_AS stops it; the worker is replaced
    and the good file after it is extracted."""
    env = limit_env(UNPIPE_PARSE_MAX_STREAM_BYTES=str(2 << 30))
    result = unpipe("extract", str(hostile_dir / "A_80_901-EN.pdf"), str(corpus_pdf(GOOD_EN)), "--out",
                    str(tmp_path), env=env)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = failure_lines(result.stderr)["A_80_901-EN.pdf"]
    assert "resource_limit: parse: ResourceLimitExceeded:" in line and "memory limit" in line
    assert "UNPIPE_PARSE_MEMORY_LIMIT_BYTES" in line  # says what to do next
    assert (tmp_path / "A_80_500.json").is_file()


def test_a_slow_page_times_out_and_the_limit_grows_with_the_page_count(tmp_path: Path) -> None:
    """A page of 100,000 characters (seconds of parsing) fails at a 0.5 s limit, the worker killed then,
    not when the parse would end; with a per-page allowance the same file parses."""
    from pipeline.core.errors import ParseTimeout
    from pipeline.core.settings import Settings
    from pipeline.run.resources import close_parse_pools, parse_file

    slow = many_chars_page(tmp_path / "slow.pdf", 100_000)
    tight = Settings(**(LIMITS | {"parse_timeout_seconds": 0.5}))
    roomy = Settings(**(LIMITS | {"parse_timeout_seconds": 0.5, "parse_timeout_per_page_seconds": 300.0}))
    try:
        started = time.monotonic()
        with pytest.raises(ParseTimeout, match="UNPIPE_PARSE_TIMEOUT_SECONDS"):
            parse_file(slow, tight)
        assert time.monotonic() - started < 0.5 + 5
        assert parse_file(slow, roomy).page_count == 1
    finally:
        close_parse_pools()


def test_started_parse_workers_run_before_the_first_pdf_and_parse_it(tmp_path: Path) -> None:
    """``ParsePool.start`` spawns the workers at once, so their start-up overlaps what the run does
    next; the PDFs then go to those processes, and starting again starts none."""
    from pipeline.core.settings import Settings
    from pipeline.run.sandbox import ParsePool

    settings = Settings(**LIMITS)
    pool = ParsePool(2, settings)
    try:
        pool.start()
        assert len(pool.started) == 2 and all(w.process.is_alive() for w in pool.started)
        pages = [pool.parse((str(corpus_pdf("A_77_256_Add.1.pdf")), str(tmp_path / f"{n}.json.gz"), "x.pdf",
                             settings.parser), settings) for n in range(3)]
        assert pages == [3, 3, 3]
        pool.start()
        assert len(pool.started) == 2 and all(w.ready for w in pool.started)  # both took PDFs
    finally:
        pool.close()


# --- unpipe ingest (SQLite and PostgreSQL) --------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ingest_fails_each_hostile_file_and_keeps_the_store(backend: str, hostile_dir: Path, tmp_path: Path) -> None:
    sqlite = contextlib.nullcontext(f"sqlite:///{tmp_path / 'store.db'}")
    with postgres_schema_url() if backend == "postgresql" else sqlite as url:
        env = limit_env(UNPIPE_DATABASE_URL=url, UNPIPE_DATA_DIR=str(tmp_path / "data"))
        first = unpipe("ingest", "--quiet", str(corpus_pdf(GOOD_EN)), env=env)
        assert first.returncode == 0, first.stderr
        before = _documents(url)

        result = unpipe("ingest", "--quiet", *map(str, sorted(hostile_dir.glob("*.pdf"))), str(corpus_pdf(GOOD_ZH)),
                        env=env)

        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "5 document(s): 1 loaded, 0 unchanged, 4 failed" in result.stdout
        failures = failure_lines(result.stderr)
        assert sorted(failures) == sorted(EXPECTED)
        items = _items(url)
        for name, (code, words) in EXPECTED.items():
            state, reason = items[name]
            assert state == "failed" and reason.startswith(f"{code}: ") and words in reason, (name, reason)
        assert items[GOOD_ZH][0] == "loaded"
        after = _documents(url)
        assert {k: v for k, v in after.items() if k in before} == before  # earlier rows untouched
        assert after[GOOD_ZH][0] == "loaded"


def _documents(url: str) -> dict[str, tuple[Any, ...]]:
    """File name → (status, sha256, updated_at) of every stored document."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Document.file_name, Document.status, Document.sha256, Document.updated_at))
            return {name: tuple(rest) for name, *rest in rows}
    finally:
        engine.dispose()


def _items(url: str) -> dict[str, tuple[str, str]]:
    """File name → (state, reason) of every ``ingest_items`` row."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(IngestItem.url, IngestItem.state, IngestItem.reason)).all()
        return {Path(url or "").name: (state, reason or "") for url, state, reason in rows}
    finally:
        engine.dispose()


# --- unpipe run (the Prefect ingest flow, fed by the inbox) ----------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("flow_settings", ["sqlite"], indirect=True)
def test_run_fails_each_hostile_inbox_file_and_loads_the_good_one(
    flow_settings: Any, hostile_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.flows_support import use_settings

    inbox = tmp_path / "inbox"
    (inbox / "zh").mkdir(parents=True)
    shutil.copyfile(corpus_pdf(GOOD_ZH), inbox / "zh" / GOOD_ZH)
    for path in hostile_dir.glob("*.pdf"):
        shutil.copyfile(path, inbox / path.name)
    use_settings(monkeypatch, flow_settings.model_copy(update={"inbox_dir": inbox, **LIMITS}))

    result = CliRunner().invoke(app, ["run", "--source", "inbox"])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "5 document(s): 1 loaded, 0 unchanged, 4 failed" in result.output
    items = _items(flow_settings.resolved_database_url)
    for name, (code, words) in EXPECTED.items():
        state, reason = items[name]
        assert state == "failed" and reason.startswith(f"{code}: ") and words in reason, (name, reason)
    assert items[GOOD_ZH][0] == "loaded"
    assert sorted(p.name for p in inbox.rglob("*.pdf")) == sorted(EXPECTED)  # the good file was archived


# --- unpipe reextract ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("flow_settings", ["sqlite"], indirect=True)
def test_reextract_fails_a_damaged_layout_and_updates_the_others(
    flow_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from models import ParsedLayout
    from pipeline.cli import app
    from pipeline.run.files import ingest_paths

    ingest_paths([corpus_pdf(GOOD_ZH), corpus_pdf(GOOD_EN)], flow_settings)
    engine = create_engine(flow_settings.resolved_database_url)
    with engine.begin() as conn:
        damaged = conn.execute(select(Document.id).where(Document.file_name == GOOD_EN)).scalar_one()
        conn.execute(ParsedLayout.__table__.update().where(ParsedLayout.document_id == damaged)
                     .values(layout=b"\x1f\x8b not a layout"))

    result = CliRunner().invoke(app, ["reextract", "--extractor", "tables"])

    engine.dispose()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "2 document(s) re-extracted: tables ×1" in result.output
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "reextract:" in failed[0]


# --- Transient database errors ---------------------------------------------------------------------


def test_a_locked_sqlite_store_is_retried_then_fails_the_step_only(tmp_path: Path) -> None:
    """Real "database is locked": another connection holds the write lock; the step waits out a short
    lock with retries, and past its retries fails with a TransientStoreError (not a crash)."""
    import sqlite3

    from pipeline.core.errors import TransientStoreError
    from pipeline.core.settings import Settings
    from pipeline.run.isolate import with_db_retries

    path = tmp_path / "locked.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x INTEGER)").connection.commit()
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})

    def write() -> int:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        return 1

    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    settings = Settings(db_retries=6, db_backoff_seconds=0.05)
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        assert with_db_retries(settings, write, "a write") == 1
    finally:
        release.join()
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(TransientStoreError, match="database is locked"):
            with_db_retries(Settings(db_retries=2, db_backoff_seconds=0.01), write, "a write")
    finally:
        holder.execute("COMMIT")
        holder.close()
        engine.dispose()


def test_postgres_connections_killed_mid_ingest_end_with_a_summary_and_a_rerun_completes(tmp_path: Path) -> None:
    """Terminate this test's own backends (found by a unique application_name) while ``unpipe ingest``
    runs: it ends with its summary line and no traceback; a rerun loads everything."""
    import psycopg

    from tests.databases import PG_BASE

    folder = tmp_path / "pdfs"
    folder.mkdir()
    names = [GOOD_EN, "DP_2025_4.pdf", "S_PV.10100.pdf", "A_RES_78_276.pdf", GOOD_ZH]
    for name in names:
        shutil.copyfile(corpus_pdf(name), folder / name)
    tag = f"unpipe-test-{uuid.uuid4().hex[:12]}"
    admin = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    with postgres_schema_url() as url:
        env = limit_env(UNPIPE_DATABASE_URL=f"{url}&application_name={tag}", UNPIPE_DATA_DIR=str(tmp_path / "data"),
                        UNPIPE_DB_BACKOFF_SECONDS="0.2")
        process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", "--quiet", str(folder)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        killed = 0
        with psycopg.connect(admin, autocommit=True) as conn:
            deadline = time.monotonic() + 300
            while process.poll() is None and time.monotonic() < deadline and _loaded_count(conn, url) < 1:
                time.sleep(0.1)
            stop_at = time.monotonic() + KILL_SECONDS  # then kill every connection it opens, for a while
            while process.poll() is None and time.monotonic() < stop_at:
                killed += conn.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                    (tag,),
                ).fetchone()[0]  # type: ignore[index]
                time.sleep(0.05)
        stdout, stderr = process.communicate(timeout=600)
        assert killed >= 1, "the ingest ended before a connection could be terminated"
        assert "Traceback" not in stderr, stderr
        assert "database error, try 2" in stderr  # a statement on a killed connection was retried
        assert "document(s):" in stdout and process.returncode in (0, 1), (stdout, stderr)

        again = unpipe("ingest", "--quiet", str(folder), env=env)

        assert again.returncode == 0, again.stderr
        items = _items(url)
        assert {name: items[name][0] for name in names} == dict.fromkeys(names, "loaded")
        assert sorted(_documents(url)) == sorted(names)


KILL_SECONDS = 5.0
"""How long, after the first document is loaded, every connection of the ingest is terminated."""


def _loaded_count(conn: Any, url: str) -> int:
    from urllib.parse import unquote

    schema = unquote(url).split("search_path=")[1].split("&")[0]
    exists = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".ingest_items',)).fetchone()[0]
    if exists is None:
        return 0
    return int(conn.execute(f'SELECT count(*) FROM "{schema}".ingest_items WHERE state = %s',
                            ("loaded",)).fetchone()[0])


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_postgres_connections_killed_mid_run_end_with_a_summary_and_a_rerun_completes(tmp_path: Path) -> None:
    """``unpipe run`` (the Prefect flow, fed by the inbox) while its backends are terminated. Once its plan
    is recorded, ``ingest_items`` is locked, so every batch's read of its items blocks and is terminated
    (certain, not a matter of timing) until the lock goes; then a backend is terminated every few tenths
    of a second while the documents are stored. The run ends with its summary, no traceback, exit 0 or 1,
    nothing stored twice; a rerun loads everything."""
    import psycopg
    from prefect.settings import PREFECT_API_URL

    from tests.databases import PG_BASE

    inbox = tmp_path / "inbox"
    for folder, name in [("en", GOOD_EN), ("en", "DP_2025_4.pdf"), ("en", "S_PV.10100.pdf"),
                         ("en", "A_RES_78_276.pdf"), ("zh", GOOD_ZH)]:
        (inbox / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus_pdf(name), inbox / folder / name)
    names = sorted(p.name for p in inbox.rglob("*.pdf"))
    tag = f"unpipe_kill_test_{uuid.uuid4().hex[:12]}"
    admin = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    with postgres_schema_url() as url:
        schema = _schema(url)
        env = {k: v for k, v in limit_env().items() if not k.startswith("PREFECT_")} | {
            "UNPIPE_DATABASE_URL": f"{url}&application_name={tag}", "UNPIPE_DATA_DIR": str(tmp_path / "data"),
            "UNPIPE_INBOX_DIR": str(inbox), "UNPIPE_BATCH_SIZE": "1", "UNPIPE_WORKERS": "1",
            "UNPIPE_DB_BACKOFF_SECONDS": "0.2", "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "PREFECT_HOME": str(tmp_path / "prefect")}
        command = [sys.executable, "-m", "pipeline.cli", "run", "--source", "inbox"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        killed = blocked = 0
        with psycopg.connect(admin, autocommit=True) as conn, psycopg.connect(admin) as locker:
            deadline = time.monotonic() + 300
            while process.poll() is None and time.monotonic() < deadline and not _planned(conn, schema):
                time.sleep(0.01)
            locker.execute(f'LOCK TABLE "{schema}".ingest_items IN ACCESS EXCLUSIVE MODE')
            lock_until = deadline
            while process.poll() is None and time.monotonic() < lock_until:
                waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                                       "AND wait_event_type = 'Lock'", (tag,)).fetchone()[0]  # type: ignore[index]
                if waiting and not blocked:
                    lock_until = time.monotonic() + LOCK_SECONDS
                blocked += waiting
                killed += _terminate(conn, tag)
                time.sleep(0.02)
            locker.rollback()  # the lock goes
            stop_at = time.monotonic() + KILL_SECONDS
            while process.poll() is None and time.monotonic() < stop_at:
                killed += _terminate(conn, tag)
                time.sleep(0.3)
        stdout, stderr = process.communicate(timeout=600)
        print(f"terminated {killed} backend(s); {blocked} blocked read(s) seen")
        assert blocked >= 1, "no batch read its items while the table was locked"
        assert "Traceback" not in stderr, stderr
        assert process.returncode in (0, 1), (process.returncode, stdout, stderr)
        assert f"{len(names)} document(s):" in stdout, (stdout, stderr)
        _assert_stored_once(url)

        again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)

        assert again.returncode == 0, (again.stdout, again.stderr)
        assert " 0 failed" in again.stdout, again.stdout
        items = _items(url)
        assert {name: items[name][0] for name in names} == dict.fromkeys(names, "loaded")
        assert sorted(_documents(url)) == names
        _assert_stored_once(url)


LOCK_SECONDS = 1.0
"""How long batches' reads are held and terminated: less than the retries' 0.2 + 0.4 + 0.8 + 1.6 s, so
the batches read their items on a retry and go on."""


def _schema(url: str) -> str:
    from urllib.parse import unquote

    return unquote(url).split("search_path=")[1].split("&")[0]


def _planned(conn: Any, schema: str) -> bool:
    """True once discovery's last transaction (the sources' cursors) is committed."""
    if conn.execute("SELECT to_regclass(%s)", (f'"{schema}".source_cursors',)).fetchone()[0] is None:
        return False
    return bool(conn.execute(f'SELECT count(*) FROM "{schema}".source_cursors').fetchone()[0])


def _terminate(conn: Any, tag: str) -> int:
    """Terminate every backend of the command under test; how many there were."""
    return int(conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = %s", (tag,)).fetchone()[0])


def _assert_stored_once(url: str) -> None:
    from tests.test_concurrency import UNIQUE_KEYS

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table, key in UNIQUE_KEYS.items():
                doubles = conn.execute(text(
                    f'SELECT {key}, COUNT(*) FROM "{table}" GROUP BY {key} HAVING COUNT(*) > 1')).all()
                assert doubles == [], (table, doubles)
    finally:
        engine.dispose()


def test_a_batch_whose_items_cannot_be_read_fails_them_and_not_the_run(tmp_path: Path) -> None:
    """A batch whose ``ingest_items`` rows cannot be read (the server refuses connections, past the
    retries) ends with each of its items failed, named by its row id, with the database as the reason."""
    import socket

    from pipeline.core.settings import Settings
    from pipeline.run.stages import run_planned

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/none", data_dir=tmp_path,
                        db_retries=2, db_backoff_seconds=0.01)

    report = run_planned([7, 9], settings)

    assert report.summary_line().startswith("2 document(s): 0 loaded, 0 unchanged, 2 failed"), report.summary_line()
    assert [(item.label, item.state, item.outcome) for item in report.items] == [
        ("ingest_items #7 [?]", "failed", "failed"), ("ingest_items #9 [?]", "failed", "failed")]
    for item in report.items:
        assert item.reason is not None and item.reason.startswith("database: plan: TransientStoreError: "), item.reason
        assert "failed 3 time(s)" in item.reason and "connection refused" in item.reason.lower(), item.reason


def test_discovery_that_cannot_reach_the_database_fails_the_run_with_a_summary(tmp_path: Path) -> None:
    """Discovery whose database stays out of reach past the retries plans no batch and reports one
    failed ``discovery`` item with the database as the reason, instead of raising out of the flow."""
    import socket

    from pipeline.core.settings import Settings
    from pipeline.run.stages import plan_guarded

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = Settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/none", data_dir=tmp_path,
                        inbox_dir=inbox, db_retries=1, db_backoff_seconds=0.01)

    batches, report = plan_guarded(settings, sources=["inbox"])

    assert batches == []
    assert report.summary_line().startswith("1 document(s): 0 loaded, 0 unchanged, 1 failed"), report.summary_line()
    [item] = report.failures
    assert item.label == "discovery [?]"
    assert item.reason is not None and item.reason.startswith("database: discover: TransientStoreError: "), item.reason
    assert "failed 2 time(s)" in item.reason and "connection refused" in item.reason.lower(), item.reason
