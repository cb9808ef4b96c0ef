"""Parse stage: a PDF file becomes a ``ParsedDocument`` (pages, lines with roles, paragraphs, tables).

What this stage guarantees to the extractors:
- characters de-duplicated (Word prints bold text twice), text NFC with no spaces between CJK characters;
- every line has a role: running headers and footers (symbol, job number, page number, barcode,
  "Please recycle", and any line repeated at the same height in the header or footer band of many
  pages), the page-1 masthead and footnote bodies are kept apart from the body text;
- two-column regions (a verbatim record's pages, a brochure's blocks) are read column by column, even where
  the columns share baselines; full-width headings and tables above and below them stay whole;
- text printed in a drawn frame (a report's summary box, a recommendation box) stays body text but is
  flagged ``framed``; tables of contents and small tables set in the text (figure rows, label-and-figure
  boxes between rules) are ``table`` lines;
- paragraphs rebuilt across line and page breaks, never across a frame's edge, with their UN numbering
  split off;
- per-page quality flags, so a scanned or garbled page is flagged rather than trusted;
- each page is closed after reading, so memory stays flat on long documents.
"""

from __future__ import annotations

import gc
import hashlib
import re
import statistics
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.core.document import (
    Page,
    PageQuality,
    ParsedDocument,
)
from pipeline.core.errors import (
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    ImageOnlyPdfError,
    NotPdfError,
    ResourceLimitExceeded,
)
from pipeline.core.settings import get_settings
from pipeline.core.text import language_of, normalize_text
from pipeline.parse.layout import (
    _LINE_SETTINGS,
    _assign_roles,
    _mark_framed,
    _measure_rules,
    _RawLine,
    read_columns,
)
from pipeline.parse.limits import install_stream_caps
from pipeline.parse.paragraphs import _LEADER, build_paragraphs
from pipeline.parse.pdfium import PdfiumSource, as_plumber_page
from pipeline.parse.rules import find_frames, horizontal_rules, is_horizontal
from pipeline.parse.table_finder import find_tables
from pipeline.parse.version import PARSER_VERSION, ParserName, parser_version  # noqa: F401  # re-exported
from pipeline.parse.words import is_bold


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_pdf_file(path: Path) -> None:
    """Reject what is plainly not a whole PDF before pdfminer sees it, with a reason a person can act on."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("the file is empty (0 bytes)", document=path.name)
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        lowered = head.lower()
        if b"<html" in lowered or b"<!doctype" in lowered:
            raise NotPdfError("the file is an HTML page, not a PDF", document=path.name)
        raise NotPdfError(f"the file is not a PDF (it starts with {head[:8]!r})", document=path.name)
    if b"%%EOF" not in tail:
        raise CorruptPdfError("the PDF is truncated (no end-of-file marker)", document=path.name)


_heap_frozen = False


def _freeze_long_lived_objects() -> None:
    """Before the first parse, take the objects alive so far (imported modules, settings) out of the
    cyclic garbage collector's sight. Parsing allocates millions of small containers, so full
    collections run often, and each one would otherwise walk every long-lived object again: over the
    bench this was 15% of ``unpipe extract``'s time (112.05 s → 95.39 s), at the same peak memory."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


_ReadPage = tuple[Page, list[_RawLine]]


def parse_pdf(path: str | Path, parser: ParserName | None = None) -> ParsedDocument:
    """Parse one PDF. Raises a ``BadInputError`` subclass when the file cannot be read as a text PDF.

    ``parser`` picks what reads the characters and graphics (default: the ``parser`` setting); the
    layout code after it is the same for both."""
    path = Path(path)
    check_pdf_file(path)
    install_stream_caps(get_settings().parse_max_stream_bytes, keep=True)
    _freeze_long_lived_objects()
    parser = parser or get_settings().parser
    if parser == "pdfium":
        read, metadata = _read_with_pdfium(path)
    else:
        read, metadata = _read_with_pdfplumber(path)
    raw_pages = [read[number] for number in sorted(read)]
    if not raw_pages:
        raise CorruptPdfError("the PDF has no pages", document=path.name)
    if _ocr_producer(metadata):
        for page, _ in raw_pages:
            if page.quality.chars and "scanned" not in page.quality.flags:
                page.quality.flags.append("scanned")
    if all("image_only" in p.quality.flags or "empty" in p.quality.flags for p, _ in raw_pages):
        raise ImageOnlyPdfError("no page has a text layer (image-only or blank PDF)", document=path.name)
    pages = _assign_roles(raw_pages)
    paragraphs = build_paragraphs(pages)
    body = "\n".join(p.text for p in paragraphs if p.role == "body")
    return ParsedDocument(
        file_name=path.name,
        sha256=sha256_file(path),
        pages=pages,
        paragraphs=paragraphs,
        parser_version=parser_version(parser),
        language_hint=language_of(body[:20000]),
    )


