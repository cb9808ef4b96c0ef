"""The ingest flow end to end: Prefect, HTTP on loopback (the stand-in), a SQLite store.

The stand-in serves 25 corpus documents (22 English, 3 Chinese, cut to their first pages); every
fault it can play is injected on some of them. Each faulty document must end ``failed`` with its
reason, or succeed on retry; nothing else may be affected; a second run must download nothing and
change nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from models import Document, ExtractionRunRow, IngestItem
from tests.flows_support import snapshot, stored_files
from tests.standin import JIU_FILES

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

JIU_2 = f"{JIU_FILES}/en/JIU_REP_2025_2_English.pdf"

# symbol → (fault kind, options): "times=1" faults must be overcome by a retry.
RECOVERED = {
    "A/80/604/Add.2": ("status", {"status": 500, "times": 1}),
    "A/80/604/Add.4": ("retry_after", {"retry_after": "1", "times": 1}),
    "A/80/604/Add.6": ("slow", {"delay": 1.5, "times": 1}),
    "A/80/604/Add.8": ("truncate", {"mode": "close", "times": 1}),
    "A/80/604/Add.12": ("redirect", {}),
    "A/80/604/Add.13": ("chunked", {}),
}
# symbol → (fault kind, options, reason recorded, tries made)
FAILED = {
    "A/80/604/Add.1": ("status", {"status": 404}, "not_found", 1),
    "A/80/604/Add.3": ("status", {"status": 500}, "http_500", 3),
    "A/80/604/Add.5": ("retry_after", {"retry_after": "3600"}, "retry_after_too_long", 1),
    "A/80/604/Add.7": ("slow", {"delay": 1.5}, "timeout", 3),
    "A/80/604/Add.9": ("truncate", {"mode": "short"}, "truncated_pdf", 1),
    "A/80/604/Add.10": ("html", {}, "not_pdf", 1),
    "A/80/604/Add.11": ("redirect_loop", {}, "redirect_loop", 1),
    "A/79/7/Add.12": ("redirect_foreign", {}, "foreign_host", 1),
    "A/79/772": ("redirect_chain", {}, "too_many_redirects", 1),
}


def _items(url: str) -> dict[tuple[str, str], IngestItem]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {(r.symbol, r.language): r for r in conn.execute(select(IngestItem))}  # type: ignore[misc]
    finally:
        engine.dispose()


def _doc_requests(standin: Any, start: int) -> list[Any]:
    """Requests for documents (ODS, the /files/ redirect target, JIU links) since ``start``."""
    return [
        r for r in standin.requests[start:]
        if r.path == "/api/symbol/access" or r.path.startswith("/files/") or r.path.startswith(JIU_FILES)
    ]


def test_ingest_with_every_fault_then_a_second_run_changes_nothing(small_standin: Any, flow_settings: Any) -> None:
    from flows.run import run_ingest

    for symbol, (kind, options) in RECOVERED.items():
        small_standin.add_fault(kind, symbol=symbol, **options)
    for symbol, (kind, options, _, _) in FAILED.items():
        small_standin.add_fault(kind, symbol=symbol, **options)
    small_standin.add_fault("status", path=JIU_2, status=503, times=1)
    served = {(s, lang) for s, lang in small_standin.served()}

    report = run_ingest()

    url = flow_settings.resolved_database_url
    items = _items(url)
    assert len(items) == 25
    assert {lang for _, lang in items} == {"en", "zh"}
    assert sum(1 for _, lang in items if lang == "zh") == 3
    for (symbol, language), row in items.items():
        if symbol in FAILED:
            _, _, reason, tries = FAILED[symbol]
            assert (row.state, row.reason.split(":")[0], row.attempts) == ("failed", reason, tries), symbol
            continue
        assert row.state == "loaded", (symbol, row.reason)
        assert (symbol, language) in served
        assert row.sha256 == hashlib.sha256(small_standin.document_bytes(symbol, language)).hexdigest()
    retried = {s: items[(s, "en")].attempts for s in ("A/80/604/Add.2", "A/80/604/Add.4", "A/80/604/Add.6",
                                                     "A/80/604/Add.8", "JIU/REP/2025/2")}
    assert retried == dict.fromkeys(retried, 2)
    assert report.counts == {"loaded": 16, "failed": 9}
    assert {i.symbol for i in report.failures} == set(FAILED)

    # Retry-After honoured: the retry came at least a second after the 429.
    tries = [r for r in small_standin.requests_for("A/80/604/Add.4")]
    assert [r.status for r in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= 0.9

    # Unaffected documents: loaded once, every extractor recorded once.
    engine = create_engine(url)
    with engine.connect() as conn:
        loaded = conn.execute(select(func.count()).select_from(Document).where(Document.status == "loaded")).scalar()
        runs = conn.execute(select(ExtractionRunRow.document_id, ExtractionRunRow.extractor, func.count())
                            .group_by(ExtractionRunRow.document_id, ExtractionRunRow.extractor)).all()
    engine.dispose()
    assert loaded == 16
    assert {n for *_, n in runs} == {1}

    # Second run: conditional requests only; no PDF byte for a loaded document; nothing changes.
    before, files_before = snapshot(url, flow_settings.data_dir), stored_files(flow_settings.data_dir)
    start = len(small_standin.requests)

    again = run_ingest()

    after = snapshot(url, flow_settings.data_dir)
    assert set(after["ingest_items"]) ^ set(before["ingest_items"]) == set()
    assert after == before
    assert stored_files(flow_settings.data_dir) == files_before
    assert again.counts == {"unchanged": 16, "failed": 9}
    requests = _doc_requests(small_standin, start)
    for_loaded = [r for r in requests if r.params.get("s") not in FAILED]
    assert sum(r.body_bytes for r in for_loaded) == 0
    assert sum(1 for r in for_loaded if r.status == 304) == 16
    assert all(r.headers.get("if-none-match") for r in for_loaded if r.status == 304)


def test_runs_are_listed_by_the_prefect_api(small_standin: Any, flow_settings: Any) -> None:
    """Smoke test of the Prefect install: a flow runs and its run can be listed (catches bad pins)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    from flows.run import run_ingest

    report = run_ingest(languages=["zh"], sources=["undl"])
    assert {i.language for i in report.items} == {"zh"}
    assert report.counts == {"loaded": 3}
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest"])))
    assert runs and all(r.state is not None for r in runs)
    assert any(r.state.is_completed() for r in runs if r.state is not None)


def test_deployments_register_with_cron_schedules() -> None:
    from prefect import get_client

    from flows.deployments import build_deployments

    deployments = build_deployments("15 2 * * *", "0 6 * * 1", "Europe/Zurich")
    ids = [d.apply() for d in deployments]
    with get_client(sync_client=True) as client:
        registered = [client.read_deployment(i) for i in ids]
    schedules = {d.name: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for d in registered}
    assert schedules == {
        "unpipe-ingest": [("15 2 * * *", "Europe/Zurich")],
        "unpipe-reextract": [("0 6 * * 1", "Europe/Zurich")],
    }


def test_serve_refuses_to_start_without_a_server() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.cli import app

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "schedules need a Prefect server" in result.output
    assert "prefect server start" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--source", "nowhere"], "no discovery source named 'nowhere'"),
        (["run", "--languages", "zh,xx"], "unknown language(s) ['xx']"),
        (["reextract", "--extractor", "nothing"], "no extractor named 'nothing'"),
    ],
)
def test_flow_commands_reject_bad_arguments_in_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    from pipeline.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
