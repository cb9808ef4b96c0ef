"""The status vocabulary: printed status labels mapped to acceptance and implementation values."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import get_args

from extractors.lib.records import Acceptance, Implementation
from pipeline.core.text import is_cjk, normalize_text

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

_ACCEPTANCE = set(get_args(Acceptance))
_IMPLEMENTATION = set(get_args(Implementation))


@dataclass(frozen=True)
class StatusLabel:
    """One printed status label and the canonical values it stands for (``None``: not stated)."""

    organization: str
    language: str
    label: str
    acceptance: Acceptance | None
    implementation: Implementation | None
    phrase: bool = False
    """Words that state a status inside a remark ("agrees with the recommendation"), not a printed label."""


_QUOTES = str.maketrans("‘’“”", "''\"\"")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" .;:。；：")


# A note on an earlier status printed after the label: "之前为“正在落实”", "与之前状态相比无变化",
# "(Previously: in progress)".
_PREVIOUS = re.compile(
    r"[(（]?\s*(?:之前为|之前是|原为|与之前(?:状态)?相比|与上次报告相比|previously\b|formerly\b|no change (?:from|since)\b"
    r"|changed from\b|unchanged\b).*$",
    re.IGNORECASE | re.DOTALL,
)


def split_previous_status(text: str) -> tuple[str, str | None]:
    """A status cell cut into its label and a note on the earlier status ("已接受之前为“正在落实”" →
    "已接受", "之前为“正在落实”"), so the note never passes for the label."""
    match = _PREVIOUS.search(text)
    if not match or match.start() == 0:
        return text, None
    note = normalize_text(match.group(0)).strip(" ()（）")
    return normalize_text(text[: match.start()]).rstrip(" ,;，；(（"), note or None


class Vocabulary:
    """Printed status labels → canonical values, per organization (``*`` for all) and language."""

    def __init__(self, labels: list[StatusLabel]) -> None:
        self.entries = labels
        self.labels = [label for label in labels if not label.phrase]
        """The printed labels (what the store's ``status_vocabulary`` holds); the phrases stay here."""
        self._index: dict[tuple[str, str, str], StatusLabel] = {}
        self._phrases: list[tuple[str, str, str, StatusLabel]] = []
        for label in labels:
            key = (label.organization.casefold(), label.language, _fold(label.label))
            if label.phrase:
                self._phrases.append((*key, label))
            else:
                self._index[key] = label

    def _candidates(self, language: str | None, organization: str | None) -> list[tuple[str, str]]:
        orgs = ([organization.casefold()] if organization else []) + ["*"]
        languages = [language] if language else []
        languages += sorted({label.language for label in self.entries} - set(languages))
        return [(org, lang) for org in orgs for lang in languages]

    def lookup(
        self, text: str | None, language: str | None = None, organization: str | None = None, *,
        prefix: bool = True, strict_prefix: bool = False,
    ) -> tuple[StatusLabel | None, str | None]:
        """The label a status cell starts with, and the printed words it matched.

        An exact match wins; else the longest label the cell starts with, followed by a word
        boundary (a Chinese label may run straight into a note: "已接受之前为“正在落实”"). With
        ``strict_prefix`` (a remarks cell) the label must end at punctuation: "Implemented. The …".
        """
        if not text:
            return None, None
        folded = _fold(text)
        for org, lang in self._candidates(language, organization):
            found = self._index.get((org, lang, folded))
            if found:
                return found, normalize_text(text).rstrip(" .;。；")
        if not prefix:
            return None, None
        for org, lang in self._candidates(language, organization):
            best: StatusLabel | None = None
            for (entry_org, entry_lang, label), entry in self._index.items():
                if (entry_org, entry_lang) != (org, lang) or not folded.startswith(label):
                    continue
                rest = folded[len(label):]
                if strict_prefix:
                    ok = bool(re.match(r"^\s*[.;:—–]", rest))
                else:
                    ok = not rest or not rest[0].isalnum() or (is_cjk(rest[0]) and is_cjk(label[-1]))
                if ok and (best is None or len(label) > len(_fold(best.label))):
                    best = entry
            if best is not None:
                return best, normalize_text(text)[: len(best.label)]
        return None, None

    def phrase(
        self, text: str | None, language: str | None = None, organization: str | None = None,
    ) -> StatusLabel | None:
        """The status a remark states in words ("UNFPA agrees with this recommendation" → accepted):
        the phrase found earliest in the remark's first sentence (where an organization states its
        position; later sentences report what others did), the longer one on a tie."""
        if not text:
            return None
        folded = _fold(re.split(r"(?<=[.!?])\s+(?=[A-Z\"“(])|[。！？\n]", text, maxsplit=1)[0])
        for org, lang in self._candidates(language, organization):
            found = [(folded.find(words), -len(words), label) for o, la, words, label in self._phrases
                     if (o, la) == (org, lang) and words in folded]
            if found:
                return min(found, key=lambda f: (f[0], f[1]))[2]
        return None


@dataclass
class StatusReading:
    """What a row's printed status, acceptance and remarks say, mapped through the vocabulary."""

    acceptance: Acceptance | None = None
    implementation: Implementation | None = None
    implementation_raw: str | None = None
    acceptance_raw: str | None = None
    previous_status: str | None = None
    rest: str | None = None
    """Words printed in the status cell after its label ("已完成(A/73/688)" → "(A/73/688)")."""

    def read_remarks(self, vocabulary: Vocabulary, remarks: str | None, language: str | None,
                     organization: str | None) -> None:
        """A status stated only in words in the organization's remarks. Beside a printed status the
        remarks may add the acceptance ("UNFPA agrees with this recommendation") but never overrule
        the status: "considers the recommendation implemented" only counts where none is printed."""
        if self.acceptance is not None:
            return
        stated = vocabulary.phrase(remarks, language, organization)
        if stated is None or (self.implementation is not None and stated.implementation is not None):
            return
        self.acceptance = stated.acceptance
        self.implementation = self.implementation or stated.implementation


def read_status(
    vocabulary: Vocabulary, status: str | None, acceptance: str | None, language: str | None,
    organization: str | None,
) -> StatusReading:
    """Map a row's status and acceptance cells; a note on the earlier status is kept apart."""
    reading = StatusReading()
    if acceptance:
        acceptance, previous = split_previous_status(acceptance)
        reading.acceptance_raw, reading.previous_status = acceptance, previous
        label, _ = vocabulary.lookup(acceptance, language, organization)
        if label:
            reading.acceptance, reading.implementation = label.acceptance, label.implementation
    if status:
        status, previous = split_previous_status(normalize_text(status))
        reading.previous_status = previous or reading.previous_status
        label, raw = vocabulary.lookup(status, language, organization)
        reading.implementation_raw = status
        if label and raw:
            reading.acceptance = reading.acceptance or label.acceptance
            reading.implementation = label.implementation or reading.implementation
            rest = normalize_text(status[len(raw):]).strip(" .;:。；：")
            reading.implementation_raw, reading.rest = raw, rest or None
    return reading


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """Read the status vocabulary (``extractors/data/status_vocabulary.csv`` unless ``path`` is given).

    Columns: organization (or ``*``), language, printed label, acceptance, implementation, and an
    optional ``match``: ``label`` (the default: a status cell starts with it) or ``phrase`` (words
    that state a status anywhere in a remark). An empty value means the label states nothing about
    that part. Unknown canonical values are rejected so a typo in the data cannot leak into the records.
    """
    if path is None:
        text = resources.files("extractors").joinpath("data", "status_vocabulary.csv").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    labels: list[StatusLabel] = []
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        acceptance = (row.get("acceptance") or "").strip() or None
        implementation = (row.get("implementation") or "").strip() or None
        if acceptance is not None and acceptance not in _ACCEPTANCE:
            raise ValueError(f"status vocabulary line {number}: unknown acceptance {acceptance!r}")
        if implementation is not None and implementation not in _IMPLEMENTATION:
            raise ValueError(f"status vocabulary line {number}: unknown implementation {implementation!r}")
        labels.append(StatusLabel(
            organization=(row.get("organization") or "*").strip(),
            language=(row.get("language") or "").strip(),
            label=normalize_text(row["label"]),
            acceptance=acceptance,  # type: ignore[arg-type]
            implementation=implementation,  # type: ignore[arg-type]
            phrase=(row.get("match") or "label").strip() == "phrase",
        ))
    return Vocabulary(labels)


def current_vocabulary() -> Vocabulary:
    """The shipped vocabulary, extended by the analyst's file (``UNPIPE_STATUS_VOCABULARY_FILE``) if any."""
    from pipeline.core.settings import get_settings

    extra = get_settings().status_vocabulary_file
    shipped = load_vocabulary()
    if extra is None:
        return shipped
    return Vocabulary(shipped.entries + load_vocabulary(str(extra)).entries)


_ORGANIZATIONS = [  # document-series prefixes, most specific first
    (r"^E/ICEF/", "UNICEF"), (r"^DP/FPA/", "UNFPA"), (r"^DP/OPS/", "UNOPS"), (r"^DP/", "UNDP"),
    (r"^UNW/", "UN-Women"), (r"^WO/|^WIPO/", "WIPO"), (r"^WFP/", "WFP"), (r"^UNEP/", "UNEP"),
    (r"^ICCD/", "UNCCD"), (r"^FCCC/", "UNFCCC"), (r"^IDB\.", "UNIDO"), (r"^GB\.", "ILO"), (r"^EB\d", "WHO"),
    (r"^A/|^S/|^ST/|^E/", "United Nations"), (r"^JIU/", "JIU"),
]


def organization_of(symbol: str | None) -> str | None:
    """The organization behind a document symbol (``E/ICEF/2025/14`` → UNICEF), for its own labels."""
    for pattern, organization in _ORGANIZATIONS:
        if symbol and re.match(pattern, symbol):
            return organization
    return None
