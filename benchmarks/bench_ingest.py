"""Benchmark: the ingest flow over ../shared/bench with 1 and 2 parse processes; pages/s and speed-up.

    .venv/bin/python benchmarks/bench_ingest.py [--bench ../shared/bench] [--limit N] [--workers 1 2]

The PDFs are copied into a fresh inbox and ingested by the real flow (``sources=["inbox"]``: file
store, parse pool, extractors, SQLite store) with Prefect in its default ephemeral mode. Each worker
count runs in its own child process with its own data folder. Timed: the flow run only; the
ephemeral server's start-up and the first imports are done before, by a warm-up flow, and reported
apart. Pages are those parsed (failed files count nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(workers: int, inbox: Path, data: Path) -> None:
    os.environ.update(UNPIPE_DATA_DIR=str(data), UNPIPE_INBOX_DIR=str(inbox), UNPIPE_WORKERS=str(workers))
    started = time.perf_counter()
    import flows  # noqa: F401  # configures Prefect (home in the data folder, quiet) before it is imported

    # isort: split
    from prefect import flow

    from extractors.lib.nlp import pipeline
    from flows.run import one_off_run, run_ingest
    from pipeline.store.search_index import index_text

    @flow(name="warm-up")
    def warm_up() -> None:
        """Start the ephemeral server and load spaCy and jieba, so the timed run measures ingesting."""
        pipeline("en")
        pipeline("zh")
        index_text("联合检查组 Joint Inspection Unit")

    with one_off_run():
        warm_up()
    ready = time.perf_counter()
    report = run_ingest(sources=["inbox"])
    seconds = time.perf_counter() - ready
    print(json.dumps({
        "workers": workers,
        "documents": len(report.items),
        "failed": len(report.failures),
        "pages": report.pages,
        "seconds": round(seconds, 1),
        "pages_per_s": round(report.pages / seconds, 2),
        "startup_s": round(ready - started, 1),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="parse processes to compare")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inbox", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.inbox, args.data)
        return
    files = sorted(args.bench.glob("*.pdf"))[: args.limit or None]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        for workers in args.workers:
            inbox, data = Path(tmp) / f"inbox-{workers}", Path(tmp) / f"data-{workers}"
            inbox.mkdir()
            for path in files:
                shutil.copyfile(path, inbox / path.name)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(workers), "--inbox", str(inbox), "--data", str(data)],
                capture_output=True, text=True, cwd=ROOT, env=env,
            )
            if done.returncode != 0:
                sys.exit(f"workers={workers} failed:\n{done.stdout}\n{done.stderr}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"files: {len(files)} from {args.bench}")
    print(f"{'workers':>7} {'docs':>5} {'failed':>6} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'start-up s':>10}")
    for r in results:
        print(f"{r['workers']:>7} {r['documents']:>5} {r['failed']:>6} {r['pages']:>6} {r['seconds']:>8} "
              f"{r['pages_per_s']:>8} {r['startup_s']:>10}")
    if len(results) > 1:
        base = results[0]
        for r in results[1:]:
            print(f"speed-up {base['workers']} → {r['workers']} workers: {base['seconds'] / r['seconds']:.2f}×")


if __name__ == "__main__":
    main()
