"""Benchmark: ingesting ../shared/bench: first, no-op second, `reextract --all`, and 1 vs 2 parse processes.

    .venv/bin/python benchmarks/bench_ingest.py [--bench ../shared/bench] [--limit N] [--only commands|workers]

Commands (each a real `unpipe` process on one fresh data folder, measured with ``os.wait4``: CPU
time of the command and of every process it waited for, its parse processes and Prefect's ephemeral
server included, start-up included; wall time; peak RSS):

1. ``unpipe ingest BENCH``: the first ingest;
2. ``unpipe ingest BENCH`` again: nothing changed, so nothing may be parsed;
3. ``unpipe reextract --all``: every extractor over every stored layout, in one pass per document;
   the first one in a data folder also creates Prefect's database, so it runs twice: the second is
   what a scheduled re-extraction costs.

Ratios are to the first ingest's CPU time.

Workers: the ingest flow over the same files as an inbox (``unpipe run``'s path: file store, process
pool, SQLite store) with ``UNPIPE_WORKERS`` 1 and 2, each in its own child process and data folder.
Timed is the flow run only (Prefect's start-up and the language models are loaded before, by a
warm-up flow). Parsing is CPU-bound, so the speed-up is in wall time, and on a shared machine wall
time depends on what the other tenants leave free. So each run reports, besides its wall time:

- the CPU time of the flow's own process (discovery, extraction, loading) and of its parse processes
  (``RUSAGE_CHILDREN`` once the pool is shut down), and the parse CPU per worker;
- cores used, (own + parse CPU) / wall: about 1 plus what the parse processes overlap; with 2
  workers on an idle 2-core machine, near 2;
- the load average (``os.getloadavg``, 1 minute) before and after the run.

The speed-up line gives the wall-time ratio and the ratio of cores used: a wall ratio far below 1.8
with a CPU total that did not grow means the machine was busy, not that the second worker was idle.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNPIPE = Path(sys.executable).with_name("unpipe")


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without Prefect and unpipe settings; Prefect's ephemeral server is given long
    time-outs, as its start on a shared, loaded machine can take minutes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
    env.update(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="600", PREFECT_API_REQUEST_TIMEOUT="600", **extra)
    return env


def run_command(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one command to its end; its CPU (children it waited for included), wall time and peak RSS."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen([str(UNPIPE), *args], env=env, cwd=ROOT, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # not Popen.wait: wait4 also gives the resource usage
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if process.returncode not in (0, 1):  # 1: some file failed (the bench holds a few bad ones on purpose)
        sys.exit(f"{args} failed ({process.returncode}):\n{out}\n{err}")
    return {
        "command": "unpipe " + " ".join(a if "/" not in a else "…/" + Path(a).name for a in args),
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.perf_counter() - started,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "summary": next((line for line in reversed(out.splitlines()) if "document(s)" in line), "").strip(),
    }


def commands(bench: Path, tmp: Path) -> list[dict[str, Any]]:
    env = _clean_env(UNPIPE_DATA_DIR=str(tmp / "data-commands"))
    return [
        run_command(["ingest", str(bench)], env),
        run_command(["ingest", str(bench)], env),
        run_command(["reextract", "--all"], env),
        run_command(["reextract", "--all"], env),
    ]


def child(workers: int, inbox: Path, data: Path) -> None:
    import resource

    os.environ.update(UNPIPE_DATA_DIR=str(data), UNPIPE_INBOX_DIR=str(inbox), UNPIPE_WORKERS=str(workers))
    started = time.perf_counter()
    import flows  # noqa: F401  # configures Prefect (home in the data folder, quiet) before it is imported

    # isort: split
    from prefect import flow

    from flows.run import one_off_run, run_ingest
    from pipeline.run.resources import ready_to_extract

    @flow(name="warm-up")
    def warm_up() -> None:
        """Start the ephemeral server and load spaCy and jieba, so the timed run measures ingesting."""
        ready_to_extract()

    with one_off_run():
        warm_up()

    def cpu(who: int) -> float:
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    ready, own_before, kids_before = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    report = run_ingest(sources=["inbox"])  # the parse pool is shut down (its processes reaped) at the end
    seconds = time.perf_counter() - ready
    own, parse = cpu(resource.RUSAGE_SELF) - own_before, cpu(resource.RUSAGE_CHILDREN) - kids_before
    print(json.dumps({
        "workers": workers,
        "documents": report.total,
        "failed": len(report.failures),
        "pages": report.pages,
        "seconds": round(seconds, 1),
        "cpu": round(own + parse, 1),
        "own_cpu": round(own, 1),
        "parse_cpu_per_worker": round(parse / workers, 1),
        "cores_used": round((own + parse) / seconds, 2),
        "pages_per_s": round(report.pages / seconds, 2),
        "startup_s": round(ready - started, 1),
        "load": f"{load:.1f}→{os.getloadavg()[0]:.1f}",
    }))


def workers_runs(files: list[Path], counts: list[int], tmp: Path) -> list[dict[str, Any]]:
    results = []
    for workers in counts:
        inbox, data = tmp / f"inbox-{workers}", tmp / f"data-{workers}"
        inbox.mkdir()
        for path in files:
            shutil.copyfile(path, inbox / path.name)
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(workers), "--inbox", str(inbox), "--data", str(data)],
            capture_output=True, text=True, cwd=ROOT, env=_clean_env(),
        )
        if done.returncode != 0:
            sys.exit(f"workers={workers} failed:\n{done.stdout}\n{done.stderr}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="parse processes to compare")
    parser.add_argument("--only", choices=["commands", "workers"], help="run one half only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inbox", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.inbox, args.data)
        return
    files = sorted(args.bench.glob("*.pdf"))[: args.limit or None]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        tmp = Path(folder)
        bench = args.bench
        if args.limit:
            bench = tmp / "bench"
            bench.mkdir()
            for path in files:
                shutil.copyfile(path, bench / path.name)
        print(f"files: {len(files)} from {args.bench}; load average {os.getloadavg()[0]:.1f} (2 cores)")
        if args.only != "workers":
            rows = commands(bench, tmp)
            first = rows[0]["cpu"]
            print(f"{'command':<40} {'CPU s':>7} {'× first':>7} {'wall s':>7} {'peak RSS MB':>11}  summary")
            for r in rows:
                print(f"{r['command']:<40} {r['cpu']:>7.1f} {r['cpu'] / first:>7.3f} {r['wall']:>7.1f} "
                      f"{r['peak_rss_mb']:>11.0f}  {r['summary']}")
        if args.only != "commands":
            results = workers_runs(files, args.workers, tmp)
            print(f"{'workers':>7} {'docs':>5} {'failed':>6} {'pages':>6} {'wall s':>7} {'CPU s':>7} "
                  f"{'own CPU s':>9} {'parse CPU s/worker':>18} {'cores used':>10} {'pages/s':>8} "
                  f"{'start-up s':>10} {'load':>10}")
            for r in results:
                print(f"{r['workers']:>7} {r['documents']:>5} {r['failed']:>6} {r['pages']:>6} {r['seconds']:>7} "
                      f"{r['cpu']:>7} {r['own_cpu']:>9} {r['parse_cpu_per_worker']:>18} {r['cores_used']:>10} "
                      f"{r['pages_per_s']:>8} {r['startup_s']:>10} {r['load']:>10}")
            base = results[0]
            for r in results[1:]:
                print(f"speed-up {base['workers']} → {r['workers']} workers: {base['seconds'] / r['seconds']:.2f}× "
                      f"wall time, {r['cores_used'] / base['cores_used']:.2f}× cores used, "
                      f"CPU total {r['cpu'] / base['cpu']:.2f}× (load average {base['load']} and {r['load']})")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
