"""``unpipe report``: one self-contained HTML page an analyst can mail or open offline.

Why hand-drawn SVG: the page must work without a network (no CDN, no script), and horizontal bars are
all it needs. Every figure comes from the query functions the commands use (``status_stats``,
``find_recommendations``, ``find_status``), so the page and ``unpipe stats``/``recs`` always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

ACCEPTED_COLOUR = "#2b6cb0"
IMPLEMENTED_COLOUR = "#2f855a"
OVERDUE_COLOUR = "#c05621"
"""Bar colours (a test looks for them in the rendered page's pixels)."""

AGE_BANDS = (("under 1 year", 365), ("1-3 years", 3 * 365), ("3-5 years", 5 * 365), ("5 years or more", None))
RECENT_CHANGES = 30
"""Most status changes listed."""

CSS = """
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
       "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em; color: #1a202c; max-width: 1100px; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #cbd5e0; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { padding: 2px 8px; text-align: left; }
th { background: #edf2f7; } td { white-space: nowrap; } td.long { white-space: normal; min-width: 20em; } tr:nth-child(even) td { background: #f7fafc; }
.num { text-align: right; font-variant-numeric: tabular-nums; } .note { color: #4a5568; font-size: 0.9em; }
svg text { font-size: 12px; fill: #1a202c; }
"""


@dataclass
class Bar:
    label: str
    value: float
    """A share (0-1) or a count."""
    caption: str


def build_report(engine: Engine, *, organization: str | None = None, as_of: dt.date | None = None) -> str:
    """The report as one HTML document (for one reporting organization, or for everything)."""
    from pipeline.query.queries import (
        RecommendationFilter,
        StatusFilter,
        find_recommendations,
        find_status,
        status_stats,
    )

    day = as_of or dt.date.today()
    by_org = status_stats(engine, ["organization"], as_of=day, organization=organization)
    by_report = status_stats(engine, ["report"], as_of=day, organization=organization)
    overdue = find_recommendations(engine, RecommendationFilter(overdue=True, as_of=day, organization=organization))
    history = find_status(engine, StatusFilter(organization=organization, history=True))
    scope = escape(organization) if organization else "all organizations"
    parts = [
        f"<h1>Oversight recommendations: {scope}</h1>",
        f"<p class='note'>As of {day.isoformat()}. Shares count the latest status each organization reported "
        "per recommendation (as <code>unpipe stats</code>); overdue follows <code>unpipe recs --overdue</code> "
        "(proposals to the General Assembly left out).</p>",
        "<h2>Acceptance and implementation by organization</h2>",
        _share_charts(by_org.rows, "organization"),
        f"<h2>Overdue ({len(overdue)})</h2>",
        _overdue_section(overdue.rows),
        "<h2>Recent changes of status</h2>",
        _changes_table(history.rows),
        "<h2>Acceptance and implementation by report</h2>",
        _share_charts(by_report.rows, "report"),
    ]
    title = f"unpipe report: {scope}"
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def _share_charts(rows: list[dict[str, Any]], key: str) -> str:
    if not rows:
        return "<p class='note'>No status observations.</p>"
    accepted = [Bar(_label(r[key]), r["acceptance_rate"] or 0.0,
                    _percent(r["acceptance_rate"]) + f" of {r['tracked']}") for r in rows]
    implemented = [Bar(_label(r[key]), r["implementation_rate"] or 0.0,
                       _percent(r["implementation_rate"]) + f" of {r['tracked']}") for r in rows]
    return ("<h3>Accepted (fully or partly)</h3>" + bar_chart(accepted, ACCEPTED_COLOUR, maximum=1.0)
            + "<h3>Implemented</h3>" + bar_chart(implemented, IMPLEMENTED_COLOUR, maximum=1.0))


def _overdue_section(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p class='note'>Nothing overdue.</p>"
    by_addressee = Counter(_label(r["addressee"]) for r in rows)
    by_age = Counter(_age_band(r["days_overdue"]) for r in rows)
    addressees = [Bar(name, n, str(n)) for name, n in by_addressee.most_common()]
    ages = [Bar(name, by_age[name], str(by_age[name])) for name, _ in AGE_BANDS]
    table = _table(["report", "number", "language", "addressee", "deadline", "days overdue", "latest status",
                    "reported by"],
                   [[r["report"], r["number"], r["language"], r["addressee"], r["deadline_date"], r["days_overdue"],
                     r["implementation"], r["status_organization"]]
                    for r in sorted(rows, key=lambda r: -r["days_overdue"])])
    return ("<h3>By addressee</h3>" + bar_chart(addressees, OVERDUE_COLOUR)
            + "<h3>By time overdue</h3>" + bar_chart(ages, OVERDUE_COLOUR) + table)


def _age_band(days: int) -> str:
    for name, limit in AGE_BANDS:
        if limit is None or days < limit:
            return name
    raise AssertionError("the last band has no limit")


def status_changes(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Observations whose implementation differs from the same organization's previous observation of the
    same recommendation (``history`` is oldest first per key), newest first."""
    previous: dict[tuple[Any, ...], dict[str, Any]] = {}
    changes = []
    for row in history:
        key = (row["report"], row["key_number"], row["organization"])
        before = previous.get(key)
        if before is not None and before["implementation"] != row["implementation"]:
            changes.append(row | {"before": before["implementation"], "before_as_of": before["as_of"]})
        previous[key] = row
    return sorted(changes, key=lambda r: (r["as_of"] is not None, r["as_of"] or dt.date.min), reverse=True)


def _changes_table(history: list[dict[str, Any]]) -> str:
    changes = status_changes(history)[:RECENT_CHANGES]
    if not changes:
        return "<p class='note'>No recommendation changed status between two observations.</p>"
    return _table(["as of", "organization", "report", "number", "from", "to", "remarks", "document"],
                  [[c["as_of"], c["organization"], c["report"], c["number"], c["before"], c["implementation"],
                    c["remarks"], c["document_symbol"]] for c in changes])


def bar_chart(bars: list[Bar], colour: str, *, maximum: float | None = None) -> str:
    """Horizontal bars as inline SVG: label, bar, caption; one row per bar."""
    label_width, bar_width, caption_width, row = 220, 520, 140, 22
    top = max([maximum or 0.0, *(b.value for b in bars)]) or 1.0
    height = row * len(bars) + 4
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{label_width + bar_width + caption_width}'"
           f" height='{height}' role='img'>"]
    for i, bar in enumerate(bars):
        y = i * row + 2
        width = round(bar_width * bar.value / top, 1)
        out.append(f"<text x='{label_width - 6}' y='{y + 15}' text-anchor='end'>{escape(bar.label[:32])}</text>")
        out.append(f"<rect x='{label_width}' y='{y + 2}' width='{bar_width}' height='{row - 6}' fill='#edf2f7'/>")
        out.append(f"<rect x='{label_width}' y='{y + 2}' width='{width}' height='{row - 6}' fill='{colour}'>"
                   f"<title>{escape(bar.label)}: {escape(bar.caption)}</title></rect>")
        out.append(f"<text x='{label_width + bar_width + 6}' y='{y + 15}'>{escape(bar.caption)}</text>")
    out.append("</svg>")
    return "".join(out)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td{_cell_class(v)}>{escape(_text(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell_class(value: Any) -> str:
    """Numbers right-aligned; long texts (remarks) wrap; everything else (dates, symbols) stays on one line."""
    if isinstance(value, int):
        return " class=num"
    return " class=long" if isinstance(value, str) and len(value) > 40 else ""


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _label(value: Any) -> str:
    return "(not given)" if value is None else str(value)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"
