"""PDFs dropped into a local folder (the inbox), moved into the file store once ingested."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from pipeline.core.errors import (
    SourceNotConfiguredError,
)
from pipeline.core.languages import UN_LANGUAGES
from pipeline.core.settings import Settings, get_settings
from pipeline.discover.base import Discovered
from pipeline.fetch.filestore import StoredFile, default_store

log = logging.getLogger(__name__)


# --- Local inbox --------------------------------------------------------------------------------

_LANG_SUFFIX = re.compile(r"^(?P<stem>.+?)[-._](?P<lang>ar|en|es|fr|ru|zh)$", re.IGNORECASE)


def symbol_from_filename(name: str) -> tuple[str, str | None]:
    """Guess (symbol, language) from an inbox file name: ``A_80_604_Add.1-ZH.pdf`` → ``A/80/604/Add.1``, zh.

    Accepts ``-EN``, ``.en`` and ``_en`` language suffixes (ODS, the bench corpus, other habits);
    ``_`` stands for ``/``. Names from ``safe_filename`` with a ``~hash`` cannot be reversed fully:
    the readable part is used.
    """
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    language = None
    if m := _LANG_SUFFIX.match(stem):
        stem, language = m.group("stem"), m.group("lang").lower()
    stem = stem.split("~")[0]
    return stem.replace("_", "/"), language


class InboxSource:
    """PDFs dropped into ``settings.inbox_dir`` (sub-folders too; a folder named ``zh``/``en``… sets
    the language of the files in it). Hidden files and ``.part``/``.tmp`` files are skipped; copy a file
    in under another name and rename it when complete. ``since`` compares the file's modification date.
    After a successful ingest, ``archive(path)`` moves the file into the file store.
    """

    name = "inbox"
    version = "1"

    def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]:
        inbox = settings.inbox_dir
        if inbox is None:
            raise SourceNotConfiguredError("no inbox folder (set UNPIPE_INBOX_DIR)")
        if not inbox.is_dir():
            raise SourceNotConfiguredError(f"inbox folder {inbox} does not exist")
        root = inbox.resolve()
        for path in sorted(inbox.rglob("*")):
            rel = path.relative_to(inbox)
            if path.suffix.lower() != ".pdf" or any(part.startswith(".") for part in rel.parts):
                continue
            if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
                # Ingested inbox files are moved into the store: a link (or a FIFO, a device) cannot be,
                # and what it points at is not the inbox's to move.
                log.warning("inbox: %s skipped: not a regular file inside the inbox (a link, a device or a "
                            "pipe); copy the PDF itself in", path)
                continue
            modified = datetime.fromtimestamp(path.stat().st_mtime).date()
            if since and modified < since:
                continue
            symbol, language = symbol_from_filename(path.name)
            folder_lang = rel.parts[0].lower() if len(rel.parts) > 1 else None
            if folder_lang in UN_LANGUAGES:
                language = language or folder_lang
            yield Discovered(
                symbol=symbol,
                source=self.name,
                date=modified,
                languages=(language,) if language else (),
                path=path,
            )

    def archive(self, path: Path, settings: Settings | None = None) -> StoredFile:
        """Move an ingested inbox file into the file store (a no-op copy if the content is stored already)."""
        settings = settings or get_settings()
        if settings.inbox_dir is None:
            raise SourceNotConfiguredError("no inbox folder (set UNPIPE_INBOX_DIR)")
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(settings.inbox_dir.resolve()):
            raise ValueError(f"{path} is not inside the inbox {settings.inbox_dir}; refusing to move it")
        return default_store(settings).put(resolved, move=True)

