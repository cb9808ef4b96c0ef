"""Benchmark: `unpipe run` over a generated Digital Library catalogue of N records on the stand-in (127.0.0.1).

    .venv/bin/python benchmarks/bench_catalogue.py                  # N = 100,000
    .venv/bin/python benchmarks/bench_catalogue.py --sizes 1000,10000

For each N: a stand-in serving ``tests.standin.generate_catalogue(N)`` (records in the real MARCXML
layout, a third each Secretary-General, ACABQ and JIU; one in ten has an English PDF, half of those
listed in 856; every other language version is "not available" in one of the three ODS shapes), then
``unpipe run --source undl`` in its own process with a fresh data folder (SQLite store, ephemeral
Prefect server under it). Reported per N:

- items: (symbol, language) rows in ``ingest_items`` (records without 856 give two: zh and en);
- ms/item: wall time of the whole command (Prefect start included) divided by items;
- Prefect bytes/item: growth of ``prefect.db`` (with its WAL) over the same run on a 10-record
  catalogue, divided by the extra items: what the flow's task runs cost Prefect's database;
- peak RSS of the run (the command and the processes it waited for, ``wait4``) and, across sizes, the
  memory slope in KB per record.

With ``--timeout`` a run still going after that many seconds is killed (its process group) and the
figures are those of the items it finished (loaded, unavailable or failed), marked ``PARTIAL``.

The stand-in lives in this process; its own peak RSS is printed too (the catalogue is made lazily).
Loopback figures measure our overhead, not the UN sites.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.standin import StandIn, generate_catalogue  # noqa: E402


@dataclass
class Measure:
    n: int
    items: int
    states: dict[str, int]
    seconds: float
    prefect_bytes: int
    peak_rss_kb: int
    exit_code: int
    finished: bool


def run_once(n: int, workdir: Path, timeout: float | None = None) -> Measure:
    """One `unpipe run --source undl` over an n-record catalogue, in a fresh data folder."""
    corpus = workdir / f"corpus-{n}"
    for folder in ("en", "zh"):
        (corpus / folder).mkdir(parents=True, exist_ok=True)
    data = workdir / f"data-{n}"
    with StandIn(corpus, generated=generate_catalogue(n)) as sites:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UNPIPE_", "PREFECT_"))}
        env.update({
            "UNPIPE_DATA_DIR": str(data),
            "UNPIPE_ODS_BASE_URL": sites.url,
            "UNPIPE_UNDL_BASE_URL": sites.url,
            "UNPIPE_JIU_BASE_URL": sites.url,
            "UNPIPE_HTTP_REQUESTS_PER_SECOND": "100000",
            "UNPIPE_UNDL_PAGE_SIZE": "200",
            "UNPIPE_UNDL_MAX_RECORDS": str(max(n, 1) * 2),
            "UNPIPE_HTTP_TIMEOUT_SECONDS": "30",
        })
        unpipe = Path(sys.executable).with_name("unpipe")
        started = time.perf_counter()
        log = workdir / f"run-{n}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([str(unpipe), "run", "--source", "undl"], env=env, cwd=workdir,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            finished = True
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if timeout is not None and time.perf_counter() - started > timeout:
                    os.killpg(process.pid, signal.SIGKILL)
                    finished = False
                    _, status, usage = os.wait4(process.pid, 0)
                    break
                time.sleep(0.5)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
    if finished and code not in (0, 1):
        sys.exit(f"unpipe run failed for N={n}:\n{log.read_text(errors='replace')[-3000:]}")
    with sqlite3.connect(data / "unpipe.db") as db:
        states = dict(db.execute("SELECT state, count(*) FROM ingest_items GROUP BY state").fetchall())
    done = sum(states.get(s, 0) for s in ("loaded", "unavailable", "failed"))
    prefect = sum(p.stat().st_size for p in (data / "prefect").glob("prefect.db*"))
    return Measure(n, done, states, seconds, prefect, usage.ru_maxrss, code, finished)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated catalogue sizes N (default 100000)")
    parser.add_argument("--timeout", type=float, help="seconds after which a run is stopped and reported PARTIAL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
        base = run_once(10, Path(tmp))
        print(f"baseline N=10: {base.items} items in {base.seconds:.1f} s, prefect.db {base.prefect_bytes / 1e6:.1f} MB, "
              f"peak RSS {base.peak_rss_kb / 1024:.0f} MB", flush=True)
        results = []
        for n in sizes:
            m = run_once(n, Path(tmp), args.timeout)
            results.append(m)
            extra_items = max(m.items - base.items, 1)
            print(
                f"N={n}{'' if m.finished else ' PARTIAL (stopped at --timeout)'}: "
                f"{m.items} items done {m.states} in {m.seconds:.1f} s = {1000 * m.seconds / max(m.items, 1):.1f} ms/item; "
                f"Prefect db +{(m.prefect_bytes - base.prefect_bytes) / extra_items:.0f} bytes/item; "
                f"peak RSS {m.peak_rss_kb / 1024:.0f} MB (exit {m.exit_code})",
                flush=True,
            )
        if len(results) >= 2:
            a, b = results[0], results[-1]
            slope = (b.peak_rss_kb - a.peak_rss_kb) / (b.n - a.n)
            print(f"memory slope of the run: {slope:.2f} KB per record (N={a.n} → {b.n})")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"stand-in (this process) peak RSS: {own / 1024:.0f} MB")


if __name__ == "__main__":
    main()
