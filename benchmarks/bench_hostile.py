"""Benchmark: ``unpipe extract`` on a Flate bomb, a 100 MB inline image and a good PDF, with the default
limits (issue 13's targets: peak RSS under the memory limit + 200 MB, the inline image failed within
its time limit, the good file extracted).

    .venv/bin/python benchmarks/bench_hostile.py [--bomb-mb 2560] [--inline-mb 100] [--raise-stream-cap]

The hostile files are built in a temporary folder (``tests/badfiles.py``). The command runs as a child
process with no ``UNPIPE_*`` limits set (``--raise-stream-cap`` sets ``UNPIPE_PARSE_MAX_STREAM_BYTES`` to
8 GiB, so the bomb meets the worker's RLIMIT_AS and the inline image its time limit instead of the cap).
Reported: each file's outcome line, the children's peak RSS (``ru_maxrss`` of every waited-for
descendant: the command and its parse workers), their CPU time (user + system, from
``getrusage(RUSAGE_CHILDREN)``) and wall time for reference; then each hostile file parsed alone
through the same bounded worker, with its wall time to failure.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def children_usage() -> tuple[float, int]:
    """CPU seconds (user + system) and peak RSS (KiB) of the waited-for descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=2560, help="Inflated size of the Flate bomb (MiB).")
    parser.add_argument("--inline-mb", type=int, default=100, help="Size of the inline image (MB, RGB).")
    parser.add_argument("--raise-stream-cap", action="store_true", help="Set the stream cap to 8 GiB.")
    args = parser.parse_args()

    from pipeline.core.settings import Settings
    from tests.badfiles import flate_bomb, huge_inline_image
    from tests.corpus import corpus_pdf

    for name in [k for k in os.environ if k.startswith("UNPIPE_") and k != "UNPIPE_SHARED_DIR"]:
        del os.environ[name]  # the default limits, here and in the command
    if args.raise_stream_cap:
        os.environ["UNPIPE_PARSE_MAX_STREAM_BYTES"] = str(8 << 30)
    env = dict(os.environ)
    settings = Settings()
    side = int((args.inline_mb * 1_000_000 / 3) ** 0.5)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        work = Path(folder)
        bomb = flate_bomb(work / "bomb.pdf", args.bomb_mb << 20)
        inline = huge_inline_image(work / "inline.pdf", side, side)
        good = corpus_pdf("A_80_500.pdf")
        print(f"bomb: {bomb.stat().st_size:,} bytes on disk, {args.bomb_mb << 20:,} inflated")
        print(f"inline image: {side} x {side} RGB = {side * side * 3:,} bytes, file {inline.stat().st_size:,} bytes")
        print(f"limits: memory {settings.parse_memory_limit_bytes:,} B, time {settings.parse_timeout_seconds} s "
              f"+ {settings.parse_timeout_per_page_seconds} s/page, stream cap {settings.parse_max_stream_bytes:,} B")

        cpu0, _ = children_usage()
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "extract", str(bomb), str(inline), str(good), "--out",
             str(work / "out")], capture_output=True, text=True, env=env, cwd=ROOT,
        )
        wall = time.monotonic() - started
        cpu1, peak_kib = children_usage()
        print(f"\nunpipe extract: exit {result.returncode}, wall {wall:.2f} s, children CPU {cpu1 - cpu0:.2f} s, "
              f"children peak RSS {peak_kib / 1024:.1f} MiB "
              f"(target < {(settings.parse_memory_limit_bytes >> 20) + 200} MiB)")
        for line in result.stderr.splitlines():
            if line.startswith("failed:") or "record(s) written" in line:
                print("  " + line.replace(str(work) + "/", ""))
        record = work / "out" / "A_80_500.json"
        if record.is_file():
            data = json.loads(record.read_text(encoding="utf-8"))
            print(f"  good file extracted: {data['document']['symbol']}, {data['source']['pages']} pages")
        else:
            print("  good file NOT extracted")

        from pipeline.run.resources import close_parse_pools, parse_file

        print("\neach hostile file alone, in a bounded worker (worker started before the clock):")
        parse_file(good, settings)  # starts the worker
        for path in (bomb, inline):
            started = time.monotonic()
            try:
                parse_file(path, settings)
                outcome = "parsed (not refused)"
            except Exception as exc:
                outcome = f"{getattr(exc, 'reason', type(exc).__name__)}: {exc}"
            print(f"  {path.name}: {time.monotonic() - started:.2f} s wall: {outcome[:160]}")
            parse_file(good, settings)  # a replaced worker is started before the next clock
        close_parse_pools()


if __name__ == "__main__":
    main()
