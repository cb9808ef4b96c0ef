"""Typed records the extractors yield. Field names follow ../shared/spec/extraction-v1.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.core.document import BBox

DocumentKind = Literal[
    "jiu_report",
    "jiu_note",
    "sg_report",
    "sg_note",
    "acabq_report",
    "status_report",
    "budget_fascicle",
    "other",
]
Addressee = Literal[
    "executive_heads", "legislative_bodies", "general_assembly", "secretary_general", "member_states", "other"
]
DeadlineKind = Literal["day", "month", "year_end", "year", "session", "asap"]
Position = Literal["supported", "partially_supported", "not_supported", "noted"]
Acceptance = Literal["accepted", "partially_accepted", "not_accepted", "under_consideration", "not_relevant"]
Implementation = Literal["implemented", "in_progress", "not_started", "not_implemented", "not_relevant"]
RecommendationKind = Literal["jiu", "acabq", "ga_action"]
SearchableKind = Literal["paragraph", "recommendation", "status"]
"""What the full-text index holds: stored paragraphs and recommendations."""


@dataclass
class DocumentInfo:
    """The ``document`` section of the record."""

    symbol: str | None = None
    language: str | None = None
    kind: DocumentKind = "other"
    title: str | None = None
    session: int | None = None
    agenda_items: list[str] = field(default_factory=list)
    date: str | None = None
    """ISO ``YYYY-MM-DD``."""
    job_number: str | None = None
    references: list[str] = field(default_factory=list)


@dataclass
class Deadline:
    """A time limit as printed, with its normalised form."""

    text: str
    kind: DeadlineKind
    date: str | None = None
    """ISO date: the last day the kind allows; ``None`` for ``asap`` and ``session``."""
    session: int | None = None
    """A General Assembly session only (the spec's ``session``)."""
    organ: str | None = None
    """For a session of another organ ("eighth session of the United Nations Environment Assembly"), its
    name as printed; an extra key of the record, with ``session`` left ``None``."""


@dataclass
class Response:
    """What the document records as the response to a recommendation."""

    position: Position | None
    text: str


@dataclass
class Recommendation:
    report: str
    number: str
    text: str
    addressee: Addressee | None
    deadline: Deadline | None
    response: Response | None
    page: int | None
    bbox: BBox | None = None
    kind: RecommendationKind = "jiu"


@dataclass
class StatusEntry:
    """One row of a status table: an observation of a recommendation's status by the document's author."""

    report: str | None
    number: str | None
    text: str
    addressee: Addressee | None = None
    acceptance: Acceptance | None = None
    implementation: Implementation | None = None
    implementation_raw: str | None = None
    acceptance_raw: str | None = None
    responsible: str | None = None
    due: Deadline | None = None
    page: int | None = None
    bbox: BBox | None = None
    remarks: str | None = None
    """The organization's own words on the row (comment, assessment, management response), as printed."""
    previous_status: str | None = None
    """A note on an earlier status printed beside the status ("之前为“正在落实”", "Previously: in progress")."""


@dataclass
class TableRecord:
    """A table as text cells, with the geometry of every cell for provenance."""

    page: int
    caption: str | None
    header: list[str]
    rows: list[list[str]]
    bbox: BBox | None = None
    cell_bboxes: list[list[BBox | None]] = field(default_factory=list)
    """Each cell's box, on ``page`` or, for rows after a page break, on the page they are printed on."""
    unit: str | None = None
    end_page: int | None = None
    """The last page of a numbered table that runs over page breaks (``None``: it fits on ``page``)."""


Record = DocumentInfo | Recommendation | StatusEntry | TableRecord
