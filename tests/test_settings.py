"""The one settings object: UNPIPE_ variables, validation messages that list valid values."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.core.settings import Settings


@pytest.mark.parametrize(
    ("raw", "expected"), [("zh,en", ["zh", "en"]), (' ["fr", "ar"]', ["fr", "ar"]), ("en", ["en"])]
)
def test_languages_from_a_comma_list_or_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    monkeypatch.setenv("UNPIPE_LANGUAGES", raw)
    assert Settings().languages == expected


def test_unknown_language_names_the_valid_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNPIPE_LANGUAGES", "zh,xx")
    with pytest.raises(ValidationError, match=r"unknown language.*ar, en, es, fr, ru, zh"):
        Settings()


def test_database_defaults_to_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UNPIPE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("UNPIPE_DATABASE_URL", raising=False)
    assert Settings().resolved_database_url == f"sqlite:///{tmp_path / 'unpipe.db'}"


def test_every_field_is_described() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


@pytest.mark.parametrize(("raw", "expected"), [
    ("postgres://me@127.0.0.1/test", "postgresql+psycopg://me@127.0.0.1/test"),
    ("postgresql://127.0.0.1:5432/test?sslmode=disable", "postgresql+psycopg://127.0.0.1:5432/test?sslmode=disable"),
    ("postgresql+psycopg://127.0.0.1/test", "postgresql+psycopg://127.0.0.1/test"),
    ("sqlite:///data/x.db", "sqlite:///data/x.db"),
])
def test_database_urls_as_people_write_them(monkeypatch: pytest.MonkeyPatch, raw: str, expected: str) -> None:
    monkeypatch.setenv("UNPIPE_DATABASE_URL", raw)
    assert Settings().resolved_database_url == expected


def test_another_database_is_refused_with_the_forms_that_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.core.errors import ConfigError

    monkeypatch.setenv("UNPIPE_DATABASE_URL", "mysql://127.0.0.1/test")
    with pytest.raises(ConfigError, match=r"not 'mysql'.*postgresql://"):
        Settings()
