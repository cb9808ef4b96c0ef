"""CPU time of ``parse_pdf`` with each parser against plain ``pdfplumber`` text extraction.

Why: the parser setting exists for speed; this measures it per file, interleaving the three readers
on each file so a machine shared with other work loads them alike, and using process CPU time, not
wall time. Usage: ``python benchmarks/bench_parsers.py [--files N] [PDF ...]`` (default: the first N
bench PDFs by name).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from pipeline.core.errors import BadInputError
from pipeline.parse.pdf import parse_pdf
from tests.corpus import BENCH


def _plain_text(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def _cpu(run: Callable[[Path], object], path: Path) -> float:
    start = time.process_time()
    run(path)
    return time.process_time() - start


def _with_pdfium(path: Path) -> object:
    return parse_pdf(path, parser="pdfium")


def _with_pdfplumber(path: Path) -> object:
    return parse_pdf(path, parser="pdfplumber")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--files", dest="count", type=int, default=30)
    args = parser.parse_args()
    files = args.files or sorted(BENCH.glob("*.pdf"))[: args.count]
    totals = {"pdfium": 0.0, "pdfplumber": 0.0, "extract_text": 0.0}
    ratios: list[float] = []
    for path in files:
        try:
            check = parse_pdf(path, parser="pdfplumber")  # warm-up; skips what the parser rejects
        except BadInputError as exc:
            print(f"{path.name}: skipped ({exc.reason})")
            continue
        del check
        times = {
            "pdfium": _cpu(_with_pdfium, path),
            "pdfplumber": _cpu(_with_pdfplumber, path),
            "extract_text": _cpu(_plain_text, path),
        }
        for name, seconds in times.items():
            totals[name] += seconds
        ratios.append(times["pdfium"] / times["pdfplumber"])
        print(f"{path.name}: " + ", ".join(f"{k} {v:.2f}s" for k, v in times.items()), flush=True)
    print(f"{len(files)} files, CPU: " + ", ".join(f"{k} {v:.1f}s" for k, v in totals.items()))
    print(f"parse_pdf pdfium/pdfplumber {totals['pdfium'] / totals['pdfplumber']:.3f}x "
          f"(per-file median {statistics.median(ratios):.3f}x); "
          f"pdfium parse / plain extract_text {totals['pdfium'] / totals['extract_text']:.3f}x")


if __name__ == "__main__":
    main()
