"""Benchmark: `unpipe run` over a generated Digital Library catalogue of N records on the stand-in (127.0.0.1).

    .venv/bin/python benchmarks/bench_catalogue.py                  # N = 100,000
    .venv/bin/python benchmarks/bench_catalogue.py --sizes 1000,10000

For each N: a stand-in serving ``tests.standin.generate_catalogue(N)`` (records in the real MARCXML
layout, a third each Secretary-General, ACABQ and JIU; one in ten has an English PDF, half of those
listed in 856; every other language version is "not available" in one of the three ODS shapes), then
two ``unpipe run --source undl`` in their own processes over one fresh data folder (SQLite store,
ephemeral Prefect server under it):

1. ``first``: the first sight of the catalogue (5 % of the items downloaded, parsed and loaded);
2. ``recheck``: ``--since 2000-01-01`` with ``UNPIPE_UNAVAILABLE_RETRY_DAYS=0``, the steady state the
   issue's target is about: every item asked again, each a 304 (unchanged) or a 404 (unavailable).

Reported per run:

- items: (symbol, language) rows in ``ingest_items`` (records without 856 give two: zh and en);
- CPU ms/item: user + system CPU time of the command and the processes it waited for (the
  ephemeral Prefect server included), from ``wait4``, divided by items; wall ms/item beside it
  (Prefect's start-up included in both; on a shared machine only the CPU figure holds);
- Prefect bytes/item: growth of ``prefect.db`` (with its WAL) over the same run on a 10-record
  catalogue, divided by the extra items: what the flow's task runs cost Prefect's database;
- peak RSS of the command (the largest of it and its waited-for children, ``wait4``) and, across
  sizes, the memory slope in KB per item;
- the load average when the run ended (``os.getloadavg``).

With ``--timeout`` a run still going after that many seconds is killed (its process group) and the
figures are those of the items it finished (loaded, unavailable or failed), marked ``PARTIAL``.

The stand-in lives in this process; its own peak RSS is printed too (the catalogue is made lazily).
Loopback figures measure our overhead, not the UN sites.
"""

from __future__ import annotations

import argparse
import contextlib
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
    run: str
    items: int
    states: dict[str, int]
    seconds: float
    cpu: float
    prefect_bytes: int
    peak_rss_kb: int
    exit_code: int
    finished: bool
    load: float


RUNS: dict[str, tuple[list[str], dict[str, str]]] = {
    "first": ([], {}),
    "recheck": (["--since", "2000-01-01"], {"UNPIPE_UNAVAILABLE_RETRY_DAYS": "0"}),
}
"""Run name → extra arguments and environment of ``unpipe run --source undl``."""


def run_once(n: int, workdir: Path, runs: list[str], timeout: float | None = None) -> list[Measure]:
    """The named runs of `unpipe run --source undl` over an n-record catalogue, in one fresh data folder."""
    corpus = workdir / f"corpus-{n}"
    for folder in ("en", "zh"):
        (corpus / folder).mkdir(parents=True, exist_ok=True)
    data = workdir / f"data-{n}"
    measures = []
    with StandIn(corpus, generated=generate_catalogue(n)) as sites:
        for name in runs:
            measures.append(_one_run(n, name, data, workdir, sites.url, timeout))
            if not measures[-1].finished:
                break
    return measures


def _one_run(n: int, name: str, data: Path, workdir: Path, url: str, timeout: float | None) -> Measure:
    args, extra = RUNS[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNPIPE_", "PREFECT_"))}
    env.update({
        "UNPIPE_DATA_DIR": str(data),
        "UNPIPE_ODS_BASE_URL": url,
        "UNPIPE_UNDL_BASE_URL": url,
        "UNPIPE_JIU_BASE_URL": url,
        "UNPIPE_HTTP_REQUESTS_PER_SECOND": "100000",
        "UNPIPE_UNDL_PAGE_SIZE": "200",
        "UNPIPE_UNDL_MAX_RECORDS": str(max(n, 1) * 2),
        "UNPIPE_HTTP_TIMEOUT_SECONDS": "30",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600",  # a shared machine can be very slow
        **extra,
    })
    prefect_before = _prefect_bytes(data)
    unpipe = Path(sys.executable).with_name("unpipe")
    started = time.perf_counter()
    log = workdir / f"run-{n}-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(unpipe), "run", "--source", "undl", *args], env=env, cwd=workdir,
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
        sys.exit(f"unpipe run failed for N={n} ({name}):\n{log.read_text(errors='replace')[-3000:]}")
    states = _states(data)  # a re-check asks every row again, so its items are all the settled rows
    done = sum(states.get(s, 0) for s in ("loaded", "unavailable", "failed"))
    return Measure(n, name, done, states, seconds, usage.ru_utime + usage.ru_stime,
                   _prefect_bytes(data) - prefect_before, usage.ru_maxrss, code, finished, os.getloadavg()[0])


def _states(data: Path) -> dict[str, int]:
    if not (data / "unpipe.db").exists():
        return {}
    with contextlib.closing(sqlite3.connect(data / "unpipe.db")) as db:
        return dict(db.execute("SELECT state, count(*) FROM ingest_items GROUP BY state").fetchall())


def _prefect_bytes(data: Path) -> int:
    return sum(p.stat().st_size for p in (data / "prefect").glob("prefect.db*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated catalogue sizes N (default 100000)")
    parser.add_argument("--runs", default="first,recheck", help=f"comma-separated runs, of: {', '.join(RUNS)}")
    parser.add_argument("--timeout", type=float, help="seconds after which a run is stopped and reported PARTIAL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    runs = [r for r in args.runs.split(",") if r.strip()]

    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
        base = {m.run: m for m in run_once(10, Path(tmp), runs)}
        for m in base.values():
            print(f"baseline N=10 {m.run}: {m.items} items in {m.seconds:.1f} s wall, {m.cpu:.1f} s CPU, "
                  f"prefect.db +{m.prefect_bytes / 1e6:.2f} MB, peak RSS {m.peak_rss_kb / 1024:.0f} MB", flush=True)
        results: dict[str, list[Measure]] = {r: [] for r in runs}
        for n in sizes:
            for m in run_once(n, Path(tmp), runs, args.timeout):
                results[m.run].append(m)
                extra_items = max(m.items - base[m.run].items, 1)
                print(
                    f"N={n} {m.run}{'' if m.finished else ' PARTIAL (stopped at --timeout)'}: "
                    f"{m.items} items {m.states}; CPU {m.cpu:.1f} s = {1000 * m.cpu / max(m.items, 1):.2f} ms/item; "
                    f"wall {m.seconds:.1f} s = {1000 * m.seconds / max(m.items, 1):.2f} ms/item; "
                    f"Prefect db +{(m.prefect_bytes - base[m.run].prefect_bytes) / extra_items:.0f} bytes/item; "
                    f"peak RSS {m.peak_rss_kb / 1024:.0f} MB; load average {m.load:.1f} (exit {m.exit_code})",
                    flush=True,
                )
        for run, measures in results.items():
            if len(measures) >= 2:
                a, b = measures[0], measures[-1]
                slope = (b.peak_rss_kb - a.peak_rss_kb) / max(b.items - a.items, 1)
                print(f"memory slope of the {run} run: {slope:.2f} KB per item ({a.items} → {b.items} items)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"stand-in (this process) peak RSS: {own / 1024:.0f} MB")


if __name__ == "__main__":
    main()
