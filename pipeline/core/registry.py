"""A named, ordered registry: the one shape behind the extractor catalog and the discovery sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Entries by name, in the order they joined; duplicate names are refused, unknown ones named.

    ``duplicate`` and ``unknown`` are the error classes to raise, so each caller keeps its own
    message class (and hint) in the one exception hierarchy.
    """

    def __init__(
        self,
        what: str,
        builtins: Iterable[T],
        *,
        duplicate: type[Exception],
        unknown: type[Exception],
    ) -> None:
        self._what = what
        self._duplicate = duplicate
        self._unknown = unknown
        self._entries: dict[str, T] = {}
        for entry in builtins:
            self.register(entry)

    def register(self, entry: T) -> T:
        """Add ``entry`` after those already here (returns it, so ``x = register(X())`` works)."""
        if entry.name in self._entries:
            raise self._duplicate(f"{self._what} {entry.name!r} is already registered")
        self._entries[entry.name] = entry
        return entry

    def remove(self, name: str) -> T:
        """Take an entry out again (a plugin unloaded, a test's temporary entry)."""
        return self._entries.pop(name)

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            valid = ", ".join(self._entries)
            raise self._unknown(f"no {self._what} named {name!r}; valid names: {valid}") from None

    def all(self) -> list[T]:
        return list(self._entries.values())
