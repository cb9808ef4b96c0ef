"""One validated settings object; every field can be set with an ``UNPIPE_`` environment variable."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pipeline.core.languages import UN_LANGUAGES


class Settings(BaseSettings):
    """Runtime configuration. Read from ``UNPIPE_*`` environment variables (and a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="UNPIPE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite database, the content-addressed file store and Prefect's home.",
    )
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy URL of the store. Empty means sqlite:///<data_dir>/unpipe.db; "
            "use postgresql+psycopg://user@host/db for production."
        ),
    )
    languages: Annotated[list[str], NoDecode] = Field(
        ["zh", "en"],
        description="Languages fetched for each wanted symbol (any of ar, en, es, fr, ru, zh).",
    )
    ods_base_url: str = Field(
        "https://documents.un.org",
        description="Base URL of the Official Document System (symbol access API).",
    )
    undl_base_url: str = Field(
        "https://digitallibrary.un.org",
        description="Base URL of the UN Digital Library (MARCXML search).",
    )
    jiu_base_url: str = Field(
        "https://www.unjiu.org",
        description="Base URL of the Joint Inspection Unit website (reports listing).",
    )
    http_timeout_seconds: float = Field(30.0, gt=0, description="Timeout for one HTTP request.")
    http_retries: int = Field(3, ge=0, description="Retries of a failed download (with backoff).")
    http_backoff_seconds: float = Field(2.0, ge=0, description="First retry delay; doubles at every retry.")
    http_max_retry_after_seconds: float = Field(
        120.0, ge=0, description="Longest Retry-After (HTTP 429/503) that is honoured before giving up."
    )
    http_requests_per_second: float = Field(
        2.0, gt=0, description="Politeness limit per host for downloads and searches."
    )
    max_download_bytes: int = Field(
        200_000_000, gt=0, description="Largest file accepted from a download; larger ones fail."
    )
    http_max_redirects: int = Field(
        5, ge=0, description="Most redirects followed for one request; a loop or a longer chain fails it."
    )
    http_user_agent: str = Field(
        "unpipe/0.1 (UN oversight documents pipeline)",
        description="User-Agent sent with every request, so site operators can tell who is calling.",
    )
    http_host_failure_budget: int = Field(
        20,
        ge=1,
        description=(
            "Throttling answers (429, the 202 bot wall, 5xx, timeouts) one host may give a process in one run; "
            "past it the fetcher stops asking that host and the items fail with host_budget_exhausted "
            "(the next run retries them)."
        ),
    )
    unavailable_retry_days: float = Field(
        7.0,
        ge=0,
        description=(
            "Days before a document found not available in a language (ODS 404, empty or HTML answer) "
            "is asked for again; 0 asks at every run."
        ),
    )
    undl_api_token: str | None = Field(
        None,
        description=(
            "Digital Library API key. Set, discovery uses the keyed /api/v1/search (Authorization: Token …, "
            "at most 100 requests per 5 minutes); unset, the public /search?of=xm pages."
        ),
    )
    ga_sessions: Annotated[list[int], NoDecode] = Field(
        [],
        description=(
            "General Assembly sessions (e.g. 80) whose ACABQ reports A/NN/7 and A/NN/7/Add.1, .2 … the "
            "watch-list source enumerates on ODS until a run of misses; empty enumerates none."
        ),
    )
    undl_page_size: int = Field(
        100, ge=1, le=200, description="Records asked for per Digital Library search page (its rg parameter)."
    )
    undl_max_records: int = Field(
        2000, ge=1, description="Most records read per Digital Library query, a guard against endless paging."
    )
    watchlist_miss_limit: int = Field(
        3,
        ge=1,
        description="Consecutive missing numbers after which a watch-list series (A/80/7/Add.*) has ended.",
    )
    watchlist_file: Path | None = Field(
        None, description="TOML file listing wanted symbols and series patterns for the watch-list source."
    )
    inbox_dir: Path | None = Field(
        None, description="Folder whose PDFs the inbox source ingests (they are then moved to the store)."
    )
    status_vocabulary_file: Path | None = Field(
        None,
        description=(
            "Extra status labels (CSV with the columns of extractors/data/status_vocabulary.csv) that extend "
            "or override the shipped vocabulary; run `unpipe reextract --extractor status` after editing it."
        ),
    )
    parser: Literal["pdfium", "pdfplumber"] = Field(
        "pdfium",
        description=(
            "What reads a PDF's characters and graphics: pdfium (the default: a fraction of the CPU time, "
            "same paragraphs; benchmarks/parser_parity.py compares them) or pdfplumber/pdfminer. Both feed "
            "the same layout code; pages with right-to-left script, and pages pdfium cannot read, are "
            "always read with pdfplumber. Part of the parser version: switching it parses stored files again."
        ),
    )
    workers: int = Field(1, ge=1, description="Worker processes for parsing PDFs in the ingest flow.")
    batch_size: int = Field(
        200,
        ge=1,
        description=(
            "Items (symbol, language) per Prefect task in the ingest flow, and documents per task in the "
            "reextract flow: Prefect's own cost is paid per batch, not per item, so 100,000 items are 500 tasks."
        ),
    )
    parse_memory_limit_bytes: int = Field(
        2 * 1024**3,
        ge=64 * 1024**2,
        description=(
            "Address space (RLIMIT_AS) of the worker process that parses one PDF; a document that needs more "
            "(a Flate bomb) fails as resource_limit and the worker is replaced."
        ),
    )
    parse_timeout_seconds: float = Field(
        60.0, gt=0, description="Base time limit for parsing one PDF; the document fails as timeout past it."
    )
    parse_timeout_per_page_seconds: float = Field(
        5.0, ge=0, description="Time added to the parse time limit for each page of the document."
    )
    parse_max_stream_bytes: int = Field(
        64 * 1024**2,
        gt=0,
        description=(
            "Largest stream (declared /Length) or image (declared /Width x /Height x components) the parser "
            "reads; a larger one fails the document as resource_limit before anything is decoded."
        ),
    )
    db_retries: int = Field(
        4, ge=0, description="Retries of a document's step after a transient database error (lost connection, lock)."
    )
    db_backoff_seconds: float = Field(
        0.5, ge=0, description="First wait before a database retry; doubles at every retry."
    )
    dask_address: str | None = Field(
        None, description="Address of a Dask scheduler to run flows on (tcp://host:8786); none runs locally."
    )

    http_download_deadline_seconds: float = Field(
        900.0,
        gt=0,
        description=(
            "Longest time one download's body may take, whatever its pace; past it the download is cut off "
            "as a retryable failure (reason deadline). http_timeout_seconds only bounds each single read."
        ),
    )
    http_min_bytes_per_second: float = Field(
        1024.0,
        ge=0,
        description=(
            "Slowest average pace accepted once a download has run for http_timeout_seconds; a server "
            "trickling slower is cut off as a retryable failure (reason too_slow). 0 accepts any pace."
        ),
    )

    @field_validator("languages", "ga_sessions", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """Accept ``zh,en`` (``79,80``) as well as a JSON list (``["zh", "en"]``) from the environment."""
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(UN_LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language(s) {unknown}; use any of {', '.join(UN_LANGUAGES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value) if value else value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'unpipe.db'}"

    @property
    def file_store_dir(self) -> Path:
        """Where downloaded and ingested PDFs are kept, named by their sha256."""
        return self.data_dir / "files"

    @property
    def prefect_home(self) -> Path:
        """Prefect's home (its ephemeral database and logs) inside the data folder."""
        return self.data_dir / "prefect"


_POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg")


def normalise_database_url(url: str) -> str:
    """A store URL SQLAlchemy opens with the installed driver: ``postgres://`` and ``postgresql://`` (as
    Heroku, psql and libpq print them) become ``postgresql+psycopg://``; anything but SQLite or
    PostgreSQL is refused with the forms that work."""
    from pipeline.core.errors import ConfigError

    scheme, separator, rest = url.strip().partition("://")
    if not separator:
        raise ConfigError(f"{url!r} is not a database URL",
                          hint="use sqlite:///path/unpipe.db or postgresql://user@host/db")
    if scheme.lower() in _POSTGRES_SCHEMES:
        return f"postgresql+psycopg://{rest}"
    if scheme.lower().startswith("sqlite"):
        return url.strip()
    raise ConfigError(f"unpipe stores in SQLite or PostgreSQL, not {scheme!r}",
                      hint="use sqlite:///path/unpipe.db or postgresql://user@host/db")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
