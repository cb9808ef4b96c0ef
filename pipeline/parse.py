"""Parse stage: a PDF file becomes a ``ParsedDocument`` (pages, lines with roles, paragraphs, tables).

What this stage guarantees to the extractors:
- characters de-duplicated (Word prints bold text twice), text NFC with no spaces between CJK characters;
- every line has a role: running headers and footers (symbol, job number, page number, barcode,
  "Please recycle", and any line repeated at the same height in the header or footer band of many
  pages), the page-1 masthead and footnote bodies are kept apart from the body text;
- two-column pages (verbatim records) are read column by column, even where the columns share baselines;
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
import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import chars_to_textmap

from pipeline.document import (
    BBox,
    Line,
    LineRole,
    Page,
    PageQuality,
    Paragraph,
    ParagraphRole,
    ParsedDocument,
)
from pipeline.errors import (
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    ImageOnlyPdfError,
    NotPdfError,
)
from pipeline.tables import Rule, find_frames, find_tables, horizontal_rules, is_horizontal
from pipeline.text import is_cjk, join_lines, language_of, normalize_text

PARSER_VERSION = "4"

HEADER_BAND = 0.085  # share of the page height at the top where running headers sit
FOOTER_BAND = 0.925  # a line starting below this share of the height is in the footer band
MASTHEAD_BAND = 0.25

_MASTHEAD_CUE = re.compile(
    r"^(Distr\.|Original:|United Nations|General Assembly|Security Council|Economic and Social Council"
    r"|Executive Board|联合国|大会|安全理事会|经济及社会理事会|Chinese|English|French|Spanish|Russian|Arabic"
    r"|Limited|Restricted)",
)
_RUNNING = re.compile(
    r"^(\d{1,4}\s*/\s*\d{1,4}|\d{2,4}-\d{5}.*|\*\d{5,}\*|Please recycle.*|请回收.*|[A-Z]{1,5}(/[\w.()\- ]+)+\*?|"
    r"\d{1,4}|\d{6}|(Annex [IVX]+, )?page \d{1,4}|(附件[一二三四五六七八九十]+[，,]\s*)?第\s*\d{1,4}\s*页)$",
    re.IGNORECASE,
)  # the last two: a WIPO annex page's running header ("Annex II, page 3", "附件二，第 3 页")
_FOOTNOTE_MARK = re.compile(r"^(\d{1,3}|[*†‡§]+|[a-z])(\s|[A-Z\u4e00-\u9fff(（])")
PARAGRAPH_NUMBER = re.compile(
    r"^(?P<num>\d{1,3}\.\d{1,3}(?=\s)|\d{1,3}(?:\.\d{1,3})*\.|\([a-z]{1,3}\)|\([ivx]{1,5}\)|[㈠-㈩]|[一二三四五六七八九十]{1,3}[.、．]"
    r"|[IVX]{1,5}\.|[A-H]\.)\s*(?=\S)"
)
_TERMINAL = tuple(".。;；:：!?！？")
_LEADER = re.compile(r"(?:\s?[.·]){4,}\s?|…{2,}")
_SEPARATOR = re.compile(r"^[_\-–—]{5,}$")


@dataclass
class _RawLine:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: float
    barcode: bool
    gapped: bool = False
    """The line has a gap wider than a word space: table columns, not prose."""
    framed: bool = False
    ruled_above: bool = False
    """A horizontal rule runs just above the line (within ``RULE_REACH``)."""
    ruled_below: bool = False


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


def parse_pdf(path: str | Path) -> ParsedDocument:
    """Parse one PDF. Raises a ``BadInputError`` subclass when the file cannot be read as a text PDF."""
    path = Path(path)
    check_pdf_file(path)
    _freeze_long_lived_objects()
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
    raw_pages: list[tuple[Page, list[_RawLine]]] = []
    with pdf:
        try:
            page_objects = pdf.pages
        except Exception as exc:  # pdfminer raises many unrelated types on a broken page tree
            raise CorruptPdfError(f"the page tree cannot be read ({exc})", document=path.name) from None
        ocr_producer = _ocr_producer(pdf.metadata)
        for number, page in enumerate(page_objects, start=1):
            try:
                raw_pages.append(_read_page(page, number))
            except Exception:  # one unreadable page must not lose the others
                raw_pages.append(_unreadable_page(page, number))
            finally:
                page.close()
            quality = raw_pages[-1][0].quality
            if ocr_producer and quality.chars and "scanned" not in quality.flags:
                quality.flags.append("scanned")
    if not raw_pages:
        raise CorruptPdfError("the PDF has no pages", document=path.name)
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
        parser_version=PARSER_VERSION,
        language_hint=language_of(body[:20000]),
    )


_OCR_TOOLS = re.compile(
    r"capture|abbyy|finereader|omnipage|tesseract|ocrmypdf|readiris|clearscan", re.IGNORECASE
)


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
    raw_lines: list[_RawLine] = []
    found_lines = upright.extract_text_lines(**_LINE_SETTINGS, return_chars=True)
    for found, gaps in _split_at_gutter(found_lines, float(page.width)):
        line_chars = found["chars"]
        text = _space_glued_superscripts(found["text"], line_chars)
        text = normalize_text(_LEADER.sub(" ", text))  # table-of-contents dot leaders are layout
        if not text:
            continue
        sizes = [c["size"] for c in line_chars if not c["text"].isspace()] or [0.0]
        fonts = [c.get("fontname", "") for c in line_chars]
        bold = sum(1 for f in fonts if _is_bold(f)) / max(len(fonts), 1)
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
                gapped=bool(gaps),
            )
        )
    rules = horizontal_rules(page, float(page.width))
    tables = find_tables(deduped, number, rules)
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


_LINE_SETTINGS: dict[str, Any] = {"x_tolerance_ratio": 0.15, "y_tolerance": 3}
WIDE_GAP_EM = 1.0  # a gap inside a line this many character sizes wide is no word space (justified: < 0.9)
GUTTER_MIN_LINES = 5
COLUMN_MIN_SHARE = 0.3  # a line of a text column is at least this share of the page width
EDGE_SLACK = 2.0  # points a column edge may stray from the page's gutter edge


Gap = tuple[float, float]


def _split_at_gutter(lines: list[dict[str, Any]], page_width: float) -> list[tuple[dict[str, Any], list[Gap]]]:
    """On a two-column page whose columns share baselines (old verbatim records), pdfplumber reads a
    line of each column as one line; cut such lines where the page's gutter runs. Each line comes with
    its wide gaps (``_wide_gaps``).

    A gutter is a gap in the middle of the page that many full lines of text on both sides share, with
    both edges straight (the justified left column ends there, the right one starts there). A table's
    column gap has short cells beside it, a contents page's gap a ragged left edge: neither is one.
    Only pages whose lines all fall on one side of it or straddle it are cut, so prose spanning the page
    keeps its tables whole.
    """
    wide = [_wide_gaps(line["chars"]) for line in lines]
    unchanged = list(zip(lines, wide, strict=True))
    central = {i: [gap for gap in gaps if _is_central(gap, page_width)] for i, gaps in enumerate(wide)}
    widest = {i: max(gaps, key=lambda gap: gap[1] - gap[0]) for i, gaps in central.items() if gaps}
    if len(widest) < GUTTER_MIN_LINES:
        return unchanged
    left_edge = statistics.median(gap[0] for gap in widest.values())
    right_edge = statistics.median(gap[1] for gap in widest.values())
    full_pairs = [
        i
        for i, gap in widest.items()
        if abs(gap[0] - left_edge) <= EDGE_SLACK
        and abs(gap[1] - right_edge) <= EDGE_SLACK
        and min(gap[0] - lines[i]["x0"], lines[i]["x1"] - gap[1]) >= COLUMN_MIN_SHARE * page_width
    ]
    if len(full_pairs) < GUTTER_MIN_LINES:
        return unchanged
    left_limit, right_limit = left_edge + EDGE_SLACK, right_edge - EDGE_SLACK
    crossing = {i for i, gaps in central.items() if any(a <= left_limit and b >= right_limit for a, b in gaps)}
    one_side = sum(1 for line in lines if line["x1"] <= left_limit or line["x0"] >= right_limit)
    if len(crossing) + one_side < 0.9 * len(lines):
        return unchanged
    cut = (left_edge + right_edge) / 2
    result: list[tuple[dict[str, Any], list[Gap]]] = []
    for i, (line, gaps) in enumerate(unchanged):
        if i not in crossing:
            result.append((line, gaps))
            continue
        for part in (
            [c for c in line["chars"] if c["x1"] <= cut],
            [c for c in line["chars"] if c["x0"] >= cut],
        ):
            for found in chars_to_textmap(part, **_LINE_SETTINGS).extract_text_lines(return_chars=True):
                result.append((found, _wide_gaps(found["chars"])))
    return result


def _is_central(gap: Gap, page_width: float) -> bool:
    """The gap lies in the middle third of the page, where a gutter runs."""
    return page_width / 3 <= (gap[0] + gap[1]) / 2 <= page_width * 2 / 3


def _wide_gaps(chars: list[dict[str, Any]]) -> list[Gap]:
    """Gaps between printed characters of a line wider than any word space: a gutter or a table's column gap."""
    gaps: list[Gap] = []
    previous: dict[str, Any] | None = None
    for char in chars:  # a plain loop: this runs over every character of every page
        if char["text"].isspace():
            continue
        if previous is not None:
            start, end = previous["x1"], char["x0"]
            size = previous["size"] if previous["size"] > char["size"] else char["size"]
            if end - start >= WIDE_GAP_EM * size:
                gaps.append((start, end))
        previous = char
    return gaps


