"""Logging defaults every unpipe process shares."""

from __future__ import annotations

import logging

PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2")
"""Loggers of the PDF libraries: their warnings are about a document's syntax, not for the user."""

pdf_log = logging.getLogger("unpipe.pdf")


class _AtDebug(logging.Handler):
    """Re-log a PDF library's record ("CropBox missing", "Could not get FontBBox") at debug level on
    ``unpipe.pdf``: the document's outcome (loaded, or failed with a reason) is what the user is told."""

    def emit(self, record: logging.LogRecord) -> None:
        pdf_log.debug("%s: %s", record.name, record.getMessage())


def quiet_pdf_libraries() -> None:
    """Route the PDF libraries' warnings to logging at debug level, so they never reach stderr (Python's
    last-resort handler prints any unhandled warning there). Idempotent."""
    for name in PDF_LIBRARIES:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _AtDebug) for h in logger.handlers):
            logger.addHandler(_AtDebug())
        logger.propagate = False
