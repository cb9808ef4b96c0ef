"""Benchmark: unpipe's parse + extract against plain pdfplumber `extract_text()`, file by file, in CPU time.

    .venv/bin/python benchmarks/bench_extract.py [--bench ../shared/bench] [--limit N] [--parser pdfium|pdfplumber]

Why this shape: the machine is shared, so wall-clock time swings with everyone else's load. Both sides
run in this one process, interleaved per file (plain then unpipe, then unpipe then plain for the next
file, so neither always runs on a warm cache), each timed in CPU time (``resource.getrusage``: user +
system time of this process; no pool, no children). Reported: pages and CPU seconds per side, the ratio of the totals, the median (and
quartiles) of the per-file ratios, wall time for reference, and the process's peak RSS. The unpipe
side is what ``unpipe extract`` does per file: ``parse_pdf`` (with the parser setting, or ``--parser``),
every extractor, the JSON record.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def plain_extract_text(path: Path) -> int:
    """Pages read by plain pdfplumber (0 if it cannot open the file)."""
    import pdfplumber

    pages = 0
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    except Exception:  # the baseline just skips what pdfplumber cannot open
        return 0
    return pages


def unpipe_extract(path: Path, parser: str | None = None) -> int:
    """Pages unpipe parsed and extracted (0 for a file it refuses: scanned, encrypted …)."""
    from extractors.apply import run_extractors
    from pipeline.core.errors import BadInputError
    from pipeline.parse.pdf import parse_pdf
    from pipeline.run.record import build_record

    try:
        doc = parse_pdf(path, parser=parser)  # type: ignore[arg-type]
    except BadInputError:
        return 0
    json.dumps(build_record(doc, run_extractors(doc)), ensure_ascii=False)
    return doc.page_count


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(side: Callable[[Path], int], path: Path) -> tuple[int, float, float]:
    cpu, wall = _cpu(), time.perf_counter()
    pages = side(path)
    return pages, _cpu() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--parser", choices=("pdfium", "pdfplumber"), help="default: the parser setting")
    args = parser.parse_args()
    files = sorted(args.bench.glob("*.pdf"))[: args.limit or None]

    from pipeline.core.settings import get_settings
    from pipeline.run.resources import ready_to_extract

    ready_to_extract()  # as `unpipe extract` does: language models loaded, then the heap frozen
    print(f"unpipe side parser: {args.parser or get_settings().parser}")
    sides: dict[str, Callable[[Path], int]] = {"plain": plain_extract_text, "unpipe": partial(unpipe_extract, parser=args.parser)}
    totals: dict[str, list[float]] = {name: [0, 0.0, 0.0] for name in sides}
    ratios: list[float] = []
    load = os.getloadavg()[0]
    for i, path in enumerate(files):
        order = ("plain", "unpipe") if i % 2 == 0 else ("unpipe", "plain")
        row = {name: timed(sides[name], path) for name in order}
        for name, (pages, cpu, wall) in row.items():
            totals[name][0] += pages
            totals[name][1] += cpu
            totals[name][2] += wall
        if row["plain"][0] and row["unpipe"][0] and row["plain"][1] > 0:
            ratios.append(row["unpipe"][1] / row["plain"][1])
    print(f"files: {len(files)} from {args.bench}; load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end (2 cores)")
    for name, (count, cpu_s, wall_s) in totals.items():
        print(f"{name:7s} pages={count:.0f} cpu_s={cpu_s:.1f} pages/cpu_s={count / cpu_s if cpu_s else 0:.1f} "
              f"wall_s={wall_s:.1f}")
    plain, ours = totals["plain"], totals["unpipe"]
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratios * 3 or [0.0] * 3)
    q1, median, q3 = quartiles
    print(f"CPU ratio unpipe/plain: totals {ours[1] / plain[1]:.3f}; per file median {median:.3f} "
          f"(quartiles {q1:.3f}–{q3:.3f}, {len(ratios)} files both sides read)")
    print(f"wall ratio unpipe/plain (for reference only): {ours[2] / plain[2]:.3f}")
    print(f"peak RSS of the process (both sides): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
