"""Documentation checked by tests: every command has an example in its --help, every table, view and query
command is described in docs/schema.md, and every SQL example there (and every Datasette canned query)
runs on SQLite and PostgreSQL and returns rows."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.cli.query_commands import QUERY_COMMANDS
from tests.query_data import QueryStore, cli

pytest_plugins = ["tests.query_store"]

SCHEMA_MD = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
INTERNAL_TABLES = re.compile(r"^(alembic_version|search_fts(_\w+)?)$")
# Views whose section says "the columns of X, plus …".
VIEW_COLUMNS_FROM = {"status_latest_v": "status_v", "overdue_v": "recommendations_v"}
CANNED_PARAMS = {"report": "JIU/REP/2021/6", "number": "6", "text": "业务连续性", "symbol": "A/80/596"}


def schema_md() -> str:
    return SCHEMA_MD.read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """Text under each ``### name`` heading."""
    parts = re.split(r"^### (\S+)\s*$", schema_md(), flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def sql_examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", schema_md(), flags=re.S)


def commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Leaf command paths of a click/typer group (typer may bundle its own click: duck-typed)."""
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def all_commands() -> list[tuple[str, ...]]:
    import typer.main

    return commands(typer.main.get_command(app))


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_an_example_in_its_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    help_text = " ".join(result.output.split())  # rich wraps long lines
    assert re.search(r"Example: (\S+=\S+ )*unpipe " + re.escape(" ".join(path)) + r"\b", help_text), (
        f"`unpipe {' '.join(path)} --help` shows no 'Example: unpipe {' '.join(path)} …' line")


@pytest.mark.parametrize("name", QUERY_COMMANDS)
def test_query_commands_are_in_the_schema_guide(name: str) -> None:
    assert f"| `{name}` |" in schema_md() and f"`unpipe {name}" in schema_md()
    assert (name,) in all_commands()


def test_every_table_view_and_view_column_is_documented(gold_store: QueryStore) -> None:
    documented = sections()
    inspector = inspect(gold_store.engine)
    tables = [t for t in inspector.get_table_names() if not INTERNAL_TABLES.match(t)]
    views = inspector.get_view_names()
    assert len(views) >= 7
    missing = [name for name in [*tables, *views] if name not in documented]
    assert not missing, f"not described in docs/schema.md: {missing}"
    for view in views:
        described = documented[view] + documented.get(VIEW_COLUMNS_FROM.get(view, ""), "")
        undocumented = [c["name"] for c in inspector.get_columns(view) if f"`{c['name']}`" not in described]
        assert not undocumented, f"columns of {view} not in docs/schema.md: {undocumented}"


@pytest.mark.parametrize("index", range(len(sql_examples())))
def test_sql_examples_run_and_return_rows(gold_store: QueryStore, index: int) -> None:
    with gold_store.engine.connect() as conn:
        rows = conn.execute(text(sql_examples()[index].replace(":", r"\:"))).all()
    assert rows, sql_examples()[index]


# --- Datasette ----------------------------------------------------------------------------------------


def sqlite_file(store: QueryStore) -> Path:
    from pipeline.query.browse import sqlite_path

    return sqlite_path(store.url)


async def _canned(path: Path, metadata: dict[str, Any], names: list[str]) -> dict[str, Any]:
    from datasette.app import Datasette

    ds = Datasette([str(path)], metadata=metadata)
    await ds.invoke_startup()
    answers = {}
    for name in names:
        query = CANNED_PARAMS | {"_shape": "array"}
        response = await ds.client.get(f"/{path.stem}/{name}.json?{urlencode(query)}")
        answers[name] = (response.status_code, response.json())
    return answers


def test_datasette_metadata_is_valid_and_every_canned_query_returns_rows(gold_sqlite_store: QueryStore) -> None:
    gold_store = gold_sqlite_store
    from pipeline.query.browse import CANNED_QUERIES, VIEW_DESCRIPTIONS, metadata

    path = sqlite_file(gold_store)
    meta = metadata(path)
    json.dumps(meta)  # serialisable
    assert set(VIEW_DESCRIPTIONS) == set(inspect(gold_store.engine).get_view_names())
    answers = asyncio.run(_canned(path, meta, list(CANNED_QUERIES)))
    for name, (status, rows) in answers.items():
        assert status == 200, (name, rows)
        assert isinstance(rows, list) and rows, name
    assert {r["document_symbol"] for r in answers["cited_by"][1]} == {"A/80/604/Add.1"}


def test_browse_command_runs_datasette(gold_store: QueryStore, tmp_path: Path) -> None:
    if gold_store.backend != "sqlite":
        result = CliRunner().invoke(app, ["browse", "--db", gold_store.url])
        assert result.exit_code == 1 and "SQLite" in result.output
        return
    meta = tmp_path / "meta.json"
    stem = sqlite_file(gold_store).stem
    out = cli(gold_store, "browse", "--metadata-out", str(meta), "--get",
              f"/{stem}/overdue.json?_shape=array").stdout
    rows = json.loads(out)
    assert rows and {"report", "number", "days_overdue"} <= set(rows[0])
    assert json.loads(meta.read_text(encoding="utf-8"))["databases"][stem]["queries"]["overdue"]
