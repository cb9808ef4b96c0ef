"""Every user mistake is one line on stderr that says what to do, and a non-zero exit: unpipe's own errors
and the command line's usage errors alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.databases import postgres_schema_url

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """An empty, migrated SQLite store (query commands never create one)."""
    url = f"sqlite:///{tmp_path / 'unpipe.db'}"
    migrate(url)
    return url


def migrate(url: str) -> None:
    from pipeline.store.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, stderr: str, *words: str) -> str:
    assert code != 0
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error:") or lines[0].startswith("failed:"), stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.mark.parametrize(("args", "words"), [
    (["recs", "--fromat", "csv"], ["--fromat", "--format", "unpipe recs --help"]),
    (["recs", "--kind", "nope"], ["--kind", "jiu", "unpipe recs --help"]),
    (["recs", "--as-of", "2026-13-01"], ["--as-of", "unpipe recs --help"]),
    (["show"], ["symbol", "unpipe show --help"]),
    (["recz"], ["recz", "unpipe --help"]),
    (["recs", "--limit", "0"], ["--limit", "unpipe recs --help"]),
])
def test_usage_errors_are_one_line(args: list[str], words: list[str]) -> None:
    one_line_error(*run(*args)[::2], *words)


def test_unsupported_database_url_is_one_line() -> None:
    code, _, stderr = run("recs", "--db", "mysql://localhost/unpipe")
    line = one_line_error(code, stderr, "mysql", "postgresql://")
    assert "internal error" not in line


def test_postgres_url_is_accepted() -> None:
    with postgres_schema_url() as url:
        migrate(url)
        code, stdout, stderr = run("recs", "--kind", "JIU", "--format", "json", "--db",
                                   url.replace("postgresql+psycopg://", "postgres://"))
    assert code == 0, stderr
    assert stdout.strip() == "[]"


def test_choices_ignore_case(store_url: str) -> None:
    code, stdout, stderr = run("status", "--implementation", "In_Progress", "--format", "CSV", "--db", store_url)
    assert code == 0, stderr
    assert stdout.startswith("report,number,organization")


@pytest.mark.parametrize(("args", "words"), [
    (["recs", "--format", "xlsx"], ["xlsx", "--output"]),
    (["show", "NO/SUCH/SYMBOL"], ["NO/SUCH/SYMBOL", "unpipe docs"]),
    (["stats", "--by", "colour"], ["colour", "organization"]),
    (["search", "!!!"], ["no words"]),
    (["show", "JIU/REP/2021/6", "--format", "csv"], ["--section"]),
])
def test_store_errors_are_one_line(store_url: str, args: list[str], words: list[str]) -> None:
    if args[0] == "show" and args[-1] == "csv":  # needs something to show
        from pipeline.store.db import make_engine
        from tests.query_data import load_synthetic

        engine = make_engine(store_url)
        load_synthetic(engine)
        engine.dispose()
    code, _, stderr = run(*args, "--db", store_url)
    one_line_error(code, stderr, *words)


def test_ingest_of_a_text_file_says_why_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNPIPE_DATA_DIR", str(tmp_path))
    from pipeline.core.settings import get_settings

    get_settings.cache_clear()
    try:
        code, stdout, stderr = run("ingest", "--quiet", str(REPO / "README.md"))
    finally:
        get_settings.cache_clear()
    line = one_line_error(code, stderr, "README.md", "not_pdf", "download it again")
    assert line.count("not_pdf") == 1
    assert "1 failed" in stdout


def test_version() -> None:
    code, stdout, _ = run("--version")
    assert code == 0 and stdout.startswith("unpipe ")
