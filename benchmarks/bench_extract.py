"""Benchmark: `unpipe extract` against plain pdfplumber `extract_text()` over the same PDFs, same run.

    .venv/bin/python benchmarks/bench_extract.py [--bench ../shared/bench] [--limit N]

Each side runs in its own child process so that its peak RSS is its own. Prints pages, seconds,
pages/s, the time ratio (unpipe / plain) and each side's peak RSS in MB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def plain_extract_text(files: list[str]) -> int:
    import pdfplumber

    pages = 0
    for name in files:
        try:
            with pdfplumber.open(name) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.close()
                    pages += 1
        except Exception:  # the baseline just skips what pdfplumber cannot open
            continue
    return pages


def unpipe_extract(files: list[str]) -> int:
    from pipeline.cli.app import app

    with tempfile.TemporaryDirectory() as out:
        with contextlib.suppress(SystemExit):
            app(["extract", *files, "--out", out], prog_name="unpipe", standalone_mode=False)
        pages = 0
        for record in Path(out).glob("*.json"):
            pages += json.loads(record.read_text(encoding="utf-8"))["source"]["pages"]
    return pages


def child(side: str, files: list[str]) -> None:
    started = time.perf_counter()
    pages = plain_extract_text(files) if side == "plain" else unpipe_extract(files)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"side": side, "pages": pages, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb, 1)}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--child", choices=["plain", "unpipe"], help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.files)
        return
    files = sorted(str(p) for p in args.bench.glob("*.pdf"))
    if args.limit:
        files = files[: args.limit]
    results = {}
    for side in ("plain", "unpipe"):
        done = subprocess.run(
            [sys.executable, __file__, "--child", side, *files],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results[side] = json.loads(done.stdout.strip().splitlines()[-1])
    plain, ours = results["plain"], results["unpipe"]
    print(f"files: {len(files)}")
    for row in (plain, ours):
        rate = row["pages"] / row["seconds"] if row["seconds"] else 0.0
        print(
            f"{row['side']:7s} pages={row['pages']} seconds={row['seconds']} pages/s={rate:.1f} "
            f"peak_rss_mb={row['peak_rss_mb']}"
        )
    print(f"ratio unpipe/plain: {ours['seconds'] / plain['seconds']:.3f}")


if __name__ == "__main__":
    main()