def _read_with_pdfium(path: Path) -> tuple[dict[int, _ReadPage], dict[str, Any]]:
    """Every page read from pdfium's objects, except those pdfium gets wrong or cannot read: pages with
    right-to-left script (pdfium rewrites their text into logical order and base letters) and pages
    whose reading fails; those are read again with pdfplumber."""
    try:
        source = PdfiumSource(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPdfError("the PDF is password-protected", document=path.name) from None
        raise CorruptPdfError(f"the PDF cannot be opened ({exc})", document=path.name) from None
    read: dict[int, _ReadPage] = {}
    again: set[int] = set()
    with source:
        metadata: dict[str, Any] = source.metadata()
        doctop = 0.0
        for index in range(len(source)):
            number = index + 1
            try:
                data = source.read_page(index, doctop)
            except Exception:  # pdfplumber may still read it; a wrong doctop only shifts this page
                again.add(number)
                continue
            doctop += data.height
            if data.rtl:
                again.add(number)
                continue
            page = as_plumber_page(data)
            try:
                read[number] = _read_page(page, number)
            except Exception:
                again.add(number)
            finally:
                page.close()
    if again:
        read.update(_read_with_pdfplumber(path, again)[0])
    return read, metadata


def _read_with_pdfplumber(
    path: Path, only: set[int] | None = None
) -> tuple[dict[int, _ReadPage], dict[str, Any]]:
    """Pages read from pdfplumber's objects (all of them, or the page numbers in ``only``)."""
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        raise _classify_open_error(exc, path) from None
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdfError(
            f"the PDF is encrypted ({exc.__class__.__name__})", document=path.name
        ) from None
    except (PSException, ValueError, KeyError, TypeError) as exc:
        raise CorruptPdfError(f"the PDF cannot be opened ({exc})", document=path.name) from None
    read: dict[int, _ReadPage] = {}
    with pdf:
        try:
            page_objects = pdf.pages
        except Exception as exc:  # pdfminer raises many unrelated types on a broken page tree
            raise CorruptPdfError(f"the page tree cannot be read ({exc})", document=path.name) from None
        for number, page in enumerate(page_objects, start=1):
            if only is not None and number not in only:
                continue
            try:
                read[number] = _read_page(page, number)
            except Exception as exc:  # one unreadable page must not lose the others, but a bomb fails the document
                _raise_limit_hit(exc)
                read[number] = _unreadable_page(page, number)
            finally:
                page.close()
        return read, pdf.metadata


_OCR_TOOLS = re.compile(
    r"capture|abbyy|finereader|omnipage|tesseract|ocrmypdf|readiris|clearscan", re.IGNORECASE
)


def _raise_limit_hit(error: Exception) -> None:
    """Raise the memory or size limit a page hit (pdfplumber wraps it in ``PdfminerException``)."""
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, (MemoryError, ResourceLimitExceeded)):
        raise cause from None


def _ocr_producer(metadata: dict[str, Any]) -> bool:
    """True when the PDF says an OCR tool made it: its text layer is recognised, not typeset."""
    names = " ".join(str(metadata.get(key, "")) for key in ("Producer", "Creator"))
    return bool(_OCR_TOOLS.search(names))


def _classify_open_error(exc: PdfminerException, path: Path) -> Exception:
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedPdfError("the PDF is password-protected", document=path.name)
    return CorruptPdfError(
        f"the PDF cannot be opened ({cause.__class__.__name__}: {cause})", document=path.name
    )


