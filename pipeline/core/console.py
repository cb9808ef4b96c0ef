"""The one way unpipe makes a Rich console: text printed as given."""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console


def plain_console(*, stderr: bool = False, file: IO[str] | None = None, **options: Any) -> Console:
    """A console that prints text as given: paths, symbols, titles and error messages come from users and
    documents, so ``[/]`` or ``[en]`` must not be read as markup (a ``MarkupError``, or a lost language tag),
    ``:x:`` not as an emoji, and nothing is recoloured by the highlighter. Styles are given as ``Text``."""
    return Console(stderr=stderr, file=file, markup=False, emoji=False, highlight=False, **options)