RULE_REACH = 9.0  # a rule this close above or below a line is drawn for it (a table row's rules)


def _measure_rules(lines: list[_RawLine], rules: list[Rule]) -> None:
    """Note whether a horizontal rule runs close above and below each line: small tables set in the text
    (a label and its figures between two rules) are told apart from prose by them. A stroke through a
    line's own box is an underline (a hyperlink) or a strike-through, not a rule."""
    rules = [r for r in rules if not any(ln.top < r.y < ln.bottom and r.x0 < ln.x1 and r.x1 > ln.x0 for ln in lines)]
    for line in lines:
        for rule in rules:
            if rule.x0 < line.x1 and rule.x1 > line.x0:
                line.ruled_above = line.ruled_above or -1 <= line.top - rule.y <= RULE_REACH
                line.ruled_below = line.ruled_below or -1 <= rule.y - line.bottom <= RULE_REACH


def _mark_framed(lines: list[_RawLine], frames: list[BBox], page: Page) -> None:
    """Flag the lines printed inside a drawn frame. A frame around the running header or footer is a
    page border, not a box."""

    boxes = [f for f in frames if not any(_in_band(line, page) and _centred_in(line, f) for line in lines)]
    for line in lines:
        line.framed = any(_centred_in(line, box) for box in boxes)


