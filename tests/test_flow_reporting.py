"""What a Prefect run tells the people watching it: a summary artifact, failures in the run's logs, a
Failed state when discovery found nothing because every source failed; deployments described and
tagged; ``serve`` ends soon after SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.flows_support import fill_inbox, use_settings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _artifacts_and_logs(flow_run_id: Any) -> tuple[dict[str, Any], list[str]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)  # logs go to the API in batches
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: a for a in artifacts}, [log.message for log in logs]


def test_a_run_publishes_its_summary_and_logs_its_failures(
    flow_settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    inbox = fill_inbox(tmp_path)
    use_settings(monkeypatch, flow_settings.model_copy(update={"inbox_dir": inbox}))

    state = ingest(sources=["inbox"], return_state=True)

    assert state.is_completed()
    artifacts, logs = _artifacts_and_logs(state.state_details.flow_run_id)
    summary = artifacts["ingest-summary"].data
    assert "2 document(s): 1 loaded, 0 unchanged, 1 failed" in summary and "A/80/999" in summary
    table = artifacts["ingest-documents"].data
    assert "A/77/256/Add.1" in str(table) and "not_pdf" in str(table)
    assert any(m.startswith("failed: A/80/999") and "not_pdf" in m for m in logs), logs


def test_a_run_whose_every_source_fails_ends_failed(small_standin: Any, flow_settings: Any) -> None:
    from flows.ingest import ingest

    small_standin.add_fault("status", path="/search", status=404)
    small_standin.add_fault("status", path="/content/reports-notes", status=404)

    state = ingest(sources=["undl", "jiu"], return_state=True)

    assert state.is_failed()
    _, logs = _artifacts_and_logs(state.state_details.flow_run_id)
    assert any("every discovery source failed" in m and "undl" in m and "jiu" in m for m in logs), logs


def test_deployments_are_described_and_tagged() -> None:
    from flows.deployments import build_deployments

    for deployment in build_deployments():
        assert len(deployment.description or "") > 60
        assert "unpipe" in deployment.tags and len(deployment.tags) == 2


def test_serve_ends_within_seconds_of_sigterm_when_the_server_hangs(tmp_path: Path) -> None:
    from flows.deployments import STOP_SECONDS

    with socket.socket() as silent:  # accepts connections and never answers: a server that went away
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        env = os.environ | {"PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "UNPIPE_DATA_DIR": str(tmp_path)}
        serve = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            silent.settimeout(120)
            connection, _ = silent.accept()  # serve is now waiting on the API
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=STOP_SECONDS + 3)
            connection.close()
        finally:
            if serve.poll() is None:
                serve.kill()
    assert serve.returncode != 0
