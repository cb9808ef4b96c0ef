"""Datasette over the SQLite store: the views described and listed first, facets, canned queries analysts
start from, links from rows to the stored PDF at their page, and charts (the datasette-vega plugin).

Why a generated metadata file: Datasette keys metadata by database name (the file's stem), so it is
written for the store being opened; the canned queries live here, next to the views they use, and a
test runs every one of them. Two small templates go beside it: one puts the views above the tables and
one sets a font stack with CJK fonts (Debian: ``apt-get install fonts-noto-cjk``) and readable widths
for text columns.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from html import escape
from pathlib import Path
from types import FrameType
from typing import Any

from pipeline.core.errors import ConfigError

VIEW_DESCRIPTIONS = {
    "tracked_v": "Start here: one row per tracked recommendation (made in a stored report, or named by a "
                 "status row), with its latest status, the organization's remarks and days overdue.",
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

FACETS = {
    "tracked_v": ["status_organization", "report", "implementation", "addressee"],
    "status_v": ["organization", "report", "implementation"],
    "status_latest_v": ["organization", "report", "implementation"],
    "recommendations_v": ["kind", "addressee", "implementation"],
    "overdue_v": ["addressee", "status_organization"],
}
"""Facets each view opens with: organization, report and status, the questions analysts start from."""

PDF_MOUNT = "pdf"
"""Where ``browse`` serves the file store (``--static``); rows link to ``/pdf/<ab>/<sha256>.pdf#page=N``."""


def _pdf_link(document: str, page: str) -> str:
    """SQL for the URL of a stored document's PDF at a page, served by this ``browse`` (absolute, so that
    Datasette shows it as a link)."""
    return (f"'{{base}}/{PDF_MOUNT}/' || substr({document}.sha256, 1, 2) || '/' || {document}.sha256"
            f" || '.pdf#page=' || COALESCE({page}, 1)")


