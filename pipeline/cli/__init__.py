"""The ``unpipe`` command line: a thin layer that parses arguments, calls the library, prints results.

Heavy imports (pdfplumber, spaCy, jieba, SQLAlchemy, Prefect) happen inside commands so that
``unpipe --help`` answers at once. The command modules register their commands on ``app`` when
this package imports them; none of them imports this package, so there is no import cycle.
"""

from pipeline.cli import document_commands, query_commands, run_commands
from pipeline.cli.app import app

__all__ = ["app", "document_commands", "main", "query_commands", "run_commands"]


def main() -> None:
    """Console-script entry point."""
    app(prog_name="unpipe")
