"""Benchmark: what `unpipe run` costs per (symbol, language) item that needs nothing, as items grow.

    .venv/bin/python benchmarks/bench_run_items.py [--items 1000 5000 10000] [--batch-size 200]

The stand-in UN sites (``tests/standin.py``, real HTTP on 127.0.0.1, in this process) list N
synthetic ACABQ reports in the Digital Library, English only. Half are served with the bytes of one
small real report (already in the store, so they end ``unchanged`` without a parse), half are not
served at all (404: ``unavailable``). For each N a child process with a fresh data folder:

1. ingests the small report once (``unpipe ingest``'s path), then starts Prefect (a warm-up flow);
2. run 1: the first sight of the N items (a 200 with known bytes, or a 404);
3. run 2: the steady state the issue is about (a 304, or the 404 again).

Reported per run: wall ms/item, CPU ms/item (this process and its reaped children; the ephemeral
Prefect server is a separate process and not in it), Prefect database bytes/item (pages in use in
``prefect.db``, its WAL included, before and after the run), and the child's peak RSS; then the slope
of the peak RSS over N (KB per item).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ("en", "A_80_604_Add.1.pdf")
"""The corpus report whose first page every served item returns (parsed once, when primed)."""


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _prefect_db_bytes(home: Path) -> int:
    """Bytes Prefect's database holds (pages in use, write-ahead log included): its file may not grow
    at all while freed pages are reused, so the file size would under-count."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(f"file:{home / 'prefect.db'}?mode=ro", uri=True, timeout=30)) as db:
        pages, free, size = (db.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
    return int((pages - free) * size)


def child(data: Path, sample: Path) -> None:
    """One N: prime the store, warm Prefect up, then time two runs (environment set by the parent)."""
    import flows  # noqa: F401  # configures Prefect (home in the data folder, quiet) before it is imported

    # isort: split
    from prefect import flow

    from flows.run import one_off_run, run_ingest
    from pipeline.core.settings import get_settings
    from pipeline.run.files import ingest_paths

    primed = ingest_paths([sample], get_settings())
    assert primed.counts["loaded"] == 1, primed.items

    @flow(name="warm-up")
    def warm_up() -> None:
        """Start the ephemeral server before the timed runs."""

    with one_off_run():
        warm_up()
    home = Path(os.environ["PREFECT_HOME"])
    results = []
    for run in (1, 2):
        db_before, cpu_before, started = _prefect_db_bytes(home), _cpu(), time.perf_counter()
        report = run_ingest(sources=["undl"], languages=["en"])
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
        time.sleep(2)  # let the server write the run's last events before the database is measured
        results.append({
            "run": run,
            "items": report.total,
            "counts": dict(report.counts),
            "seconds": seconds,
            "cpu": cpu,
            "prefect_db_bytes": _prefect_db_bytes(home) - db_before,
        })
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"runs": results, "peak_rss_bytes": peak}))


def _small_report(folder: Path) -> Path:
    """The first page of the sample report, as its own PDF."""
    from pypdf import PdfReader, PdfWriter

    from tests.corpus import CORPUS

    writer = PdfWriter()
    writer.add_page(PdfReader(CORPUS / SAMPLE[0] / SAMPLE[1]).pages[0])
    target = folder / SAMPLE[1]
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def measure(n: int, batch_size: int, tmp: Path, sample: Path) -> dict[str, object]:
    from tests.standin import ACABQ, CatalogEntry, StandIn

    empty = tmp / f"empty-{n}"
    empty.mkdir()
    data = tmp / f"data-{n}"
    with StandIn(empty) as standin:
        body = sample.read_bytes()
        for i in range(n):
            symbol = f"A/99/7/Add.{i + 1}"
            standin.add_record(CatalogEntry(symbol=symbol, title=f"Report {symbol}", date=date(2025, 1, 1),
                                            author=ACABQ, languages=["en"], record_id=9_000_000 + i))
            if i % 2 == 0:
                standin.set_document(symbol, "en", body, mtime=1_700_000_000.0)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
        env.update(
            UNPIPE_DATA_DIR=str(data), UNPIPE_ODS_BASE_URL=standin.url, UNPIPE_UNDL_BASE_URL=standin.url,
            UNPIPE_JIU_BASE_URL=standin.url, UNPIPE_HTTP_REQUESTS_PER_SECOND="100000",
            UNPIPE_UNDL_PAGE_SIZE="200", UNPIPE_UNDL_MAX_RECORDS=str(n + 1000), UNPIPE_BATCH_SIZE=str(batch_size),
            UNPIPE_HTTP_RETRIES="0", PREFECT_API_REQUEST_TIMEOUT="600",
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="600",  # a shared machine can be very slow
        )
        done = subprocess.run([sys.executable, __file__, "--child", str(data), str(sample)], env=env, cwd=ROOT,
                              capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"N={n} failed:\n{done.stdout}\n{done.stderr}")
    return {"n": n, **json.loads(done.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--batch-size", type=int, default=200, help="UNPIPE_BATCH_SIZE for the runs")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-run-items-") as folder:
        tmp = Path(folder)
        sample = _small_report(tmp)
        results = []
        for n in args.items:
            results.append(measure(n, args.batch_size, tmp, sample))
            print(json.dumps(results[-1]), flush=True)  # kept should a later N fail
    print(f"items: half served unchanged, half 404; batch size {args.batch_size}; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'N':>6} {'run':>3} {'counts':<32} {'wall ms/item':>12} {'CPU ms/item':>11} "
          f"{'Prefect DB B/item':>17} {'peak RSS MB':>11}")
    for r in results:
        for run in r["runs"]:  # type: ignore[attr-defined]
            n = r["n"]
            print(f"{n:>6} {run['run']:>3} {json.dumps(run['counts']):<32} {1000 * run['seconds'] / n:>12.2f} "
                  f"{1000 * run['cpu'] / n:>11.2f} {run['prefect_db_bytes'] / n:>17.1f} "
                  f"{r['peak_rss_bytes'] / 2**20:>11.1f}")  # type: ignore[operator]
    if len(results) > 1:
        first, last = results[0], results[-1]
        slope = (last["peak_rss_bytes"] - first["peak_rss_bytes"]) / (last["n"] - first["n"])  # type: ignore[operator]
        print(f"peak RSS slope {first['n']} → {last['n']} items: {slope / 1024:.2f} KB per item")


if __name__ == "__main__":
    main()
