"""The content-addressed file store and safe file names."""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.settings import Settings
from pipeline.fetch.filestore import FileStore, put, restore_plain_symbol, safe_filename

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


def _temp_files(store: FileStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.name.startswith(".tmp-")]


def test_put_bytes_is_content_addressed_and_sharded(store: FileStore) -> None:
    stored = store.put(PDF)
    sha = hashlib.sha256(PDF).hexdigest()
    assert stored.sha256 == sha
    assert stored.size == len(PDF)
    assert stored.path == store.root / sha[:2] / f"{sha}.pdf"
    assert stored.path.read_bytes() == PDF
    assert store.path_for(sha) == stored.path
    with store.open(sha) as fh:
        assert fh.read() == PDF
    assert _temp_files(store) == []


def test_same_content_is_stored_once(store: FileStore, tmp_path: Path) -> None:
    first = store.put(PDF)
    mtime = first.path.stat().st_mtime_ns
    source = tmp_path / "copy.pdf"
    source.write_bytes(PDF)
    second = store.put(source)
    assert second == first
    assert first.path.stat().st_mtime_ns == mtime  # not rewritten
    assert [f.sha256 for f in store.iter_files()] == [first.sha256]
    assert source.exists()  # put without move copies


def test_put_path_with_move_removes_the_source(store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "inbox.pdf"
    source.write_bytes(PDF)
    stored = store.put(source, move=True)
    assert not source.exists()
    assert stored.path.read_bytes() == PDF
    again = tmp_path / "again.pdf"  # already stored: the source still goes away
    again.write_bytes(PDF)
    assert store.put(again, move=True) == stored
    assert not again.exists()


def test_stored_files_are_readable_by_others(store: FileStore) -> None:
    stored = store.put(PDF)
    assert stored.path.stat().st_mode & 0o044  # mkstemp's 0600 was widened


def test_an_abandoned_writer_leaves_nothing(store: FileStore) -> None:
    with pytest.raises(RuntimeError), store.writer() as writer:
        writer.write(b"%PDF-half")
        raise RuntimeError("download failed")
    assert _temp_files(store) == []
    assert list(store.iter_files()) == []


def test_cleanup_temp_removes_crash_leftovers(store: FileStore) -> None:
    store.put(PDF)
    leftover = store.root / ".tmp-crashed"
    leftover.write_bytes(b"%PDF-")
    assert store.cleanup_temp() == 1
    assert not leftover.exists()


def test_concurrent_puts_of_one_content_give_one_file(store: FileStore) -> None:
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.put(PDF))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.path for r in results}) == 1
    assert len(list(store.iter_files())) == 1
    assert _temp_files(store) == []


def test_verify_detects_a_changed_file(store: FileStore) -> None:
    stored = store.put(PDF)
    assert store.verify(stored.sha256)
    stored.path.write_bytes(PDF + b"tampered")
    assert not store.verify(stored.sha256)


def test_path_for_rejects_what_is_not_a_sha256(store: FileStore) -> None:
    with pytest.raises(ValueError, match="sha256"):
        store.path_for("../../etc/passwd")


def test_module_functions_use_the_settings_store(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    stored = put(PDF, settings=settings)
    assert stored.path.is_relative_to(settings.file_store_dir)


# --- safe_filename ------------------------------------------------------------------------------

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*-(ar|en|es|fr|ru|zh)\.pdf")
RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


@pytest.mark.parametrize(
    ("symbol", "language", "expected"),
    [
        ("A/80/604/Add.1", "en", "A_80_604_Add.1-en.pdf"),
        ("E/ICEF/2025/14", "zh", "E_ICEF_2025_14-zh.pdf"),
        ("JIU/REP/2025/2", "EN", "JIU_REP_2025_2-en.pdf"),
        ("A/80/275-S/2025/491", "fr", "A_80_275-S_2025_491-fr.pdf"),
    ],
)
def test_plain_symbols_keep_their_readable_name(symbol: str, language: str, expected: str) -> None:
    assert safe_filename(symbol, language) == expected
    assert restore_plain_symbol(expected) == (symbol, language.lower())


def test_odd_symbols_get_a_readable_slug_and_a_hash() -> None:
    name = safe_filename("A/81/6 (Sect. 2)/Part A", "en")
    assert re.fullmatch(r"A_81_6_Sect._2_Part_A~[0-9a-f]{12}-en\.pdf", name)
    assert restore_plain_symbol(name) is None
    assert safe_filename("A/81/6 (Sect. 2)/Part A", "zh") != name
    assert safe_filename("A/81/6 (Sect. 2)/Part B", "en") != name
    long_name = safe_filename("A/" + "/Add.1" * 200, "en")
    assert len(long_name) <= 110
    assert safe_filename("CON.1", "en").startswith("doc_CON")
    assert safe_filename("../../etc/passwd", "en").startswith("etc_passwd~")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        safe_filename("A/80/1", "xx")


@given(st.text(max_size=300), st.sampled_from(["ar", "en", "es", "fr", "ru", "zh"]))
def test_any_symbol_gives_a_safe_name(symbol: str, language: str) -> None:
    name = safe_filename(symbol, language)
    assert SAFE_NAME.fullmatch(name), name
    assert len(name) <= 120
    assert name.split(".")[0].upper() not in RESERVED


@given(st.text(max_size=60), st.text(max_size=60))
def test_distinct_symbols_give_distinct_names(a: str, b: str) -> None:
    if a != b:
        assert safe_filename(a, "en") != safe_filename(b, "en")


@given(st.lists(st.from_regex(r"[A-Z][A-Za-z0-9./-]{0,20}", fullmatch=True), unique=True, max_size=20))
def test_plain_symbols_map_one_to_one(symbols: list[str]) -> None:
    names = [safe_filename(s, "zh") for s in symbols]
    assert len(set(names)) == len(symbols)


def test_names_can_be_created_on_disk(tmp_path: Path) -> None:
    for symbol in [
        "A/81/6 (Sect. 29A)/Part A",
        "联合国/2025/1",
        "a\x00b",
        "...",
        "-x",
        "\\\\server\\share",
        "é/É",
    ]:
        path = tmp_path / safe_filename(symbol, "en")
        path.write_bytes(b"x")
        assert path.parent == tmp_path
