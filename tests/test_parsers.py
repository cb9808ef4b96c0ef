"""pdfium and pdfplumber give the parser the same page, on the real pages where they could disagree.

Each case is one real corpus (or bench) page copied into a one-page PDF and parsed both ways; the
lines (text, role, size, boldness) and tables must come out the same, and where they do not, the
differences found are pinned here, so any new one fails. Where pdfium is known to read the text
differently (right-to-left script), the pdfium path must hand the page to pdfplumber.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipeline.core.document import ParsedDocument
from pipeline.parse.paragraphs import _LEADER
from pipeline.parse.pdf import parse_pdf
from pipeline.parse.pdfium import PdfiumSource
from tests.corpus import BENCH, corpus_pdf


def _one_page(source: Path, number: int, out: Path, rotate: int = 0) -> Path:
    """Page ``number`` of ``source`` alone in a new PDF (optionally with a ``/Rotate``)."""
    src = pdfium.PdfDocument(str(source))
    dst = pdfium.PdfDocument.new()
    dst.import_pages(src, [number - 1])
    if rotate:
        dst[0].set_rotation(rotate)
    dst.save(str(out))
    dst.close()
    src.close()
    return out


def _bench_pdf(name: str) -> Path:
    path = BENCH / name
    if not path.exists():
        pytest.skip(f"bench file {name} not found under {BENCH}")
    return path


def _reading(doc: ParsedDocument) -> list[tuple[object, ...]]:
    """What the extractors see of a page: line text, role, size and boldness, and the tables' cells.

    Two known differences are factored out: dot leaders (pdfminer keeps doubled spaces between the
    dots, which the leader pattern then misses; pdfium drops them and the leader is removed) and
    runs of spaces."""
    out: list[tuple[object, ...]] = []
    for page in doc.pages:
        out.append((page.width, page.height, page.rotation, len(page.tables)))
        for line in page.lines:
            text = " ".join(_LEADER.sub(" ", line.text).split())
            out.append((text, line.role, line.size, line.bold))
        out.extend(tuple(map(str, table.rows)) for table in page.tables)
    return out


def _boxes_within(a: ParsedDocument, b: ParsedDocument, points: float) -> bool:
    """Line boxes agree within ``points`` (they are rounded to 0.01 pt, so 0.011 is one rounding step)."""
    boxes = [(x.bbox, y.bbox) for pa, pb in zip(a.pages, b.pages, strict=True)
             for x, y in zip(pa.lines, pb.lines, strict=True)]
    return all(abs(u - v) <= points for ba, bb in boxes for u, v in zip(ba, bb, strict=True))


def _changed_lines(a: ParsedDocument, b: ParsedDocument) -> list[tuple[object, object]]:
    """The line texts that differ between two readings with the same number of lines."""
    ra, rb = _reading(a), _reading(b)
    assert len(ra) == len(rb)
    return [(x[0], y[0]) for x, y in zip(ra, rb, strict=True) if x != y]


def _both(path: Path) -> tuple[ParsedDocument, ParsedDocument]:
    return parse_pdf(path, parser="pdfium"), parse_pdf(path, parser="pdfplumber")


@pytest.mark.parametrize("number", [1, 2])
def test_chinese_page_with_descent_zero_fonts_reads_the_same(tmp_path: Path, number: int) -> None:
    """LibreOffice writes /Ascent 0 /Descent 0; pdfminer boxes such a font from the baseline up, pdfium
    (asked for the descent) measures the glyphs instead. With pdfium's descent the boxes sat up to
    3.6 pt off, the masthead lines sorted the other way and the agenda line broke before "121"."""
    page = _one_page(corpus_pdf("A_63_359.pdf"), number, tmp_path / "zh.pdf")
    pdfium_doc, plumber_doc = _both(page)
    assert _reading(pdfium_doc) == _reading(plumber_doc)
    assert _boxes_within(pdfium_doc, plumber_doc, 0.011)
    assert [(p.role, p.text) for p in pdfium_doc.paragraphs] == [(p.role, p.text) for p in plumber_doc.paragraphs]
    assert any("\u4e00" <= ch <= "\u9fff" for line in pdfium_doc.pages[0].lines for ch in line.text)
    if number == 1:
        assert [(p.role, p.text) for p in pdfium_doc.paragraphs[:3]] == [
            ("masthead", "A/63/359联合国大会Distr.: General"),
            ("masthead", "Chinese Original: English"),
            ("body", "第六十三届会议临时议程∗项目 121 2008-2009 两年期方案预算"),
        ]


def test_english_page_with_type3_fonts_reads_the_same(tmp_path: Path) -> None:
    """Type 3 fonts: pdfminer's descent is the /FontBBox bottom scaled by the /FontMatrix (0 here); pdfium,
    asked for the descent, measured −0.194 em, which reordered this page's small-print lines."""
    page = _one_page(corpus_pdf("JIU_NOTE_2022_1_Rev.1_review.pdf"), 1, tmp_path / "type3.pdf")
    pdfium_doc, plumber_doc = _both(page)
    assert _reading(pdfium_doc) == _reading(plumber_doc)
    assert _boxes_within(pdfium_doc, plumber_doc, 0.011)
    texts = [(p.role, p.text) for p in pdfium_doc.paragraphs]
    assert texts == [(p.role, p.text) for p in plumber_doc.paragraphs]
    assert texts[0] == ("body", "Review Highlights JIU/NOTE/2022/1/Rev.1")
    assert ("body", "Inspector Sukai Prom-Jackson") in texts