def _centred_in(line: _RawLine, box: BBox, slack: float = 0.0) -> bool:
    """The line's centre lies in the box (widened by ``slack`` on every side)."""
    x, y = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return box[0] - slack <= x <= box[2] + slack and box[1] - slack <= y <= box[3] + slack


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


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return any(mark in name for mark in ("bold", "black", "heavy", ",b", "-b", "semibold"))


def _page_quality(page: Any, chars: list[dict[str, Any]]) -> PageQuality:
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


def _assign_roles(raw_pages: list[tuple[Page, list[_RawLine]]]) -> list[Page]:
    """Give every line a role: masthead, header, footer, footnote, table or body."""
    body_size = _body_font_size(line for _, lines in raw_pages for line in lines)
    repeated = _repeated_band_lines(raw_pages)
    pages: list[Page] = []
    contents: float | None = None
    for page, raw_lines in raw_pages:
        roles: list[LineRole] = ["body"] * len(raw_lines)
        for i, line in enumerate(raw_lines):
            if line.barcode or (_in_band(line, page) and len(line.text) <= 100 and _is_running(line, repeated)):
                roles[i] = "header" if line.top < page.height / 2 else "footer"
        if page.number == 1:
            _mark_masthead(raw_lines, roles, page)
        _mark_footnotes(raw_lines, roles, page, body_size)
        contents = _mark_table_lines(raw_lines, roles, page, contents)
        _mark_ruled_blocks(raw_lines, roles, body_size)
        page.lines = [
            Line(
                text=line.text,
                bbox=(line.x0, line.top, line.x1, line.bottom),
                size=line.size,
                bold=line.bold,
                role=role,
                framed=line.framed,
            )
            for line, role in zip(raw_lines, roles, strict=True)
        ]
        pages.append(page)
    return pages


