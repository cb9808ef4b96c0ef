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
            "What reads a PDF's characters and graphics: pdfium (about 9x less CPU) or pdfplumber/pdfminer. "
            "Both feed the same layout code; pages with right-to-left script, and pages pdfium cannot "
            "read, are always read with pdfplumber."
        ),
    )
    workers: int = Field(1, ge=1, description="Worker processes for parsing PDFs in the ingest flow.")
    dask_address: str | None = Field(
        None, description="Address of a Dask scheduler to run flows on (tcp://host:8786); none runs locally."
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        """Accept ``zh,en`` as well as a JSON list (``["zh", "en"]``) from the environment."""
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
