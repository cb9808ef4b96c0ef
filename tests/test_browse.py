"""``unpipe browse``: views first, CJK fonts, facets, links to the PDF page, charts; the Datasette child
stops with ``browse``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline.query.browse import PDF_MOUNT, file_store_root, sqlite_path
from tests.query_data import QueryStore, cli

pytest_plugins = ["tests.query_store"]


def get(store: QueryStore, path: str) -> str:
    return str(cli(store, "browse", "--get", path).stdout)


def test_views_come_first_with_cjk_fonts_and_charts(gold_sqlite_store: QueryStore) -> None:
    stem = sqlite_path(gold_sqlite_store.url).stem
    page = get(gold_sqlite_store, f"/{stem}")
    assert page.index("Views: start here") < page.index('id="tables"')
    assert page.index(f'/{stem}/tracked_v">tracked_v</a>') < page.index(f'/{stem}/files">')
    assert "Noto Sans CJK SC" in page and "col-text" in page
    assert "g.mark=bar" in page  # the chart of status by organization opens from the database page
    plugins = json.loads(get(gold_sqlite_store, "/-/plugins.json"))
    assert "datasette-vega" in {p["name"] for p in plugins}
    facets = json.loads(get(gold_sqlite_store, f"/{stem}/status_v.json?_size=0"))["facet_results"]
    assert {"organization", "report", "implementation"} <= set(facets)
    assert {f["value"] for f in facets["organization"]["results"]} >= {"WIPO", "UNICEF"}


def test_rows_link_to_the_stored_pdf_at_their_page(gold_sqlite_store: QueryStore) -> None:
    stem = sqlite_path(gold_sqlite_store.url).stem
    rows = json.loads(get(gold_sqlite_store, f"/{stem}/status_history.json?_shape=array&report=JIU/REP/2021/6"
                                             "&number=6"))
    root = file_store_root(sqlite_path(gold_sqlite_store.url))
    stored = [row for row in rows if row["document_symbol"] == "WO/PBC/34/6"]  # the others have no PDF
    assert stored and root is not None
    for row in stored:
        path, page = row["pdf"].split(f"/{PDF_MOUNT}/")[1].split("#page=")
        assert (root / path).is_file() and page == str(row["page"] or 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(child) for task in tasks.iterdir()
            for child in (task / "children").read_text().split()] if tasks.exists() else []


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_browse_stops_its_datasette_child(gold_sqlite_store: QueryStore, stop: signal.Signals) -> None:
    port = _free_port()
    browse = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "browse", "--db", gold_sqlite_store.url,
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=os.environ)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and browse.poll() is None, "datasette did not start"
                time.sleep(0.5)
        children = _children(browse.pid)
        assert children, "datasette runs as a child of browse"
        browse.send_signal(stop)
        browse.wait(timeout=10)
        for child in children:
            assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2)
    finally:
        if browse.poll() is None:
            browse.kill()
