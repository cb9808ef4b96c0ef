"""Body text against the Word originals the PDFs were printed from (paragraphs; headers, footers,
footnotes, tables and text boxes excluded on both sides; paragraph numbering compared separately).
Word keeps a framed box (a report's summary) in a table, so framed paragraphs are left out of ours."""

from __future__ import annotations

import difflib
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest

from pipeline.parse.paragraphs import split_number
from tests.corpus import corpus_pdf, parsed


def word_paragraphs(docx: Path) -> list[str]:
    """Paragraph texts of a .docx body, outside tables and text boxes, numbering split off."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    xml = outside(outside(xml, "w:tbl"), "w:txbxContent")
    paragraphs = []
    for block in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        block = block.replace("<w:noBreakHyphen/>", "<w:t>-</w:t>").replace("<w:tab/>", "<w:t> </w:t>")
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", block))
        if text.strip():
            paragraphs.append(split_number(text.strip())[1])
    return paragraphs


def outside(xml: str, tag: str) -> str:
    """The XML outside every ``tag`` element, nested ones included (a framed summary box is a table
    holding tables: a lazy regex would stop at the first inner end tag and keep the box's remainder)."""
    kept, depth, start = [], 0, 0
    for match in re.finditer(rf"<(/?){tag}[ >]", xml):
        if match.group(1):
            depth -= 1
            if depth == 0:
                start = xml.index(">", match.start()) + 1
        else:
            if depth == 0:
                kept.append(xml[start : match.start()])
            depth += 1
    kept.append(xml[start:])
    return "".join(kept)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def similarity(expected: list[str], got: list[str]) -> float:
    """Character similarity 2M/T, aligned paragraph by paragraph first (a whole-text diff is quadratic)."""
    a = [s for s in map(squash, expected) if s]
    b = [s for s in map(squash, got) if s]
    matched = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            matched += sum(map(len, a[i1:i2]))
            continue
        left, right = "".join(a[i1:i2]), "".join(b[j1:j2])
        blocks = difflib.SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks()
        matched += sum(block.size for block in blocks)
    return 2 * matched / (sum(map(len, a)) + sum(map(len, b)))


def test_nested_tables_are_left_out_whole() -> None:
    xml = "<w:p>a</w:p><w:tbl><w:tblPr/><w:tbl>b</w:tbl>c</w:tbl><w:p>d</w:p>"
    assert outside(xml, "w:tbl") == "<w:p>a</w:p><w:p>d</w:p>"


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("A_80_604_Add.1.pdf", 0.98),
        ("A_80_596.pdf", 0.98),
        ("A_77_256_Add.1.pdf", 0.98),
        ("WO_PBC_34_6.pdf", 0.98),
    ],
)
def test_body_text_matches_the_word_original(name: str, minimum: float) -> None:
    pdf = corpus_pdf(name)
    docx = pdf.with_suffix(".docx")
    if not docx.exists():
        pytest.skip(f"{docx} not found")
    doc = parsed(name)
    ours = [p.text for p in doc.paragraphs if p.role in ("body", "heading") and not p.framed]
    assert similarity(word_paragraphs(docx), ours) >= minimum
