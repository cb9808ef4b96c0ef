"""Datasette over the SQLite store: the views described, and canned queries analysts start from.

Why a generated metadata file: Datasette keys metadata by database name (the file's stem), so it is
written for the store being opened; the canned queries live here, next to the views they use, and a
test runs every one of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline.core.errors import ConfigError

VIEW_DESCRIPTIONS = {
    "recommendations_v": "One row per recommendation (report, number, language) with its deadline, source "
                         "document and latest reported status.",
    "status_v": "Every status observation (one row of an organization's status table), with the document "
                "it was printed in.",
    "status_latest_v": "The latest status observation per recommendation and organization.",
    "overdue_v": "Recommendations whose deadline has passed and whose latest status is not implemented.",
    "references_v": "Who cites whom: one row per symbol a stored document cites.",
    "recommendations_bilingual_v": "Recommendations side by side in Chinese and English (same report and number).",
    "documents_bilingual_v": "Documents with their Chinese and English versions side by side (same symbol).",
}

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "overdue": {
        "title": "Overdue recommendations",
        "description": "Deadline passed, latest status not implemented; most overdue first.",
        "sql": "SELECT report, number, language, addressee, deadline_date, days_overdue, implementation,"
               " status_organization, source_symbol, text FROM overdue_v ORDER BY days_overdue DESC, report, number",
    },
    "recommendations_of_report": {
        "title": "Recommendations of one report",
        "description": "Every recommendation of a report, in each language, with its latest status.",
        "sql": "SELECT number, language, addressee, deadline_date, acceptance, implementation, text"
               " FROM recommendations_v WHERE report = :report ORDER BY language, recommendation_id",
    },
    "status_history": {
        "title": "Status history of one recommendation",
        "description": "Every observation of a recommendation over time, by organization.",
        "sql": "SELECT as_of, organization, acceptance, implementation, implementation_raw, document_symbol,"
               " page FROM status_v WHERE report = :report AND number = :number ORDER BY as_of, status_id",
    },
    "implementation_by_organization": {
        "title": "Implementation by organization",
        "description": "Latest statuses counted per organization and implementation state.",
        "sql": "SELECT organization, implementation, SUM(entries) AS recommendations FROM status_counts"
               " GROUP BY organization, implementation ORDER BY organization, recommendations DESC",
    },
    "unmapped_labels": {
        "title": "Status labels the vocabulary does not map",
        "description": "Printed implementation labels that no label in status_vocabulary is, or starts"
                       " (unpipe status --unmapped also checks that the match ends at a word boundary).",
        "sql": "SELECT s.organization, s.language, s.label, SUM(s.entries) AS entries"
               " FROM status_label_counts s WHERE s.field = 'implementation' AND NOT EXISTS (SELECT 1"
               " FROM status_vocabulary v WHERE v.organization IN (s.organization, '*')"
               " AND v.language IN (s.language, '*') AND lower(trim(s.label)) LIKE lower(trim(v.label)) || '%')"
               " GROUP BY s.organization, s.language, s.label ORDER BY entries DESC",
    },
    "paragraphs_containing": {
        "title": "Paragraphs containing a phrase",
        "description": "Plain substring search (works for Chinese without segmentation).",
        "sql": "SELECT d.symbol, d.language, p.page, p.number, p.text FROM paragraphs p"
               " JOIN documents d ON d.id = p.document_id WHERE p.text LIKE '%' || :text || '%'"
               " ORDER BY d.symbol, d.language, p.seq LIMIT 200",
    },
    "cited_by": {
        "title": "Documents citing a symbol",
        "description": "Stored documents whose references include the symbol.",
        "sql": "SELECT document_symbol, document_language, document_kind, document_date FROM references_v"
               " WHERE cited_symbol = :symbol ORDER BY document_date, document_symbol",
    },
    "bilingual": {
        "title": "Recommendations in Chinese and English",
        "description": "Side by side, for recommendations stored in both languages.",
        "sql": "SELECT report, number, text_zh, text_en FROM recommendations_bilingual_v"
               " WHERE text_zh IS NOT NULL AND text_en IS NOT NULL ORDER BY report, recommendation_id_en",
    },
}


def sqlite_path(url: str) -> Path:
    """The database file of a SQLite URL; Datasette reads SQLite only."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:"):
        raise ConfigError("unpipe browse opens a SQLite store file only",
                          hint="for PostgreSQL, point your SQL client at the same views (docs/schema.md)")
    return Path(url.removeprefix("sqlite:///").split("?")[0]).expanduser()


def metadata(database: Path) -> dict[str, Any]:
    """Datasette metadata for a store file: titles, view descriptions and the canned queries."""
    return {
        "title": "unpipe: UN oversight recommendations",
        "description": "Documents, recommendations and their status, from unpipe. Views are described in "
                       "docs/schema.md.",
        "databases": {
            database.stem: {
                "tables": {name: {"description": text} for name, text in VIEW_DESCRIPTIONS.items()}
                | {name: {"hidden": True} for name in ("search_fts", "search_docs", "status_current",
                                                       "status_counts", "status_label_counts", "parsed_layouts")},
                "queries": CANNED_QUERIES,
            }
        },
    }


def write_metadata(database: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(metadata(database), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def datasette_command(database: Path, metadata_file: Path, *, port: int = 8001, open_browser: bool = False,
                      get: str | None = None) -> list[str]:
    """The ``datasette serve`` command line for a store file."""
    command = [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata_file),
               "--host", "127.0.0.1", "--port", str(port)]
    if open_browser:
        command.append("--open")
    if get:
        command += ["--get", get]
    return command


def run(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
    """Run Datasette in the foreground (Ctrl-C stops it), or once with ``--get`` and capture its answer."""
    return subprocess.run(command, check=False, text=True, capture_output=capture)
