"""Bad input gets a clear one-line error and a failed record; the run goes on; nothing stored is harmed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Document
from pipeline.core.errors import BadInputError
from pipeline.parse.pdf import parse_pdf
from pipeline.run.files import ingest_paths
from pipeline.store.db import make_engine, session_scope, upgrade
from tests.badfiles import GOOD, make_bad_files
from tests.corpus import corpus_pdf
from tests.databases import store_settings

REASONS = ["empty_file", "not_pdf", "corrupt_pdf", "encrypted_pdf", "image_only"]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("reason", REASONS)
def test_parser_names_the_reason(bad_files: dict[str, Path], reason: str) -> None:
    with pytest.raises(BadInputError) as raised:
        parse_pdf(bad_files[reason])
    assert raised.value.reason == reason
    assert bad_files[reason].name in str(raised.value)


def test_extract_writes_good_records_and_reports_each_failure(
    bad_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    good = corpus_pdf(GOOD)
    args = [str(p) for p in bad_files.values()] + [str(good)]
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", *args, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failures = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failures) == len(bad_files)
    for path in bad_files.values():
        assert any(str(path) in line for line in failures)
    record = json.loads((out / (good.stem + ".json")).read_text(encoding="utf-8"))
    assert record["schema"] == "unpipe.extraction/1" and record["source"]["pages"] == 3
    assert sorted(p.name for p in out.iterdir()) == [good.stem + ".json"]


def test_ingest_records_failures_and_keeps_earlier_documents(
    bad_files: dict[str, Path], tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    settings = store_settings(engine, tmp_path)
    ingest_paths([corpus_pdf(GOOD)], settings)
    with session_scope(engine) as session:
        good_before = session.scalars(select(Document)).one()
        snapshot = (good_before.id, good_before.sha256, good_before.status, good_before.updated_at)

    summary = ingest_paths(list(bad_files.values()), settings)
    assert sorted((item.reason or "").split(":")[0] for item in summary.items) == sorted(REASONS)

    with session_scope(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.id)).all()
        good_after = documents[0]
        assert (good_after.id, good_after.sha256, good_after.status, good_after.updated_at) == snapshot
        failed = {d.failure_reason: d for d in documents[1:]}
        assert set(failed) == set(REASONS)
        assert all(d.status == "failed" and d.error for d in failed.values())

    again = ingest_paths(list(bad_files.values()), settings)  # each fails again, with the same reason
    assert sorted((item.reason or "").split(":")[0] for item in again.items) == sorted(REASONS)
    assert again.counts == {"failed": len(REASONS)}
