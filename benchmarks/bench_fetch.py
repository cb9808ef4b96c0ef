"""Benchmark: downloads from the stand-in UN sites on 127.0.0.1 (speed figures live here, not in tests).

    .venv/bin/python benchmarks/bench_fetch.py [--rate 20] [--threads 4]

Prints: a cold run over every served corpus PDF (MB/s, documents/s), a second run with conditional
requests (all 304), and how closely the token bucket holds a requested rate, single- and multi-threaded.
Loopback numbers measure our overhead (hashing, fsync, the limiter), not the UN sites.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.settings import Settings  # noqa: E402
from pipeline.fetch.fetcher import Fetcher  # noqa: E402
from pipeline.fetch.ratelimit import RateLimiter  # noqa: E402
from pipeline.fetch.results import fetch_results_by_key  # noqa: E402
from tests.standin import StandIn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s for the rate-limit check")
    parser.add_argument("--threads", type=int, default=4, help="threads for the multi-threaded rate check")
    args = parser.parse_args()

    with StandIn() as standin, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            ods_base_url=standin.url,
            undl_base_url=standin.url,
            jiu_base_url=standin.url,
            http_requests_per_second=10_000.0,
        )
        wanted = [(e.symbol, lang) for e in standin.catalog for lang in e.languages]
        with Fetcher(settings, limiter=RateLimiter(10_000.0)) as fetcher:
            started = time.perf_counter()
            first = [fetcher.fetch(s, lang) for s, lang in wanted]
            cold = time.perf_counter() - started
            megabytes = sum(r.size or 0 for r in first) / 1e6
            print(
                f"cold: {len(first)} PDFs, {megabytes:.1f} MB in {cold:.2f} s = "
                f"{megabytes / cold:.1f} MB/s, {len(first) / cold:.1f} docs/s"
            )
            previous = fetch_results_by_key(first)
            started = time.perf_counter()
            second = [fetcher.fetch(s, lang, previous=previous[(s, lang)]) for s, lang in wanted]
            warm = time.perf_counter() - started
            assert all(r.status == "not_modified" for r in second)
            print(f"conditional re-run: {len(second)} × 304 in {warm:.2f} s = {len(second) / warm:.0f} req/s")

        for threads in (1, args.threads):
            with Fetcher(settings, limiter=RateLimiter(args.rate)) as fetcher:
                n = int(args.rate * 2) + 1
                standin.reset()
                started = time.perf_counter()
                with ThreadPoolExecutor(threads) as pool:
                    list(pool.map(lambda _: fetcher.probe("A/80/604/Add.1", "en"), range(n)))
                elapsed = time.perf_counter() - started
                print(
                    f"rate limit {args.rate:g}/s, {threads} thread(s): {n} requests in {elapsed:.2f} s "
                    f"= {(n - 1) / elapsed:.1f}/s (burst of 1, so n-1 intervals)"
                )


if __name__ == "__main__":
    main()