def _mark_table_lines(
    lines: list[_RawLine], roles: list[LineRole], page: Page, contents: float | None
) -> float | None:
    """Lines printed inside a table are the table's cells, not running text; so are the lines of a table
    of contents and figure rows that no ruled table framed (small borderless variance boxes).

    ``contents`` is None outside a table of contents, else the right edge of its page numbers (0 before
    the first entry); it is returned, as a table of contents runs on to the next page."""
    boxes = [table.bbox for table in page.tables]
    for i, line in enumerate(lines):
        if roles[i] != "body":
            continue
        if _CONTENTS_HEADING.match(line.text):
            contents = 0.0
            continue
        if contents is not None and not line.framed:
            if _CONTENTS_ENTRY.search(line.text) or line.text in ("Page", "页次"):
                roles[i] = "table"
                contents = max(contents, line.x1)
                continue
            if _entry_runs_on(lines, roles, i, contents):
                roles[i] = "table"
                continue
        contents = None
        in_table = any(_centred_in(line, box, slack=1.0) for box in boxes)
        if in_table or (line.gapped and _is_figure_row(line.text)):
            roles[i] = "table"
    return contents


MAX_RULED_LINES = 6


def _mark_ruled_blocks(lines: list[_RawLine], roles: list[LineRole], body_size: float) -> None:
    """A few lines hugged by a rule above and one below are set apart from the running text, which keeps
    clear of rules: a small table (a label and its figures, in small print or as a figure row) or a
    ruled box of prose (a results framework's closing "External factors" row), which stays body text
    but framed. A small-print heading sitting on the rule over such a table row belongs to it."""
    order = sorted((i for i, r in enumerate(roles) if r in ("body", "table")), key=lambda i: lines[i].top)
    for start, i in enumerate(order):
        if not lines[i].ruled_above:
            continue
        block = [i]
        for j in order[start + 1 : start + MAX_RULED_LINES]:
            if lines[block[-1]].ruled_below or lines[j].ruled_above:
                break
            previous = lines[block[-1]]
            if lines[j].top - previous.bottom > 1.2 * max(previous.size, lines[j].size):
                break
            block.append(j)
        if not lines[block[-1]].ruled_below:
            continue
        for k in block:
            if roles[k] == "table" or lines[k].size <= body_size - 1 or _is_figure_row(lines[k].text):
                roles[k] = "table"
            else:
                lines[k].framed = True
    for before, after in itertools.pairwise(order):
        on_rule = lines[before].ruled_below and lines[after].ruled_above
        if on_rule and lines[before].size <= body_size - 1 and (roles[before], roles[after]) == ("body", "table"):
            roles[before] = "table"


def _entry_runs_on(lines: list[_RawLine], roles: list[LineRole], i: int, right: float) -> bool:
    """A contents entry without a page number is a long title wrapped over lines, or a group heading
    ("Annex"): one of the next three lines carries the page number, in the page-number column."""
    following = [j for j in range(i + 1, len(lines)) if roles[j] == "body"][:3]
    for j in following:
        if _CONTENTS_ENTRY.search(lines[j].text):
            return not right or abs(lines[j].x1 - right) <= 3
    return False


_CONTENTS_HEADING = re.compile(r"^(Contents|目录|Table des matières|Índice)$")
_CONTENTS_ENTRY = re.compile(r"(?:^|\s)(\d{1,3}|[ivx]{1,5})$")
_FIGURE = re.compile(r"^[(\[]?[-–—$€£%]*\d[\d,. ]*[%)\]]*$|^[-–—]$|^\d{4}/\d{2}$")


