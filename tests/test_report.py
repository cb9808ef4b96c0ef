"""``unpipe report``: a self-contained HTML page built from the query functions, drawn by a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.query.report import ACCEPTED_COLOUR, IMPLEMENTED_COLOUR, OVERDUE_COLOUR
from tests.query_data import QueryStore, cli, cli_json

pytest_plugins = ["tests.query_store"]

AS_OF = "2026-11-22"
CHROMIUM = Path("/usr/bin/chromium")


def test_report_is_self_contained_and_agrees_with_the_commands(gold_store: QueryStore, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    cli(gold_store, "report", "--output", str(target), "--as-of", AS_OF)
    html = target.read_text(encoding="utf-8")
    assert "<script" not in html and not re.search(r"""(src|href)=["']?https?:""", html)
    assert html.count("<svg") >= 6
    overdue = cli_json(gold_store, "recs", "--overdue", "--as-of", AS_OF)
    assert f"<h2>Overdue ({len(overdue)})</h2>" in html
    for row in cli_json(gold_store, "stats", "--by", "organization", "--as-of", AS_OF):
        assert f">{row['organization']}</text>" in html
        assert row["implementation_rate"] is None or \
            f"{round(100 * row['implementation_rate'])}% of {row['tracked']}" in html
    # WIPO's 2022 report moved JIU/REP/2021/6 recs 1 and 6 to implemented: changes of status, with remarks.
    wipo = tmp_path / "wipo.html"
    cli(gold_store, "report", "--organization", "WIPO", "--output", str(wipo), "--as-of", AS_OF)
    page = wipo.read_text(encoding="utf-8")
    assert "UNICEF" not in page and "WO/PBC/34/6" in page
    changes = page.split("Recent changes of status")[1].split("<h2>")[0]
    assert changes.count("<tr>") == 3 and "这项工作于 2021 年完成" in changes


def test_report_renders_in_headless_chromium(gold_sqlite_store: QueryStore, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs it: apt-get install -y chromium)")
    from PIL import Image

    target = tmp_path / "r.html"
    shot = tmp_path / "r.png"
    cli(gold_sqlite_store, "report", "--output", str(target), "--as-of", AS_OF)
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
                    target.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2000)
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1_000_000) or []}
    white = counts.get((255, 255, 255), 0)
    assert white < 0.97 * 1200 * 2000, "the page is blank"
    assert len(counts) > 50, "no text drawn (too few colours)"
    for colour in (ACCEPTED_COLOUR, IMPLEMENTED_COLOUR, OVERDUE_COLOUR):
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert counts.get(rgb, 0) > 1000, f"no bars drawn in {colour}"
    shutil.copy(shot, tmp_path.parent / "unpipe-report.png")  # kept for a look by hand
