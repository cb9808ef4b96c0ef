"""Content-addressed file store: every PDF is kept once, under its sha256.

Layout: ``<file_store_dir>/ab/abcdef….pdf`` (two hex digits of sharding keep folders small).
Writes are atomic — a temporary file in the target folder, fsync, then ``os.replace`` — so a reader
never sees half a file and a crash leaves at most a ``.tmp-*`` file behind (``cleanup_temp`` removes
those). Storing the same bytes twice is a no-op, so every caller can ``put`` without checking first.

``safe_filename`` is separate: it names a document for humans (exports, the inbox), not for the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from pipeline.core.languages import UN_LANGUAGES
from pipeline.core.settings import Settings, get_settings

_CHUNK = 1 << 16
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TEMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class StoredFile:
    """A file in the store: its content hash, where it lies, and its size in bytes."""

    sha256: str
    path: Path
    size: int


class FileStore:
    """Files named by their sha256 under one root folder."""

    def __init__(self, root: Path | str, *, suffix: str = ".pdf") -> None:
        self.root = Path(root)
        self.suffix = suffix

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it is stored yet)."""
        sha256 = sha256.lower()
        if not _HEX64.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}{self.suffix}"

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored file for reading; FileNotFoundError if it is not stored."""
        return self.path_for(sha256).open("rb")

    def put(self, source: bytes | os.PathLike[str] | str, *, move: bool = False) -> StoredFile:
        """Store bytes or a file's content; with ``move=True`` a source file is removed afterwards.

        The source file is hashed first and only copied if its content is new. A move within one
        file system is a rename (no copy).
        """
        if isinstance(source, bytes | bytearray | memoryview):
            with self.writer() as writer:
                writer.write(bytes(source))
                return writer.commit()
        src = Path(source)
        sha256, size = _hash_file(src)
        target = self.path_for(sha256)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            moved = False
            if move:
                try:
                    os.replace(src, target)
                    moved = True
                except OSError:  # another file system (EXDEV): fall back to copy + replace
                    moved = False
            if not moved:
                with self.writer() as writer, src.open("rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        writer.write(chunk)
                    stored = writer.commit()
                if stored.sha256 != sha256:  # the source changed while we read it
                    raise OSError(f"{src} changed while it was being stored; try again")
            _make_readable(target)
        if move and src.exists():
            src.unlink()
        return StoredFile(sha256, target, size)

    def writer(self) -> StoreWriter:
        """A streaming writer: ``with store.writer() as w: w.write(chunk); stored = w.commit()``.

        Lets a download go straight into the store folder while it is hashed, without a second copy.
        Leaving the block without ``commit`` (an exception, a failed check) deletes the temporary file.
        """
        return StoreWriter(self)

    def iter_files(self) -> Iterator[StoredFile]:
        """Every stored file (for checks and garbage collection)."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if not shard.is_dir():
                continue
            for path in sorted(shard.glob(f"*{self.suffix}")):
                sha = path.name[: -len(self.suffix)] if self.suffix else path.name
                if _HEX64.fullmatch(sha):
                    yield StoredFile(sha, path, path.stat().st_size)

    def verify(self, sha256: str) -> bool:
        """True if the stored file still hashes to its name (detects disk corruption or tampering)."""
        path = self.path_for(sha256)
        return path.is_file() and _hash_file(path)[0] == sha256.lower()

    def cleanup_temp(self, idle_seconds: float = 0) -> int:
        """Remove temporary files left by a crash; returns how many were removed.

        ``idle_seconds``: only files unchanged for that long, so a run starting beside another one on the
        same store does not delete the download the other is writing.
        """
        removed = 0
        if self.root.is_dir():
            for path in [*self.root.glob(f"{_TEMP_PREFIX}*"), *self.root.glob(f"*/{_TEMP_PREFIX}*")]:
                with contextlib.suppress(FileNotFoundError):
                    if idle_for(path) >= idle_seconds:
                        path.unlink()
                        removed += 1
        return removed


def idle_for(path: Path) -> float:
    """Seconds since ``path`` was last written."""
    return time.time() - path.stat().st_mtime