def _is_figure_row(text: str) -> bool:
    """A printed line made mostly of figures (amounts, percentages, periods) is a table row. Measured in
    characters, not tokens: Chinese prose has few spaces, so its numbers would look like most tokens."""
    tokens = text.split()
    figures = [token for token in tokens if _FIGURE.match(token)]
    printed = sum(map(len, tokens))
    return len(figures) >= 2 and sum(map(len, figures)) >= 0.5 * printed


REPEATED_SHARE = 0.25  # a header-band line on this share of the pages (and on three) is a running one


def _repeated_band_lines(raw_pages: list[tuple[Page, list[_RawLine]]]) -> set[tuple[str, int]]:
    """Running headers the patterns do not know ("46th meeting - Monday, 1 November 1993 13"): lines in
    the header or footer band printed at the same height on many pages, their numbers aside."""
    pages_with: Counter[tuple[str, int]] = Counter()
    for page, lines in raw_pages:
        pages_with.update({_band_key(line) for line in lines if _in_band(line, page)})
    least = max(3, REPEATED_SHARE * len(raw_pages))
    return {key for key, count in pages_with.items() if count >= least}


def _is_running(line: _RawLine, repeated: set[tuple[str, int]]) -> bool:
    """A header-band line is running text when its pattern says so or it repeats over the pages."""
    return _looks_running(line.text) or _band_key(line) in repeated


def _band_key(line: _RawLine) -> tuple[str, int]:
    return re.sub(r"\d+", "#", line.text), round(line.top)


def _in_band(line: _RawLine, page: Page) -> bool:
    return line.bottom <= page.height * HEADER_BAND or line.top >= page.height * FOOTER_BAND


def _looks_running(text: str) -> bool:
    """Running header/footer text: symbol, page number, job number, stamp, or a combination of them."""
    parts = re.split(r"\s{1,}(?=\d{1,4}\s*/\s*\d|\d{2,4}-\d{5}|\(\w\)\s*\d{6})", text)
    return all(_RUNNING.match(part.strip()) for part in parts if part.strip()) or bool(
        re.fullmatch(
            r"(\d{1,4}/\d{1,4}\s+)?\d{2,4}-\d{5}\s*(\([A-Z]\))?(\s*\d{6})?(\s+\d{1,4}/\d{1,4})?", text
        )
    )


