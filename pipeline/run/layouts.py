"""The layout cache: parsed documents kept (gzip JSON) between the parse and load stages."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.document import ParsedDocument
from pipeline.core.locks import file_lock
from pipeline.core.logs import quiet_pdf_libraries
from pipeline.core.settings import Settings
from pipeline.fetch.filestore import safe_filename

if TYPE_CHECKING:  # not imported at run time: the parse workers load this module, and no extractor
    from pipeline.run.items import WorkItem

if TYPE_CHECKING:
    from pipeline.parse.pdf import ParserName

log = logging.getLogger(__name__)
quiet_pdf_libraries()  # here too: parse worker processes import this module, not the CLI


# --- Layout cache ---------------------------------------------------------------------------------


def layout_dir(settings: Settings) -> Path:
    return settings.data_dir / "layouts"


def layout_path(settings: Settings, item: WorkItem) -> Path:
    """Where the parsed layout of an item's file is kept until it is loaded.

    Keyed by the file's hash, the parser version and the name the document is stored under (two
    symbols served by the same bytes get two entries, each with its own file name inside).
    """
    from pipeline.parse.version import parser_version

    assert item.sha256, "an item is parsed only once its file is stored"
    name = hashlib.sha256(file_name_for(item).encode("utf-8")).hexdigest()[:12]
    return layout_dir(settings) / item.sha256[:2] / f"{item.sha256}-{name}-p{parser_version(settings.parser)}.json.gz"


@contextlib.contextmanager
def item_lock(settings: Settings, item: WorkItem) -> Iterator[None]:
    """One process at a time takes an item from parse to load on a data folder (``unpipe ingest`` also
    from fetch): the layout cache is shared, and the process that loads a document removes its layout,
    which another process working on the same item would still need. The second one then finds the
    document stored. Locks are files in 256 buckets (a rare shared bucket only waits a little longer).
    """
    bucket = hashlib.sha256(f"{item.symbol}\0{item.language}".encode()).hexdigest()[:2]
    with file_lock(settings.data_dir / "locks" / f"item-{bucket}.lock"):
        yield


def file_name_for(item: WorkItem) -> str:
    """The name a document is stored under: the inbox file's own name, else the readable safe name."""
    if item.path:
        return Path(item.path).name
    try:
        return safe_filename(item.symbol, item.language)
    except ValueError:
        return f"{item.symbol.replace('/', '_')}-{item.language}.pdf"


def parse_to_layout(pdf: str, out: str, file_name: str, parser: ParserName) -> int:
    """Parse one PDF with ``parser`` and write its layout (gzip JSON) atomically to ``out``; returns the
    page count.

    Runs in a worker process: it takes and returns plain values and raises ``BadInputError``
    (picklable) for a file that is not a usable PDF.
    """
    from pipeline.parse.pdf import parse_pdf

    doc = parse_pdf(pdf, parser=parser)
    doc.file_name = file_name
    write_layout(Path(out), doc.to_bytes())
    return doc.page_count


def read_layout(path: Path) -> ParsedDocument:
    return ParsedDocument.from_bytes(path.read_bytes())


def write_layout(target: Path, data: bytes) -> None:
    """Write a layout (gzip JSON) atomically: a crash leaves the old file or none, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