def _read_page(page: Any, number: int) -> tuple[Page, list[_RawLine]]:
    chars = page.chars
    quality = _page_quality(page, chars)
    keep = _printed_chars(chars)
    deduped = page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in keep)
    # Rotated text (a landscape page's margin header, a table's vertical column headings) would be cut
    # into one-character lines glued to the body; lines read horizontal text only, tables read both.
    level = {id(c) for c in chars if id(c) in keep and is_horizontal(c)}
    upright = page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in level)
    rules = horizontal_rules(page, float(page.width))
    tables = find_tables(deduped, number, rules)  # first: a table's column gap must not be taken for a gutter
    raw_lines: list[_RawLine] = []
    found_lines = upright.extract_text_lines(**_LINE_SETTINGS, return_chars=True)
    for item in read_columns(found_lines, float(page.width), float(page.height), [table.bbox for table in tables]):
        found = item.line
        line_chars = found["chars"]
        text = _space_glued_superscripts(found["text"], line_chars)
        text = normalize_text(_LEADER.sub(" ", text))  # table-of-contents dot leaders are layout
        if not text:
            continue
        sizes = [c["size"] for c in line_chars if not c["text"].isspace()] or [0.0]
        fonts = [c.get("fontname", "") for c in line_chars]
        bold = sum(1 for f in fonts if is_bold(f)) / max(len(fonts), 1)
        raw_lines.append(
            _RawLine(
                text=text,
                x0=round(found["x0"], 2),
                top=round(found["top"], 2),
                x1=round(found["x1"], 2),
                bottom=round(found["bottom"], 2),
                size=round(statistics.median(sizes), 2),
                bold=round(bold, 2),
                barcode=any("barcode" in f.lower() for f in fonts),
                gapped=bool(item.gaps),
                column=item.column,
                column_top=round(item.column_top, 2),
            )
        )
    parsed = Page(
        number=number,
        width=round(float(page.width), 2),
        height=round(float(page.height), 2),
        lines=[],
        tables=tables,
        quality=quality,
        rotation=int(getattr(page, "rotation", 0) or 0),
    )
    _mark_framed(raw_lines, find_frames(page), parsed)
    _measure_rules(raw_lines, rules)
    return parsed, raw_lines




_LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "ft", "\ufb06": "st"
}


def _space_glued_superscripts(text: str, chars: list[dict[str, Any]]) -> str:
    """A space before a superscript number printed right after a digit: a footnote mark "1" after
    "JIU/REP/2021/4" would otherwise read as the different symbol "JIU/REP/2021/41". The text is left
    as it is when its characters cannot be matched one by one to the line's characters."""
    inserts: list[int] = []
    position = 0
    previous: dict[str, Any] | None = None
    for char in chars:
        glyph = _LIGATURES.get(char["text"], char["text"])
        while position < len(text) and text[position] == " " and not glyph.isspace():
            position += 1
        if not text.startswith(glyph, position):
            return text
        if (
            previous is not None
            and glyph.isdigit()
            and previous["text"].isdigit()
            and char["size"] < 0.8 * previous["size"]
            and char["bottom"] < previous["bottom"] - 1
            and text[position - 1:position] != " "
        ):
            inserts.append(position)
        position += len(glyph)
        previous = char
    for at in reversed(inserts):
        text = text[:at] + " " + text[at:]
    return text


def _printed_chars(chars: list[dict[str, Any]]) -> set[int]:
    """Ids of the characters to read: one of each overprinted copy (Word prints bold text twice), no
    space characters (Word's positioned spaces land inside words; word gaps are measured instead)."""
    seen: set[tuple[str, int, int]] = set()
    keep: set[int] = set()
    for char in chars:
        if char["text"].isspace():
            continue
        key = (char["text"], round(char["x0"]), round(char["top"]))
        if key not in seen:
            seen.add(key)
            keep.add(id(char))
    return keep


def _unreadable_page(page: Any, number: int) -> tuple[Page, list[_RawLine]]:
    quality = PageQuality(flags=["unreadable"])
    width = float(getattr(page, "width", 0) or 0)
    height = float(getattr(page, "height", 0) or 0)
    return Page(number=number, width=width, height=height, lines=[], tables=[], quality=quality), []



def _page_quality(page: Any, chars: list[dict[str, Any]]) -> PageQuality:
    """Counts over the printed (non-space) characters: pdfplumber and pdfium disagree on spaces only
    (pdfium drops duplicate and line-end spaces, ~2% of all characters), not on what is printed."""
    chars = [c for c in chars if not c["text"].isspace()]
    count = len(chars)
    cid = sum(1 for c in chars if c["text"].startswith("(cid:"))
    replacement = sum(1 for c in chars if "\ufffd" in c["text"])
    area = float(page.width) * float(page.height) or 1.0
    image_area = 0.0
    for image in page.images:
        x0, x1 = max(image["x0"], 0), min(image["x1"], float(page.width))
        top, bottom = max(image["top"], 0), min(image["bottom"], float(page.height))
        image_area += max(0.0, x1 - x0) * max(0.0, bottom - top)
    image_share = min(1.0, image_area / area)
    flags: list[str] = []
    if count == 0:
        flags.append("image_only" if image_share > 0.3 else "empty")
    elif image_share > 0.6:
        flags.append("scanned")  # a page image with a text layer over it: OCR output, not to be trusted
    if count and cid / count > 0.05:
        flags.append("cid_garbage")
    if count and replacement / count > 0.02:
        flags.append("replacement_chars")
    return PageQuality(
        chars=count,
        cid_share=round(cid / count, 4) if count else 0.0,
        replacement_share=round(replacement / count, 4) if count else 0.0,
        image_area_share=round(image_share, 4),
        flags=flags,
    )


