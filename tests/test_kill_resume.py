"""A crashed ingest (a real ``kill -9`` of ``unpipe run``) resumes to exactly the uninterrupted result.

The killed run and its rerun are subprocesses running the real command line against the stand-in;
the reference run is the same flow, uninterrupted, in this process. Their stores must hold the same
rows (ids, timestamps and timings aside), and the rerun must not download again what the killed run
had already stored. The subprocesses report to the session's Prefect test server: an ephemeral
server would add ~12 s of start-up to each (``test_flows.py`` runs the ephemeral default once).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.flows_support import env_for, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

UNPIPE = Path(sys.executable).with_name("unpipe")
SINCE = "2025-07-01"
"""15 of the stand-in's 25 documents (13 English, 2 Chinese) are dated from then on: a shorter test."""


def _command_env(settings: Any) -> dict[str, str]:
    """The command's environment: these settings, and the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UNPIPE_"))}
    env.update(env_for(settings), PREFECT_API_URL=str(PREFECT_API_URL.value()),
               PREFECT_HOME=str(settings.data_dir / "prefect"))
    return env


def _states(db: Path) -> dict[tuple[str, str], str]:
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return {(s, lang): state for s, lang, state in conn.execute("SELECT symbol, language, state FROM ingest_items")}
    except sqlite3.OperationalError:  # not created yet
        return {}


def _requested_key(request: Any) -> tuple[str, str] | None:
    """The document a request was for (ODS access URL, its redirect target, a 856 or JIU link)."""
    return (request.symbol, request.language) if request.symbol else None


# SQLite only: the test watches the killed run's progress in its database file, and the reference run
# needs a store of its own (the other flow tests cover PostgreSQL).
@pytest.mark.parametrize("flow_settings", ["sqlite"], indirect=True)
def test_kill_minus_nine_then_rerun_equals_an_uninterrupted_run(
    flow_settings: Any, small_standin: Any, tmp_path: Path
) -> None:
    from flows.run import run_ingest

    killed = flow_settings.model_copy(update={"data_dir": tmp_path / "killed", "http_timeout_seconds": 10.0})
    db = killed.data_dir / "unpipe.db"
    log = (tmp_path / "killed.log").open("w")
    process = subprocess.Popen([str(UNPIPE), "run", "--since", SINCE], env=_command_env(killed), cwd=tmp_path, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            states = _states(db)
            if sum(s == "loaded" for s in states.values()) >= 2:
                break
            time.sleep(0.2)
        assert process.poll() is None, f"the run ended before it could be killed: {(tmp_path / 'killed.log').read_text()}"
        os.killpg(process.pid, signal.SIGKILL)  # the run and its parse processes, as a crash would
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
    at_kill = _states(db)
    assert process.returncode == -signal.SIGKILL
    unfinished = {k for k, s in at_kill.items() if s != "loaded"}
    stored = {k for k, s in at_kill.items() if s in ("fetched", "parsed", "extracted", "loaded")}
    assert unfinished, "nothing was left to resume"
    start = len(small_standin.requests)

    rerun = subprocess.run([str(UNPIPE), "run", "--since", SINCE], env=_command_env(killed), cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "15 document(s): " in rerun.stdout
    assert rerun.stderr == ""  # quiet: no log lines, no tracebacks

    # The rerun did not download again anything the killed run had stored.
    for request in small_standin.requests[start:]:
        if _requested_key(request) in stored:
            assert request.body_bytes == 0, (request.path, request.params, request.status)

    reference = run_ingest(since=date.fromisoformat(SINCE))
    assert reference.counts == {"loaded": 15}
    assert snapshot(killed.resolved_database_url, killed.data_dir) == snapshot(
        flow_settings.resolved_database_url, flow_settings.data_dir
    )
