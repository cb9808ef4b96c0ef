"""The ingest flow end to end: Prefect, HTTP on loopback (the stand-in), a SQLite store.

The stand-in serves 25 corpus documents (22 English, 3 Chinese, cut to their first pages); every
fault it can play is injected on some of them. Each faulty document must end ``failed`` with its
reason, or succeed on retry; nothing else may be affected; a second run must download nothing and
change nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from models import Document, ExtractionRunRow
from tests.badfiles import make_bad_files
from tests.flows_support import ingest_items, snapshot, stored_files, use_settings
from tests.standin import JIU_FILES

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

# symbol → (fault kind, options): "times=1" faults must be overcome by a retry.
RECOVERED: dict[str, tuple[str, dict[str, Any]]] = {
    "A/80/604/Add.2": ("status", {"status": 500, "times": 1}),
    "A/80/604/Add.4": ("retry_after", {"retry_after": "1", "times": 1}),
    "A/80/604/Add.6": ("slow", {"delay": 1.5, "times": 1}),
    "A/80/604/Add.8": ("truncate", {"mode": "close", "times": 1}),
    "A/80/604/Add.12": ("redirect", {}),
    "A/80/604/Add.13": ("chunked", {}),
}
# symbol → (fault kind, options, reason recorded, tries made)
FAILED: dict[str, tuple[str, dict[str, Any], str, int]] = {
    "A/80/604/Add.3": ("status", {"status": 500}, "http_500", 3),
    "A/80/604/Add.5": ("retry_after", {"retry_after": "3600"}, "retry_after_too_long", 1),
    "A/80/604/Add.7": ("slow", {"delay": 1.5}, "timeout", 3),
    "A/80/604/Add.9": ("truncate", {"mode": "short"}, "truncated_pdf", 1),
    "A/80/604/Add.10": ("html", {}, "not_pdf", 1),
    "A/80/604/Add.11": ("redirect_loop", {}, "redirect_loop", 1),
    "A/79/7/Add.12": ("redirect_foreign", {}, "foreign_host", 1),
    "A/79/772": ("redirect_chain", {}, "too_many_redirects", 1),
}
UNAVAILABLE = {"A/80/604/Add.1": ("status", {"status": 404})}
"""A 404 for the file the Digital Library record lists: not available, a normal end, not a failure."""
# Served as PDFs that download fine but cannot be parsed: (symbol, language) → reason.
UNPARSABLE = {("A/80/590", "en"): "encrypted_pdf", ("A/80/271", "en"): "image_only"}


def _doc_requests(standin: Any, start: int) -> list[Any]:
    """Requests for documents (ODS, the /files/ redirect target, JIU links) since ``start``."""
    return [
        r for r in standin.requests[start:]
        if r.path == "/api/symbol/access" or r.path.startswith(("/doc/", "/record/", JIU_FILES))
    ]


def test_ingest_with_every_fault_then_a_second_run_changes_nothing(small_standin: Any, flow_settings: Any) -> None:
    from flows.run import run_ingest

    for symbol, (kind, options) in RECOVERED.items():
        small_standin.add_fault(kind, symbol=symbol, **options)
    for symbol, (kind, options, _, _) in FAILED.items():
        small_standin.add_fault(kind, symbol=symbol, **options)
    for symbol, (kind, options) in UNAVAILABLE.items():
        small_standin.add_fault(kind, symbol=symbol, **options)
    small_standin.add_fault("status", symbol="JIU/REP/2025/2", status=503, times=1)
    bad = make_bad_files(flow_settings.data_dir.parent / "bad")
    for (symbol, language), reason in UNPARSABLE.items():
        small_standin.set_document(symbol, language, bad[reason].read_bytes())
    served = {(s, lang) for s, lang in small_standin.served()}

    report = run_ingest()

    url = flow_settings.resolved_database_url
    items = ingest_items(url)
    assert len(items) == 25
    assert {lang for _, lang in items} == {"en", "zh"}
    assert sum(1 for _, lang in items if lang == "zh") == 3
    for (symbol, language), row in items.items():
        if symbol in FAILED:
            _, _, reason, tries = FAILED[symbol]
            assert (row.state, (row.reason or "").split(":")[0], row.attempts) == ("failed", reason, tries), symbol
            continue
        if symbol in UNAVAILABLE:
            assert (row.state, (row.reason or "").split(":")[0], row.attempts) == ("unavailable", "unavailable", 1)
            continue
        assert (symbol, language) in served
        assert row.sha256 == hashlib.sha256(small_standin.document_bytes(symbol, language)).hexdigest()
        if (symbol, language) in UNPARSABLE:
            assert (row.state, (row.reason or "").split(":")[0]) == ("failed", UNPARSABLE[symbol, language])
            continue
        assert row.state == "loaded", (symbol, row.reason)
    retried = {s: items[(s, "en")].attempts for s in ("A/80/604/Add.2", "A/80/604/Add.4", "A/80/604/Add.6",
                                                     "A/80/604/Add.8", "JIU/REP/2025/2")}
    assert retried == dict.fromkeys(retried, 2)
    assert report.counts == {"loaded": 14, "failed": 10, "unavailable": 1}
    assert {i.symbol for i in report.failures} == set(FAILED) | {s for s, _ in UNPARSABLE}

    # Retry-After honoured: the retry came at least a second after the 429.
    calls = small_standin.requests_for("A/80/604/Add.4")
    assert [r.status for r in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.9

    # Unaffected documents: loaded once, every extractor run once and without error. The files that
    # could not be parsed are kept as failed documents, with their reason.
    engine = create_engine(url)
    with engine.connect() as conn:
        statuses = conn.execute(select(Document.status, Document.failure_reason)).all()
        runs = conn.execute(select(ExtractionRunRow.document_id, ExtractionRunRow.extractor,
                                   ExtractionRunRow.status, func.count())
                            .group_by(ExtractionRunRow.document_id, ExtractionRunRow.extractor,
                                      ExtractionRunRow.status)).all()
    engine.dispose()
    assert sorted(statuses, key=str) == sorted([("loaded", None)] * 14 + [("failed", r) for r in UNPARSABLE.values()],
                                               key=str)
    assert {(status, n) for *_, status, n in runs} == {("ok", 1)}

    # Second run, asked to look back to 2000 (a plain run looks back to the last one and finds nothing
    # new): conditional requests only; no PDF byte for a loaded document; the unavailable one is not
    # asked again (UNPIPE_UNAVAILABLE_RETRY_DAYS); nothing changes.
    before, files_before = snapshot(url, flow_settings.data_dir), stored_files(flow_settings.data_dir)
    start = len(small_standin.requests)

    again = run_ingest(since=date(2000, 1, 1))

    after = snapshot(url, flow_settings.data_dir)
    assert set(after["ingest_items"]) ^ set(before["ingest_items"]) == set()
    assert after == before
    assert stored_files(flow_settings.data_dir) == files_before
    assert again.counts == {"unchanged": 14, "failed": 10}
    requests = _doc_requests(small_standin, start)
    assert not [r for r in requests if r.symbol in UNAVAILABLE]
    for_loaded = [r for r in requests if r.symbol not in FAILED]
    assert sum(r.body_bytes for r in for_loaded) == 0
    assert sum(1 for r in for_loaded if r.status == 304) == 16  # the unparsable two as well
    assert all(r.headers.get("if-none-match") for r in for_loaded if r.status == 304)


def test_inbox_files_are_ingested_then_archived_and_bad_ones_stay_with_their_reason(
    flow_settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.run import run_ingest
    from tests.flows_support import fill_inbox

    inbox = fill_inbox(tmp_path)
    use_settings(monkeypatch, flow_settings.model_copy(update={"inbox_dir": inbox}))

    report = run_ingest(sources=["inbox"])

    outcomes = {(i.symbol, i.language): (i.outcome, (i.reason or "").split(":")[0]) for i in report.items}
    assert outcomes == {("A/77/256/Add.1", "zh"): ("loaded", ""), ("A/80/999", "en"): ("failed", "not_pdf")}
    assert sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*.pdf")) == ["A_80_999-EN.pdf"]
    assert len(stored_files(flow_settings.data_dir)) == 2
    before = snapshot(flow_settings.resolved_database_url, flow_settings.data_dir)

    again = run_ingest(sources=["inbox"])

    assert [(i.symbol, i.outcome) for i in again.items] == [("A/80/999", "failed")]
    assert snapshot(flow_settings.resolved_database_url, flow_settings.data_dir) == before


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


def test_command_line_run_in_ephemeral_mode_is_quiet_and_keeps_prefect_home_in_the_data_dir(
    flow_settings: Any, tmp_path: Path
) -> None:
    """The embedded default: no Prefect server configured, nothing but the summary on the terminal."""
    import os
    import subprocess
    import sys

    from tests.flows_support import env_for

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
    env.update(env_for(flow_settings))
    unpipe = Path(sys.executable).with_name("unpipe")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    done = subprocess.run([str(unpipe), "run", "--source", "jiu"], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "3 document(s): 3 loaded, 0 unchanged, 0 failed; 6 page(s) parsed"
    assert done.stderr == ""
    assert (flow_settings.data_dir / "prefect" / "prefect.db").is_file()
    assert list(cwd.iterdir()) == []


def test_deployments_register_with_cron_schedules() -> None:
    from prefect import get_client

    from flows.deployments import build_deployments

    deployments = build_deployments("15 2 * * *", "0 6 * * 1", "Europe/Zurich")
    ids = [d.apply() for d in deployments]
    with get_client(sync_client=True) as client:
        registered = [client.read_deployment(i) for i in ids]
    schedules = {d.name: [(getattr(s.schedule, "cron", None), getattr(s.schedule, "timezone", None))
                          for s in d.schedules] for d in registered}
    assert schedules == {
        "unpipe-ingest": [("15 2 * * *", "Europe/Zurich")],
        "unpipe-reextract": [("0 6 * * 1", "Europe/Zurich")],
    }


def test_serve_refuses_to_start_without_a_server() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.cli.app import app

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
    from pipeline.cli.app import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_flows_starting_together_on_a_new_store_migrate_it_once(backend: str, tmp_path: Path) -> None:
    """Two scheduled flows firing in the same minute on a new store must not both create its tables."""
    import contextlib
    import multiprocessing

    from pipeline.core.settings import Settings
    from tests.databases import postgres_schema_url

    with postgres_schema_url() if backend == "postgresql" else contextlib.nullcontext("") as url:
        settings = Settings(data_dir=tmp_path / "data", database_url=url)
        context = multiprocessing.get_context("spawn")
        with context.Pool(3) as pool:
            results = pool.map(_prepare, [settings.model_dump_json()] * 3)
        assert results == ["ok"] * 3


def _prepare(settings_json: str) -> str:
    from pipeline.core.settings import Settings
    from pipeline.run import resources

    try:
        resources.prepare(Settings.model_validate_json(settings_json))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_ingest_and_the_inbox_run_go_through_the_same_stages_and_report_alike(
    flow_settings: Any, tmp_path: Path
) -> None:
    """``unpipe ingest FOLDER`` and ``unpipe run --source inbox`` over the same files: one summary line,
    the same item states and reasons, the same documents stored."""
    import os
    import shutil
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    from tests.corpus import corpus_pdf
    from tests.flows_support import env_for

    def folder(root: Path) -> Path:
        (root / "zh").mkdir(parents=True)
        shutil.copyfile(corpus_pdf("A_77_256_Add.1.pdf"), root / "zh" / "A_77_256_Add.1.pdf")
        shutil.copyfile(make_bad_files(tmp_path / f"bad-{root.name}")["not_pdf"], root / "A_80_999-EN.pdf")
        return root

    unpipe = str(Path(sys.executable).with_name("unpipe"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
    runs = {}
    for name, command in {"ingest": ["ingest", "-q"], "inbox": ["run", "--source", "inbox"]}.items():
        data = tmp_path / f"data-{name}"
        files = folder(tmp_path / f"files-{name}")
        settings = flow_settings.model_copy(update={"data_dir": data, "database_url": "", "inbox_dir": files})
        args = [*command, str(files)] if name == "ingest" else command
        done = subprocess.run([unpipe, *args], env={**base, **env_for(settings)}, capture_output=True,
                              text=True, timeout=600, cwd=tmp_path)
        with create_engine(settings.resolved_database_url).connect() as conn:
            items = conn.execute(text(
                "SELECT symbol, language, state, substr(reason, 1, 7) FROM ingest_items ORDER BY symbol")).all()
            documents = conn.execute(text("SELECT symbol, status FROM documents ORDER BY symbol")).all()
        runs[name] = (done.returncode, done.stdout.splitlines()[0], items, documents)
    assert runs["ingest"] == runs["inbox"]
    returncode, summary, items, documents = runs["ingest"]
    assert (returncode, summary) == (1, "2 document(s): 1 loaded, 0 unchanged, 1 failed; 3 page(s) parsed")
    assert [tuple(i) for i in items] == [("A/77/256/Add.1", "zh", "loaded", None),
                                         ("A/80/999", "en", "failed", "not_pdf")]


def test_a_run_makes_one_prefect_task_per_batch_not_per_item(
    small_standin: Any, flow_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 items in batches of 10: one discover task and three batch tasks, each item's state in the store;
    the second run (unchanged and unavailable items) makes as few task runs and writes no item row."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    from flows.run import run_ingest

    small_standin.add_fault("status", symbol="A/80/604/Add.1", status=404)
    use_settings(monkeypatch, flow_settings.model_copy(update={"batch_size": 10}))

    def task_runs() -> list[Any]:
        with get_client(sync_client=True) as client:
            latest = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest"])),
                                           sort=FlowRunSort.START_TIME_DESC, limit=1)[0]
            return client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[latest.id])))

    first = run_ingest(sources=["undl"])
    assert first.total == 25 and first.counts["unavailable"] >= 1  # a 404: not in that language
    assert all(i.outcome in ("loaded", "failed") for i in first.items)  # the others only counted
    names = sorted(t.name.rsplit("-", 1)[0] for t in task_runs())
    assert names == ["discover"] + ["ingest-batch"] * 3
    assert all(t.state is not None and t.state.is_completed() for t in task_runs())
    url = flow_settings.resolved_database_url
    states = {key: row.state for key, row in ingest_items(url).items()}
    assert states[("A/80/604/Add.1", "en")] == "unavailable" and len(states) == 25
    before = {key: (row.state, row.updated_at) for key, row in ingest_items(url).items()}

    again = run_ingest(sources=["undl"], since=date(2000, 1, 1))  # re-check everything listed

    # The unavailable item is not asked again before UNPIPE_UNAVAILABLE_RETRY_DAYS; the rest are unchanged.
    assert again.counts == {"unchanged": first.counts["loaded"]}
    assert sorted(t.name.rsplit("-", 1)[0] for t in task_runs()) == names
    assert {key: (row.state, row.updated_at) for key, row in ingest_items(url).items()} == before
