"""`unpipe run` against the real UN site shapes (tests/standin.py, after /work/shared/un-sites/).

Every Chinese and English corpus document (first page), found through the Digital Library search (with
its header comment, several symbols per record, 856 files or none), the watch list (ODS probed in both
languages) and the JIU listing; ODS redirects to job-number files or says "not in this language" in its
three ways; the bot wall and the JSON 429 meet discovery and downloads. Each (document, language) must
end loaded, unavailable, or failed with its reason; a second run downloads nothing; after the Digital
Library adds three records, a run fetches exactly those.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import CORPUS
from tests.databases import postgres_schema_url
from tests.flows_support import build_small_corpus, env_for, flow_settings_for, ingest_items
from tests.standin import JIU_FILES, SECRETARY_GENERAL, CatalogEntry, StandIn, tiny_pdf

pytestmark = pytest.mark.slow

ODS_ONLY = ("A/80/5", "A/80/6", "A/81/", "A/63/", "A/76/")
"""Records under these symbols list no files (no 856): both languages are asked of ODS."""
WATCHED = ["DP/2025/12/Add.1", "E/ICEF/2025/14", "CEB/2025/4", "WO/PBC/34/6", "A/RES/217(III)", "DP/OPS/2025/6"]
"""Corpus documents no Digital Library query finds (not JIU, ACABQ or Secretary-General): on the watch list."""
MISSING = {("A/80/600", "zh"): "404", ("A/80/607", "zh"): "empty", ("A/80/615", "zh"): "html"}
# (symbol, language) → (fault kind, options, state, reason, tries)
FAULTS: dict[tuple[str, str], tuple[str, dict[str, Any], str, str, int]] = {
    ("A/80/630", "en"): ("waf", {"times": 1}, "loaded", "", 2),
    ("A/80/596", "en"): ("waf", {}, "failed", "bot_challenge", 3),
    ("A/80/604/Add.2", "en"): ("rate_json", {"times": 1, "retry_after": None}, "loaded", "", 2),
    ("A/79/7/Add.13", "en"): ("rate_json", {"retry_after": "3600"}, "failed", "retry_after_too_long", 1),
    ("JIU/REP/2025/1", "en"): ("status", {"status": 404}, "unavailable", "unavailable", 1),
    ("A/80/604/Add.5", "en"): ("html", {}, "failed", "not_pdf", 1),  # an HTML page at the ODS file itself
}
FILE_PATHS = ("/doc/", "/record/", JIU_FILES)


def _corpus_choice() -> list[tuple[str, str, int]]:
    return [(folder, p.name, 1) for folder in ("en", "zh") for p in sorted((CORPUS / folder).glob("*.pdf"))]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    corpus = build_small_corpus(tmp_path_factory.mktemp("un-sites-corpus"), _corpus_choice())
    with StandIn(corpus, ods_only=lambda symbol: symbol.startswith(ODS_ONLY)) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def run_settings(
    request: pytest.FixtureRequest, sites: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    sites.reset()
    watch = tmp_path / "watch.toml"
    watch.write_text("symbols = [" + ", ".join(f'"{s}"' for s in WATCHED) + "]\n", encoding="utf-8")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_schema_url()) if request.param == "postgresql" else ""
        yield from flow_settings_for(sites, tmp_path, monkeypatch, url, watchlist_file=watch,
                                     http_timeout_seconds=5.0)
    sites.reset()


def _unpipe_run(settings: Any, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The command line, in its own process, as a scheduled run starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNPIPE_", "PREFECT_"))}
    env.update(env_for(settings))
    unpipe = Path(sys.executable).with_name("unpipe")
    return subprocess.run([str(unpipe), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)


def _downloads(sites: StandIn, start: int) -> set[tuple[str | None, str]]:
    """(document, path) of every PDF body sent since request ``start`` (not programmed HTML pages)."""
    return {(r.symbol, r.path) for r in sites.requests[start:]
            if r.path.startswith(FILE_PATHS) and r.status == 200 and r.body_bytes > 0 and r.fault is None}


def test_unpipe_run_meets_every_shape_then_downloads_nothing_then_only_what_is_new(
    sites: StandIn, run_settings: Any, tmp_path: Path
) -> None:
    sites.missing_style.update(MISSING)
    sites.add_fault("waf", path="/search", times=1)
    sites.add_fault("rate_json", path="/search", times=1, retry_after=None)
    for (symbol, lang), (kind, options, *_) in FAULTS.items():
        if kind == "html":
            sites.add_fault(kind, path=sites.file_path(symbol, lang), **options)
        else:
            sites.add_fault(kind, symbol=symbol, lang=lang, **options)

    done = _unpipe_run(run_settings, tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr  # some documents failed, with their reasons
    items = ingest_items(run_settings.resolved_database_url)
    symbols = {s for s, _ in items}
    assert len(symbols) >= 40 and {lang for _, lang in items} == {"en", "zh"}
    assert "A/80/275" in symbols and "S/2025/491" not in symbols  # one record, two symbols: one document
    for key, row in items.items():
        reason = (row.reason or "").split(":")[0]
        if key in FAULTS:
            _, _, state, expected, tries = FAULTS[key]
            assert (row.state, reason, row.attempts) == (state, expected, tries), key
        elif sites._doc(*key) is not None:
            assert (row.state, row.reason) == ("loaded", None), key
        else:
            assert (row.state, reason) == ("unavailable", "unavailable"), key
    for key in MISSING:
        assert items[key].state == "unavailable"
    assert sum(1 for (s, lang), row in items.items() if row.state == "loaded" and lang == "zh") >= 4
    from_ods = [row for (s, _), row in items.items() if row.state == "loaded" and s.startswith(ODS_ONLY)]
    assert from_ods and all(row.job_number and row.file_name == f"{row.job_number.lower()}.pdf" for row in from_ods)
    assert "not available in that language" in " ".join(done.stdout.split())

    # Second run: nothing new since the first; unavailable versions are not asked again for a week.
    start = len(sites.requests)
    again = _unpipe_run(run_settings, tmp_path)
    assert _downloads(sites, start) == set()
    assert not [r for r in sites.requests[start:] if (r.symbol, r.params.get("l")) in MISSING]
    assert " 0 loaded" in " ".join(again.stdout.split())
    assert ingest_items(run_settings.resolved_database_url).keys() == items.keys()

    # The Digital Library adds three records (one lists no files: ODS in both languages).
    now = datetime.now(UTC)
    new = ["A/80/900", "A/80/901", "A/80/902"]
    for n, symbol in enumerate(new):
        sites.add_record(
            CatalogEntry(symbol, f"Budget performance ({n})", now.date(), SECRETARY_GENERAL, ["en"], 4_800_000 + n,
                         responsibility="report of the Secretary-General", modified=now + timedelta(minutes=n),
                         files_listed=n != 2),
            document=tiny_pdf(symbol),
        )
    start = len(sites.requests)
    third = _unpipe_run(run_settings, tmp_path)
    assert {symbol for symbol, _ in _downloads(sites, start)} == set(new)
    after = ingest_items(run_settings.resolved_database_url)
    assert set(after) - set(items) == {(s, "en") for s in new} | {("A/80/902", "zh")}
    assert [after[(s, "en")].state for s in new] == ["loaded"] * 3
    assert after[("A/80/902", "zh")].state == "unavailable"
    assert " 3 loaded" in " ".join(third.stdout.split())