def test_ligatures_are_one_character_as_in_pdfminer(tmp_path: Path) -> None:
    page = _one_page(corpus_pdf("S_PV.10011.pdf"), 1, tmp_path / "ligatures.pdf")
    with PdfiumSource(page) as source:
        chars = source.read_page(0).chars
    assert any(len(char["text"]) > 1 for char in chars)  # a ToUnicode "fi" kept as one char
    pdfium_doc, plumber_doc = _both(page)
    # Only difference: pdfminer's doubled space before a title's period opens a word gap.
    assert _changed_lines(pdfium_doc, plumber_doc) == [
        ("Members: Algeria Mrs. Messaoud", "Members: Algeria Mrs . Messaoud"),
        ("Denmark Ms. Landi", "Denmark Ms . Landi"),
        ("Republic of Korea Mr. Cha", "Republic of Korea Mr . Cha"),
        ("Sierra Leone Ms. Mahoi", "Sierra Leone Ms . Mahoi"),
    ]


def test_rotated_page_reads_the_same(tmp_path: Path) -> None:
    page = _one_page(corpus_pdf("A_76_644.pdf"), 1, tmp_path / "rotated.pdf", rotate=90)
    pdfium_doc, plumber_doc = _both(page)
    assert pdfium_doc.pages[0].rotation == 90
    assert pdfium_doc.pages[0].width > pdfium_doc.pages[0].height  # a portrait page turned landscape
    assert _reading(pdfium_doc) == _reading(plumber_doc)


def test_overprinted_characters_are_read_once(tmp_path: Path) -> None:
    page = _one_page(_bench_pdf("A_47_435.pdf"), 2, tmp_path / "overprinted.pdf")
    with PdfiumSource(page) as source:
        chars = [c for c in source.read_page(0).chars if not c["text"].isspace()]
    places = {(c["text"], round(c["x0"]), round(c["top"])) for c in chars}
    assert len(places) < len(chars)  # the page does print characters twice
    pdfium_doc, plumber_doc = _both(page)
    # Only difference: stray "~" marks in the margin of this typewritten page, which pdfium does not
    # report as text and pdfminer glues to the line ends.
    text = "Inquiry, established by the Government of Indonesia, concluded in its report,"
    assert _changed_lines(pdfium_doc, plumber_doc) == [
        (text, text + " ~"),
        ("dated 13 April 1992, that about 50 people were killed and the number of those ~I",
         "dated 13 April 1992, that about 50 people were killed and the number of those .~I"),
        ("figures. The incident was widely condemned internationally.",
         "figures. The incident was widely condemned internationally. ~"),
    ]


def test_arabic_page_is_read_with_pdfplumber(tmp_path: Path) -> None:
    page = _one_page(corpus_pdf("UDHR_note_ar.pdf"), 1, tmp_path / "arabic.pdf")
    with PdfiumSource(page) as source:
        assert source.read_page(0).rtl
    pdfium_doc, plumber_doc = _both(page)
    assert _reading(pdfium_doc) == _reading(plumber_doc)
    assert pdfium_doc.pages[0].quality.chars == plumber_doc.pages[0].quality.chars > 0
