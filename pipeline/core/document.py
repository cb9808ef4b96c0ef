"""Plain data between the parse stage and the extractors: pages, lines, paragraphs, tables.

Everything keeps its page number and bounding box (PDF points, origin top-left, as pdfplumber)
so that each extracted value can be traced back to where it was printed.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BBox = tuple[float, float, float, float]
"""(x0, top, x1, bottom) in PDF points, origin at the top-left of the page."""

LineRole = Literal["body", "masthead", "header", "footer", "footnote", "table"]
ParagraphRole = Literal["body", "heading", "footnote", "masthead"]


@dataclass
class Line:
    """One printed line of text."""

    text: str
    bbox: BBox
    size: float
    """Median font size of the line's characters."""
    bold: float
    """Share (0–1) of the line's characters set in a bold font."""
    role: LineRole = "body"
    framed: bool = False
    """Printed inside a drawn frame (a report's summary box, a recommendation box, a chart)."""
    column: int = 0
    """0 where the line spans its part of the page; 1 or 2 in the left or right column of a two-column
    region (a verbatim record's page, a brochure's two-column block)."""
    column_top: float = 0.0
    """Top of the line's column region (its own top outside one): the reading order sorts on it first."""


@dataclass
class Paragraph:
    """A paragraph rebuilt across line and page breaks."""

    text: str
    page: int
    """1-based page where the paragraph starts."""
    bbox: BBox
    """Box of the paragraph's part on its first page."""
    role: ParagraphRole = "body"
    number: str | None = None
    """UN numbering printed at its start (``12.``, ``(a)``, ``㈠``, ``建议 1``), without the text."""
    size: float = 0.0
    bold: float = 0.0
    end_page: int = 0
    framed: bool = False
    """Printed inside a drawn frame: still body text for the extractors, but set apart from the running
    text (Word keeps such a box in a table), so a paragraph never runs into or out of a frame."""


@dataclass
class Cell:
    text: str
    bbox: BBox | None


@dataclass
class Table:
    """A table as found on one page: rows of cells (``None`` where a merged cell continues)."""

    page: int
    bbox: BBox
    rows: list[list[Cell | None]]
    caption: str | None = None
    strategy: str = "lines"
    header_rows: int = 0
    """How many leading rows are column headings."""

    def text_rows(self) -> list[list[str]]:
        return [[cell.text if cell else "" for cell in row] for row in self.rows]


@dataclass
class PageQuality:
    """How far a page's text layer can be trusted."""

    chars: int = 0
    cid_share: float = 0.0
    """Share of characters printed as ``(cid:N)``: fonts without a Unicode map."""
    replacement_share: float = 0.0
    """Share of U+FFFD replacement characters."""
    image_area_share: float = 0.0
    """Share of the page covered by images."""
    flags: list[str] = field(default_factory=list)
    """``empty``, ``image_only``, ``scanned`` (text over a page image: OCR), ``cid_garbage``, ``replacement_chars``."""


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[Table]
    quality: PageQuality
    rotation: int = 0

    def text(self, roles: tuple[str, ...] = ("body",)) -> str:
        return "\n".join(line.text for line in self.lines if line.role in roles)


@dataclass
class ParsedDocument:
    """A whole PDF after parsing: what extractors read. Serialisable, so it can be stored and re-used."""

    file_name: str
    sha256: str
    pages: list[Page]
    paragraphs: list[Paragraph]
    parser_version: str
    language_hint: str | None = None
    """Language guessed from the script of the body text (``zh``, ``en``, ``fr``, ``ar`` …)."""

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.role in ("body", "heading")]

    @property
    def text(self) -> str:
        """Body text: paragraphs and headings, without running headers, footers and footnotes."""
        return "\n".join(p.text for p in self.body_paragraphs)

    @property
    def quality_flags(self) -> list[str]:
        """Flags shared by most pages (a document is ``scanned`` when most of its pages are)."""
        counts: dict[str, int] = {}
        for page in self.pages:
            for flag in page.quality.flags:
                counts[flag] = counts.get(flag, 0) + 1
        return sorted(flag for flag, n in counts.items() if n * 2 > len(self.pages))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedDocument:
        pages = [
            Page(
                number=p["number"],
                width=p["width"],
                height=p["height"],
                rotation=p.get("rotation", 0),
                lines=[Line(**{**line, "bbox": tuple(line["bbox"])}) for line in p["lines"]],
                tables=[_table_from_dict(t) for t in p["tables"]],
                quality=PageQuality(**p["quality"]),
            )
            for p in data["pages"]
        ]
        paragraphs = [Paragraph(**{**para, "bbox": tuple(para["bbox"])}) for para in data["paragraphs"]]
        return cls(
            file_name=data["file_name"],
            sha256=data["sha256"],
            pages=pages,
            paragraphs=paragraphs,
            parser_version=data["parser_version"],
            language_hint=data.get("language_hint"),
        )

    def to_bytes(self) -> bytes:
        """Compressed JSON, the form kept in the store so extractors can re-run without the PDF."""
        return gzip.compress(json.dumps(self.to_dict(), ensure_ascii=False).encode("utf-8"), mtime=0)

    @classmethod
    def from_bytes(cls, blob: bytes) -> ParsedDocument:
        return cls.from_dict(json.loads(gzip.decompress(blob).decode("utf-8")))


def _table_from_dict(data: dict[str, Any]) -> Table:
    rows = [
        [Cell(text=c["text"], bbox=tuple(c["bbox"]) if c["bbox"] else None) if c else None for c in row]
        for row in data["rows"]
    ]
    return Table(
        page=data["page"],
        bbox=tuple(data["bbox"]),
        rows=rows,
        caption=data.get("caption"),
        strategy=data.get("strategy", "lines"),
        header_rows=data.get("header_rows", 0),
    )
