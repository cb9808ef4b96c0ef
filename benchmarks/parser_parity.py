"""Do the pdfium and pdfplumber parsers give the same paragraphs? Character similarity per document.

    nice .venv/bin/python benchmarks/parser_parity.py [--threshold 0.995] [--show 3] [--cache DIR] [PDF ...]

Why: pdfium reads characters at a fraction of pdfminer's CPU time, but it may only be the default
parser if what the extractors read does not change. For every PDF (default: the shared corpus
``en``, ``zh``, ``other`` folders and the bench), each paragraph's text (role and text, in reading
order) is joined into one string per parser, and the two strings are compared: similarity is
difflib's ratio, 2·matches / (len(a) + len(b)). Matching is done paragraph by paragraph first and
character by character only inside the paragraphs that differ, so a 300-page report costs seconds,
not the quadratic time of one character diff. Every document below the threshold is listed with its
first differing paragraphs, which is where the cause shows. With ``--cache``, pdfplumber's paragraphs
are kept per file hash and parser version (they cost ~4x pdfium's), so a rerun after a change to the
pdfium path parses with pdfium only.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.errors import BadInputError  # noqa: E402
from pipeline.parse.pdf import ParserName, parse_pdf, parser_version, sha256_file  # noqa: E402
from tests.corpus import BENCH, CORPUS  # noqa: E402


@dataclass
class Parity:
    name: str
    similarity: float
    chars: tuple[int, int]
    differences: list[tuple[str, str]] = field(default_factory=list)
    """(pdfium, pdfplumber) paragraph texts of the blocks that differ, in document order."""


def paragraphs(path: Path, parser: ParserName, cache: Path | None = None) -> list[str]:
    """What the extractors read: every paragraph as "role: numbering text"."""
    kept = cache / f"{sha256_file(path)}-{parser_version(parser)}.json" if cache else None
    if kept is not None and kept.is_file():
        return list(json.loads(kept.read_text(encoding="utf-8")))
    doc = parse_pdf(path, parser=parser)
    texts = [f"{p.role}: {p.number + ' ' if p.number else ''}{p.text}" for p in doc.paragraphs]
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return texts


def compare(name: str, ours: list[str], theirs: list[str]) -> Parity:
    """Similarity of the two joined texts, by paragraph alignment then characters in changed blocks."""
    total = sum(map(len, ours)) + sum(map(len, theirs)) + max(len(ours) - 1, 0) + max(len(theirs) - 1, 0)
    matches = 0
    differences: list[tuple[str, str]] = []
    blocks = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in blocks.get_opcodes():
        a, b = "\n".join(ours[i1:i2]), "\n".join(theirs[j1:j2])
        if tag == "equal":
            matches += len(a) + (i2 - i1 - 1)  # the separators between equal paragraphs match too
            continue
        differences.append((a, b))
        if a and b:
            chars = difflib.SequenceMatcher(None, a, b, autojunk=False)
            matches += sum(block.size for block in chars.get_matching_blocks())
    similarity = 2 * matches / total if total else 1.0
    return Parity(name, min(similarity, 1.0), (sum(map(len, ours)), sum(map(len, theirs))), differences)


def _snippet(a: str, b: str, width: int = 220) -> str:
    """The two texts from a little before their first difference."""
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, start - 60)
    return f"      pdfium    : {a[start:start + width]!r}\n      pdfplumber: {b[start:start + width]!r}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--threshold", type=float, default=0.995)
    parser.add_argument("--show", type=int, default=3, help="differing blocks shown per document below")
    parser.add_argument("--cache", type=Path, help="keep pdfplumber's paragraphs here between runs")
    args = parser.parse_args()
    folders = [CORPUS / "en", CORPUS / "zh", CORPUS / "other", BENCH]
    files = args.files or [path for folder in folders for path in sorted(folder.glob("*.pdf"))]
    below: list[Parity] = []
    compared = 0
    for path in files:
        label = f"{path.parent.name}/{path.name}"
        try:
            ours = paragraphs(path, "pdfium")
            theirs = paragraphs(path, "pdfplumber", args.cache)
        except BadInputError as exc:
            print(f"{label}: refused by the parser ({exc.reason})", flush=True)
            continue
        result = compare(label, ours, theirs)
        compared += 1
        print(f"{label}: {result.similarity:.5f} ({result.chars[0]} / {result.chars[1]} chars, "
              f"{len(result.differences)} differing blocks)", flush=True)
        if result.similarity < args.threshold:
            below.append(result)
    print(f"\n{compared} documents compared; {len(below)} below {args.threshold}")
    for result in sorted(below, key=lambda r: r.similarity):
        print(f"  {result.name}: {result.similarity:.5f}")
        for a, b in result.differences[: args.show]:
            print(_snippet(a, b))


if __name__ == "__main__":
    main()