CANNED_QUERIES: dict[str, dict[str, str]] = {
    "overdue": {
        "title": "Overdue recommendations",
        "description": "Deadline passed, latest status not implemented (status rows included, proposals to "
                       "the General Assembly left out); most overdue first, each with a link to its PDF page.",
        "sql": "SELECT t.report, t.number, t.language, t.origin, t.addressee, t.deadline_date, t.days_overdue,"
               " t.implementation, t.status_organization, t.remarks, t.source_symbol,"
               f" {_pdf_link('d', 't.page')} AS pdf, t.text FROM tracked_v t"
               " LEFT JOIN documents d ON d.id = t.source_document_id"
               " WHERE t.days_overdue IS NOT NULL AND t.proposal = 0"
               " ORDER BY t.days_overdue DESC, t.key_report, t.number_order",
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
        "sql": "SELECT s.as_of, s.organization, s.acceptance, s.implementation, s.implementation_raw, s.remarks,"
               f" s.document_symbol, s.page, {_pdf_link('d', 's.page')} AS pdf FROM status_v s"
               " JOIN documents d ON d.id = s.document_id WHERE s.report = :report AND s.number = :number"
               " ORDER BY s.as_of, s.status_id",
    },
    "implementation_by_organization": {
        "title": "Implementation by organization",
        "description": "Latest statuses counted per organization and implementation state.",
        "sql": "SELECT organization, implementation, SUM(entries) AS recommendations FROM status_counts"
               " GROUP BY organization, implementation ORDER BY organization, recommendations DESC",
        # datasette-vega reads the chart from the fragment: stacked bars of status by organization.
        "fragment": "g.mark=bar&g.x_column=organization&g.x_type=ordinal&g.y_column=recommendations"
                    "&g.y_type=quantitative&g.color_column=implementation",
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


def metadata(database: Path, base_url: str = "http://127.0.0.1:8001") -> dict[str, Any]:
    """Datasette metadata for a store file: titles, view descriptions and facets, the canned queries
    (their PDF links point at ``base_url``)."""
    views = {name: {"description": text, "facets": FACETS.get(name, [])} for name, text in VIEW_DESCRIPTIONS.items()}
    hidden = {name: {"hidden": True} for name in ("search_fts", "search_docs", "status_current", "status_counts",
                                                   "status_label_counts", "parsed_layouts")}
    queries = {name: query | {"sql": query["sql"].replace("{base}", base_url)} for name, query in CANNED_QUERIES.items()}
    return {
        "title": "unpipe: UN oversight recommendations",
        "description": "Documents, recommendations and their status, from unpipe. Start from the views (listed "
                       "first); they are described in docs/schema.md.",
        "databases": {database.stem: {"tables": views | hidden, "queries": queries}},
    }


def write_metadata(database: Path, target: Path, base_url: str = "http://127.0.0.1:8001") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(metadata(database, base_url), ensure_ascii=False, indent=2) + "\n",
                      encoding="utf-8")
    return target


BASE_TEMPLATE = """{% extends "default:base.html" %}
{% block extra_head %}{{ super() }}<style>
body, input, textarea, select, button { font-family: "Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK TC",
  "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", Helvetica, Arial, sans-serif; }
.rows-and-columns td { max-width: 48em; vertical-align: top; }
.rows-and-columns td.col-text, .rows-and-columns td.col-remarks, .rows-and-columns td.col-text_zh,
.rows-and-columns td.col-text_en, .rows-and-columns td.col-title { min-width: 24em; }
.rows-and-columns td.col-deadline_date, .rows-and-columns td.col-as_of, .rows-and-columns td.col-report,
.rows-and-columns td.col-number, .rows-and-columns td.col-status_as_of { white-space: nowrap; }
</style>{% endblock %}
"""

def database_template() -> str:
    """The database page with the views, described, above the query box and the tables."""
    items = "\n".join(f"<li><a href=\"{{{{ urls.table(database, '{name}') }}}}\">{name}</a>: {escape(text)}</li>"
                      for name, text in VIEW_DESCRIPTIONS.items())
    return ('{% extends "default:database.html" %}\n{% block description_source_license %}{{ super() }}\n'
            f'<h2 id="start-views">Views: start here</h2>\n<ul class="bullets">\n{items}\n</ul>\n{{% endblock %}}\n')


def write_templates(folder: Path) -> Path:
    """The two templates (CJK fonts and column widths; views listed first) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.html").write_text(BASE_TEMPLATE, encoding="utf-8")
    (folder / "database.html").write_text(database_template(), encoding="utf-8")
    return folder


def file_store_root(database: Path) -> Path | None:
    """The folder of the file store the store's PDFs are kept in (``<root>/<ab>/<sha256>.pdf``), if any."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        found = conn.execute("SELECT path FROM files WHERE path IS NOT NULL LIMIT 1").fetchone()
    return Path(found[0]).parents[1] if found else None


def datasette_command(database: Path, metadata_file: Path, *, port: int = 8001, open_browser: bool = False,
                      get: str | None = None, templates: Path | None = None, files: Path | None = None) -> list[str]:
    """The ``datasette serve`` command line for a store file (with its templates and its PDFs, if given)."""
    command = [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata_file),
               "--host", "127.0.0.1", "--port", str(port)]
    if templates is not None:
        command += ["--template-dir", str(templates)]
    if files is not None:
        command += ["--static", f"{PDF_MOUNT}:{files}"]
    if open_browser:
        command.append("--open")
    if get:
        command += ["--get", get]
    return command


def run(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
    """Run Datasette in the foreground, or once with ``--get`` and capture its answer.

    The child never outlives ``browse``: Ctrl-C (SIGINT) or SIGTERM to ``browse`` stops it, and it is
    killed if it does not stop within 5 seconds.
    """
    if capture:
        return subprocess.run(command, check=False, text=True, capture_output=True)
    child = subprocess.Popen(command)

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        child.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return subprocess.CompletedProcess(command, child.returncode)