def _body_font_size(lines: Iterable[_RawLine]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _mark_masthead(lines: list[_RawLine], roles: list[LineRole], page: Page) -> None:
    """On page 1, the UN masthead (organ, symbol, distribution, date, original language) sits at the top."""
    cue_bottoms = [
        line.bottom
        for line, role in zip(lines, roles, strict=True)
        if role == "body" and line.top < page.height * MASTHEAD_BAND and _MASTHEAD_CUE.match(line.text)
    ]
    if not cue_bottoms:
        return
    limit = max(cue_bottoms) + 2
    for i, line in enumerate(lines):
        if roles[i] == "body" and line.top <= limit:
            roles[i] = "masthead"


def _mark_footnotes(lines: list[_RawLine], roles: list[LineRole], page: Page, body_size: float) -> None:
    """Small-print lines at the foot of the body, starting with a footnote mark, are footnote bodies."""
    order = sorted((i for i, r in enumerate(roles) if r == "body"), key=lambda i: lines[i].top)
    separators = [i for i in order if _SEPARATOR.match(lines[i].text) and lines[i].top > page.height * 0.3]
    if separators:  # Word's footnote separator: what follows it on the page is footnotes
        first = separators[-1]
        for i in order:
            if lines[i].top >= lines[first].top:
                roles[i] = "footnote"
        return
    block: list[int] = []
    for i in reversed(order):
        line = lines[i]
        if line.size <= body_size - 0.75 and line.top > page.height * 0.45:
            block.append(i)
        else:
            break
    if not block:
        return
    block.reverse()
    if _FOOTNOTE_MARK.match(lines[block[0]].text):
        for i in block:
            roles[i] = "footnote"


def build_paragraphs(pages: list[Page]) -> list[Paragraph]:
    """Rebuild paragraphs from body lines, across line and page breaks; footnotes and masthead apart."""
    vocabulary = _vocabulary(pages)
    gap = _typical_line_gap(pages)
    paragraphs: list[Paragraph] = []
    open_body: _Builder | None = None
    for page in pages:
        current: _Builder | None = None
        previous: Line | None = None
        roles: tuple[ParagraphRole, ...] = ("masthead", "footnote")
        for role in roles:
            paragraphs.extend(_simple_paragraphs(page, role, gap, vocabulary))
        body_lines = reading_order([ln for ln in page.lines if ln.role == "body"], page.width)
        for line in body_lines:
            if previous is None:
                if open_body is not None and _runs_on(open_body, line):
                    current = open_body
                    current.add(line, page.number, vocabulary)  # the run-on line itself belongs to it
                else:
                    current = _Builder.start(line, page.number)
                    paragraphs.append(current.paragraph)
            elif current is not None and _next_column(previous, line) and _runs_on(current, line):
                current.add(line, page.number, vocabulary)
            elif _starts_new_paragraph(previous, line, gap):
                current = _Builder.start(line, page.number)
                paragraphs.append(current.paragraph)
            else:
                assert current is not None
                current.add(line, page.number, vocabulary)
            previous = line
        if current is not None:
            open_body = current
    for paragraph in paragraphs:
        _finish(paragraph)
    return [p for p in paragraphs if p.text or p.number]


class _Builder:
    """Accumulates the lines of one paragraph."""

    def __init__(self, paragraph: Paragraph, last: Line, sizes: list[float], bolds: list[float]) -> None:
        self.paragraph = paragraph
        self.last = last
        self.sizes = sizes
        self.bolds = bolds

    @classmethod
    def start(cls, line: Line, page: int, role: ParagraphRole = "body") -> _Builder:
        number, text = split_number(line.text)
        paragraph = Paragraph(
            text=text,
            page=page,
            bbox=line.bbox,
            role=role,
            number=number,
            size=line.size,
            bold=line.bold,
            end_page=page,
            framed=line.framed,
        )
        return cls(paragraph, line, [line.size], [line.bold])

    def add(self, line: Line, page: int, vocabulary: set[str]) -> None:
        p = self.paragraph
        p.text = join_lines(p.text, line.text, keep_hyphen=_keep_hyphen(p.text, line.text, vocabulary))
        if page == p.page:
            x0, top, x1, bottom = p.bbox
            p.bbox = (min(x0, line.bbox[0]), top, max(x1, line.bbox[2]), max(bottom, line.bbox[3]))
        p.end_page = page
        self.sizes.append(line.size)
        self.bolds.append(line.bold)
        p.size = round(statistics.median(self.sizes), 2)
        p.bold = round(sum(self.bolds) / len(self.bolds), 2)
        self.last = line


def reading_order(lines: list[Line], page_width: float) -> list[Line]:
    """Top to bottom; on a two-column page (verbatim records), the left column before the right one."""
    middle = page_width / 2
    left = [ln for ln in lines if ln.bbox[2] <= middle + 6]
    right = [ln for ln in lines if ln.bbox[0] >= middle - 6]
    two_columns = (
        len(lines) >= 10
        and len(left) >= 0.3 * len(lines)
        and len(right) >= 0.3 * len(lines)
        and len(left) + len(right) >= 0.8 * len(lines)
    )
    if not two_columns:
        return sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    right_ids = {id(ln) for ln in right}
    left_ids = {id(ln) for ln in left}

    def column(line: Line) -> int:
        return 1 if id(line) in left_ids else 2 if id(line) in right_ids else 0

    return sorted(lines, key=lambda ln: (column(ln), ln.bbox[1], ln.bbox[0]))


def split_number(text: str) -> tuple[str | None, str]:
    """Split UN paragraph numbering (``12.``, ``(a)``, ``㈠``, ``二.``) from the start of a line."""
    match = PARAGRAPH_NUMBER.match(text)
    if not match:
        return None, text
    return match.group("num"), text[match.end() :]


def _starts_new_paragraph(previous: Line, line: Line, gap: float) -> bool:
    if previous.framed != line.framed:
        return True
    space = line.bbox[1] - previous.bbox[3]
    if space > gap + 0.4 * max(line.size, previous.size) or space < -2:
        return True
    if abs(line.size - previous.size) > 0.9:
        return True
    if PARAGRAPH_NUMBER.match(line.text) and (previous.text.endswith(_TERMINAL) or space > gap + 1.5):
        return True
    return bool(previous.bold >= 0.9 > line.bold + 0.5 and len(previous.text) < 120 and space > gap + 1)


def _next_column(previous: Line, line: Line) -> bool:
    """The line starts the next column: it sits right of the previous line and higher up."""
    return line.bbox[0] >= previous.bbox[2] and line.bbox[1] < previous.bbox[1]


def _runs_on(builder: _Builder, line: Line) -> bool:
    """A paragraph runs on to the next page or column when it did not end a sentence and the next line
    is no new item."""
    paragraph = builder.paragraph
    if paragraph.role != "body" or not paragraph.text or paragraph.text.endswith(_TERMINAL):
        return False
    if PARAGRAPH_NUMBER.match(line.text) or line.framed != paragraph.framed:
        return False
    return abs(line.size - builder.last.size) <= 0.9


def _simple_paragraphs(page: Page, role: ParagraphRole, gap: float, vocabulary: set[str]) -> list[Paragraph]:
    """Masthead and footnote lines: a new paragraph at each footnote mark or wide gap."""
    result: list[Paragraph] = []
    current: _Builder | None = None
    previous: Line | None = None
    for line in (ln for ln in page.lines if ln.role == role and not _SEPARATOR.match(ln.text)):
        new = previous is None or line.bbox[1] - previous.bbox[3] > gap + 0.4 * line.size
        if role == "footnote" and _FOOTNOTE_MARK.match(line.text) and previous is not None:
            new = new or line.bbox[0] <= previous.bbox[0] + 1
        if new or current is None:
            current = _Builder.start(line, page.number, role)
            current.paragraph.number = None
            current.paragraph.text = line.text
            result.append(current.paragraph)
        else:
            current.add(line, page.number, vocabulary)
        previous = line
    return result


def _finish(paragraph: Paragraph) -> None:
    paragraph.text = normalize_text(paragraph.text)
    if paragraph.role == "body" and paragraph.number is None and _is_heading(paragraph):
        paragraph.role = "heading"


def _is_heading(paragraph: Paragraph) -> bool:
    return len(paragraph.text) < 160 and paragraph.bold >= 0.8 and not paragraph.text.endswith((".", "。"))


def _typical_line_gap(pages: list[Page]) -> float:
    """The usual space between two lines of one paragraph (the mode over the document)."""
    gaps: Counter[float] = Counter()
    for page in pages:
        body = sorted((ln for ln in page.lines if ln.role == "body"), key=lambda ln: ln.bbox[1])
        for a, b in itertools.pairwise(body):
            space = b.bbox[1] - a.bbox[3]
            if 0 <= space < 20 and abs(a.size - b.size) < 0.5:
                gaps[round(space * 2) / 2] += 1
    return gaps.most_common(1)[0][0] if gaps else 2.0


def _vocabulary(pages: list[Page]) -> set[str]:
    words: set[str] = set()
    for page in pages:
        for line in page.lines:
            words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]+[A-Za-z]", line.text))
    return words


def _keep_hyphen(previous: str, following: str, vocabulary: set[str]) -> bool:
    """Keep a line-end hyphen unless the document spells the joined word without it elsewhere."""
    if not previous.endswith("-"):
        return True
    head = re.search(r"([A-Za-z]+)-$", previous)
    tail = re.match(r"([A-Za-z]+)", following)
    if not head or not tail:
        return True
    joined = (head.group(1) + tail.group(1)).lower()
    hyphenated = f"{head.group(1)}-{tail.group(1)}".lower()
    return not (joined in vocabulary and hyphenated not in vocabulary)


__all__ = ["PARSER_VERSION", "build_paragraphs", "is_cjk", "parse_pdf", "split_number"]