class StoreWriter:
    """Writes to a temporary file in the store, hashing as it goes; ``commit`` moves it into place."""

    def __init__(self, store: FileStore) -> None:
        self._store = store
        self._hash = hashlib.sha256()
        self.size = 0
        self._committed = False
        store.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=store.root)
        self._temp = Path(name)
        self._fh: BinaryIO = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self._fh.write(data)
        self._hash.update(data)
        self.size += len(data)

    def commit(self) -> StoredFile:
        """Finish: fsync, then atomically move the file to its content address (once per content)."""
        if self._committed:
            raise RuntimeError("StoreWriter.commit called twice")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        sha256 = self._hash.hexdigest()
        target = self._store.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file():
            self._temp.unlink()
        else:
            _make_readable(self._temp)
            os.replace(self._temp, target)
        self._committed = True
        return StoredFile(sha256, target, self.size)

    def discard(self) -> None:
        if not self._committed:
            self._fh.close()
            with contextlib.suppress(FileNotFoundError):
                self._temp.unlink()
            self._committed = True

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()


def default_store(settings: Settings | None = None) -> FileStore:
    """The store under ``settings.file_store_dir``."""
    return FileStore((settings or get_settings()).file_store_dir)


def put(
    source: bytes | os.PathLike[str] | str, *, move: bool = False, settings: Settings | None = None
) -> StoredFile:
    """Store bytes or a file in the default store (see ``FileStore.put``)."""
    return default_store(settings).put(source, move=move)


def path_for(sha256: str, settings: Settings | None = None) -> Path:
    """Path of a file in the default store."""
    return default_store(settings).path_for(sha256)


def open_file(sha256: str, settings: Settings | None = None) -> BinaryIO:
    """Open a file of the default store for reading."""
    return default_store(settings).open(sha256)


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _make_readable(path: Path) -> None:
    """mkstemp creates files 0600; stored files are meant to be read by other users (datasette, exports)."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        path.chmod(0o644 & ~umask)


# --- Human-readable file names ------------------------------------------------------------------

_PLAIN_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]*")
_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_MAX_PLAIN = 100
_MAX_SLUG = 80


def safe_filename(symbol: str, language: str) -> str:
    """A file name for a document that is safe everywhere, readable, and unique per (symbol, language).

    - A plain symbol (letters, digits, ``.``, ``-``, ``/``; no ``_``) maps reversibly: ``/`` → ``_``,
      so ``A/80/604/Add.1`` + ``en`` → ``A_80_604_Add.1-en.pdf`` (the corpus and ODS habit).
    - Any other symbol (``A/81/6 (Sect. 2)/Part A``, non-ASCII, ``_``, very long) becomes an ASCII slug
      plus ``~`` and 12 hex digits of the symbol's sha256: ``A_81_6_Sect._2_Part_A~1f0c…-en.pdf``.
      ``~`` never occurs in a plain name, so the two kinds never collide; hashed names are unique up
      to a 48-bit hash collision.

    Names are at most ~110 ASCII characters, never start with ``.`` or ``-``, and contain no path
    separator, control character or Windows-reserved device name. Uniqueness is case-sensitive
    (``a/1`` and ``A/1`` differ only in case; UN symbols are not written that way).
    """
    lang = language.strip().lower()
    if lang not in UN_LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(UN_LANGUAGES)}")
    if (
        _PLAIN_SYMBOL.fullmatch(symbol)
        and len(symbol) <= _MAX_PLAIN
        and symbol.split(".")[0].split("/")[0].upper() not in _WINDOWS_RESERVED
    ):
        stem = symbol.replace("/", "_")
    else:
        stem = f"{_slug(symbol)}~{hashlib.sha256(symbol.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
    return f"{stem}-{lang}.pdf"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", ascii_text).strip("._-")
    slug = re.sub(r"\.{2,}", ".", slug)[:_MAX_SLUG].rstrip("._-")
    if not slug or slug.split(".")[0].upper() in _WINDOWS_RESERVED:
        slug = f"doc_{slug}" if slug else "doc"
    return slug


def restore_plain_symbol(filename: str) -> tuple[str, str] | None:
    """Inverse of ``safe_filename`` for plain names: ``A_80_604_Add.1-en.pdf`` → (``A/80/604/Add.1``, ``en``).

    Returns None for hashed names (their symbol is not recoverable from the name).
    """
    match = re.fullmatch(r"(.+)-([a-z]{2})\.pdf", filename)
    if not match or "~" in match.group(1) or match.group(2) not in UN_LANGUAGES:
        return None
    return match.group(1).replace("_", "/"), match.group(2)


def copy_out(stored: StoredFile, folder: Path, symbol: str, language: str) -> Path:
    """Copy a stored file to a folder under its readable name (for exports)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_filename(symbol, language)
    shutil.copyfile(stored.path, target)
    return target
