"""Discovery sources against the stand-in sites, and the source registry."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pipeline.core.errors import (
    DuplicateSourceError,
    PermanentFetchError,
    SourceNotConfiguredError,
    UnknownSourceError,
    WatchlistError,
)
from pipeline.core.settings import Settings
from pipeline.discover.base import Discovered, merge_discovered
from pipeline.discover.catalog import all_sources, discover_all, get_source, register, registered
from pipeline.discover.inbox import symbol_from_filename
from pipeline.discover.jiu import parse_jiu_listing
from pipeline.discover.undl import classify, parse_marcxml
from pipeline.discover.watchlist import load_watchlist
from pipeline.fetch.fetcher import Fetcher
from pipeline.fetch.ratelimit import RateLimiter
from tests.corpus import CORPUS
from tests.standin import ACABQ, JIU, SECRETARY_GENERAL, CatalogEntry, StandIn

undl, watchlist, jiu, inbox = (get_source(name) for name in ("undl", "watchlist", "jiu", "inbox"))


@pytest.fixture
def fetcher(standin_settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(standin_settings, limiter=RateLimiter(1000)) as f:
        yield f


def _settings(base: Settings, **changes: object) -> Settings:
    return base.model_copy(update=changes)


def _wanted_in_catalog(standin: StandIn, since: date | None = None) -> set[str]:
    """What the Digital Library holds of the wanted kinds, by the stand-in's own bookkeeping."""
    return {
        e.symbol
        for e in standin.catalog
        if e.author in (JIU, ACABQ, SECRETARY_GENERAL) and (since is None or e.date >= since)
    }


# --- registry -----------------------------------------------------------------------------------


def test_builtin_sources_are_registered_with_versions() -> None:
    names = [s.name for s in all_sources()]
    assert names[:4] == ["undl", "watchlist", "jiu", "inbox"]
    assert all(s.version for s in all_sources())
    assert get_source("undl") is undl


def test_unknown_source_lists_valid_names() -> None:
    with pytest.raises(UnknownSourceError, match="valid names: undl, watchlist, jiu, inbox"):
        get_source("ods")


def test_duplicate_names_are_refused() -> None:
    class Again:
        name = "jiu"
        version = "9"

        def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]:
            yield from ()

    with pytest.raises(DuplicateSourceError):
        register(Again())


def test_a_new_source_registers_like_the_builtins(standin_settings: Settings) -> None:
    from pipeline.discover import catalog

    @registered
    class Fixed:
        name = "fixed-test-source"
        version = "1"

        def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]:
            yield Discovered(symbol="A/80/1", source=self.name)

    try:
        found = list(discover_all(None, standin_settings, names=["fixed-test-source"]))
        assert [d.symbol for d in found] == ["A/80/1"]
    finally:
        catalog._REGISTRY.pop("fixed-test-source")


def test_a_failing_source_does_not_stop_the_others(standin_settings: Settings, standin: StandIn) -> None:
    standin.add_fault("status", path="/search", status=500)
    errors: list[tuple[str, str]] = []
    found = list(
        discover_all(
            None,
            standin_settings,
            names=["undl", "jiu"],
            on_error=lambda n, e: errors.append((n, getattr(e, "reason", ""))),
        )
    )
    assert errors == [("undl", "http_500")]
    assert {d.source for d in found} == {"jiu"}


def test_unconfigured_sources_are_skipped(standin_settings: Settings) -> None:
    assert list(discover_all(None, standin_settings, names=["watchlist", "inbox"])) == []
    with pytest.raises(SourceNotConfiguredError, match="UNPIPE_WATCHLIST_FILE"):
        list(watchlist.discover(None, standin_settings))


# --- Digital Library ----------------------------------------------------------------------------


def test_undl_finds_jiu_acabq_and_secretary_general_documents(
    standin_settings: Settings, standin: StandIn
) -> None:
    found = {d.symbol: d for d in undl.discover(None, standin_settings)}
    assert set(found) == _wanted_in_catalog(standin)
    assert {"JIU/REP/2025/2", "A/80/604/Add.13", "A/79/7/Add.12", "A/80/590", "A/77/256/Add.1"} <= set(found)
    assert "A/RES/79/281" not in found and "S/PV.10100" not in found

    report = found["A/80/604/Add.1"]
    assert report.kind == "acabq_report"
    assert report.title == (
        "Proposed programme budget (A/80/604/Add.1): "
        "report of the Advisory Committee on Administrative and Budgetary Questions"
    )
    entry = next(e for e in standin.catalog if e.symbol == "A/80/604/Add.1")
    assert report.date == entry.date
    assert report.record_id == str(entry.record_id)
    assert report.languages == ("en",)
    assert found["A/77/256/Add.1"].languages == ("zh",)
    assert found["JIU/REP/2025/2"].kind == "jiu_report"
    assert found["JIU/NOTE/2022/1/Rev.1"].kind == "jiu_note"
    assert found["JIU/REP/2025/2"].date is not None  # from 992 when 269 is absent
    assert found["A/80/590"].kind == "sg_report"
    assert found["A/80/590"].author == SECRETARY_GENERAL  # from 110


def test_undl_sends_the_digital_library_url_shape(standin_settings: Settings, standin: StandIn) -> None:
    list(undl.discover(None, standin_settings))
    searches = standin.requests_for(path="/search")
    assert {r.params["of"] for r in searches} == {"xm"}
    assert {r.params["sort"] for r in searches} == {"latest"}
    assert {r.params["jrec"] for r in searches} == {"1"}
    queries = {r.params["p"] for r in searches}
    assert '191__a:"JIU/REP/*" or 191__a:"JIU/NOTE/*"' in queries
    assert any("Advisory Committee on Administrative and Budgetary Questions" in q for q in queries)


def test_undl_pages_through_results(standin_settings: Settings, standin: StandIn) -> None:
    paged = _settings(standin_settings, undl_page_size=4)
    found = [d.symbol for d in undl.discover(None, paged)]
    assert set(found) == _wanted_in_catalog(standin)
    assert len(found) == len(set(found))
    starts = sorted({int(r.params["jrec"]) for r in standin.requests_for(path="/search")})
    assert starts[:4] == [1, 5, 9, 13]


def test_undl_since_filters_and_stops_paging_early(standin_settings: Settings, standin: StandIn) -> None:
    since = date(2025, 9, 1)
    paged = _settings(standin_settings, undl_page_size=4)
    list(undl.discover(None, paged))
    all_pages = len(standin.requests)
    standin.reset()
    found = list(undl.discover(since, paged))
    assert {d.symbol for d in found} == _wanted_in_catalog(standin, since)
    assert all(d.date is not None and d.date >= since for d in found)
    assert len(standin.requests) < all_pages


def test_undl_skips_records_without_a_symbol(standin_settings: Settings, standin: StandIn) -> None:
    standin.add_record(
        CatalogEntry("", "Voting record", date(2025, 12, 1), SECRETARY_GENERAL, [], 9_999_999, "110")
    )
    found = list(undl.discover(None, standin_settings))
    assert "" not in {d.symbol for d in found}
    assert len(found) == len(_wanted_in_catalog(standin) - {""})


def test_undl_html_instead_of_marcxml_is_a_clear_failure(
    standin_settings: Settings, standin: StandIn
) -> None:
    standin.add_fault("html", path="/search")
    with pytest.raises(PermanentFetchError, match="not MARCXML") as info:
        list(undl.discover(None, standin_settings))
    assert info.value.reason == "bad_response"


def test_undl_results_can_be_fetched(standin_settings: Settings, fetcher: Fetcher) -> None:
    found = [d for d in undl.discover(None, standin_settings) if d.symbol.startswith("A/80/604/Add.1")]
    results = fetcher.fetch_many(found)
    # languages known from the record: only en is asked for, no 404 for zh
    assert {(r.symbol, r.language, r.status) for r in results} == {
        (s, "en", "downloaded") for s in ["A/80/604/Add.1", *(f"A/80/604/Add.{i}" for i in range(10, 14))]
    }


def test_parse_marcxml_reads_partial_dates_and_language_suffixes() -> None:
    page = b"""<?xml version="1.0"?>
<!-- Search-Engine-Total-Number-Of-Results: 1 -->
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<controlfield tag="001">42</controlfield>
<datafield tag="191" ind1=" " ind2=" "><subfield code="a">A/80/7/Add.3</subfield></datafield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Budget /</subfield></datafield>
<datafield tag="269" ind1=" " ind2=" "><subfield code="a">2025-11</subfield></datafield>
<datafield tag="856" ind1="4" ind2=" "><subfield code="u">https://x/files/A_80_7_Add.3-ZH.pdf</subfield></datafield>
</record></collection>"""
    [record], total = parse_marcxml(page)
    assert total == 1
    assert (record.title, record.languages) == ("Budget", ["zh"])
    assert (record.date, record.date_end) == (date(2025, 11, 1), date(2025, 11, 30))
    assert classify("A/80/7/Add.3", None) == "acabq_report"
    assert classify("A/RES/79/281", "UN. General Assembly") is None


# --- watch list ---------------------------------------------------------------------------------


def _watch(tmp_path: Path, base: Settings, text: str) -> Settings:
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    return _settings(base, watchlist_file=path)


def test_watchlist_symbols_and_series(tmp_path: Path, standin_settings: Settings) -> None:
    settings = _watch(
        tmp_path,
        standin_settings,
        'symbols = ["JIU/REP/2025/2", "A/80/590"]\n'
        'series = ["A/80/604/Add.*", { pattern = "JIU/REP/2025/*", miss_limit = 2 }]\n'
        "miss_limit = 2\n",
    )
    found = [d.symbol for d in watchlist.discover(None, settings)]
    adds = [f"A/80/604/Add.{i}" for i in range(1, 14)]
    assert found == ["JIU/REP/2025/2", "A/80/590", *adds, "JIU/REP/2025/1"]


def test_watchlist_series_tolerates_gaps_shorter_than_the_miss_limit(
    tmp_path: Path, standin_settings: Settings, standin: StandIn
) -> None:
    standin.remove_document("A/80/604/Add.5", "en")
    standin.add_fault("html", symbol="A/80/604/Add.6")  # an HTML answer is a miss too
    settings = _watch(tmp_path, standin_settings, 'series = ["A/80/604/Add.*"]\nlanguages = ["en"]\n')
    found = [d.symbol for d in watchlist.discover(None, settings)]
    assert found == [f"A/80/604/Add.{i}" for i in [1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13]]
    tight = _watch(
        tmp_path, standin_settings, 'series = ["A/80/604/Add.*"]\nlanguages = ["en"]\nmiss_limit = 1\n'
    )
    assert [d.symbol for d in watchlist.discover(None, tight)] == [f"A/80/604/Add.{i}" for i in range(1, 5)]


def test_watchlist_probes_each_language(tmp_path: Path, standin_settings: Settings, standin: StandIn) -> None:
    settings = _watch(tmp_path, standin_settings, 'series = ["A/77/256/Add.*"]\nmiss_limit = 1\n')
    assert [d.symbol for d in watchlist.discover(None, settings)] == ["A/77/256/Add.1"]
    asked = [(r.params["s"], r.params["l"]) for r in standin.requests]
    assert asked == [("A/77/256/Add.1", "zh"), ("A/77/256/Add.2", "zh"), ("A/77/256/Add.2", "en")]


def test_watchlist_series_stops_when_the_site_fails(
    tmp_path: Path, standin_settings: Settings, standin: StandIn
) -> None:
    standin.add_fault("status", symbol="A/80/604/Add.3", status=500)
    settings = _watch(tmp_path, standin_settings, 'series = ["A/80/604/Add.*"]\nlanguages = ["en"]\n')
    assert [d.symbol for d in watchlist.discover(None, settings)] == ["A/80/604/Add.1", "A/80/604/Add.2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("symbols = [", "not valid TOML"),
        ('series = ["A/80/7/Add.1"]', "exactly one"),
        ('symbols = ["A/1"]\nwanted = 1', "unknown key"),
        ('series = [{ pattern = "A/*", start = -1 }]', "start"),
        ('languages = ["de"]', "languages"),
        ("symbols = [1]", "non-empty strings"),
    ],
)
def test_malformed_watchlists_are_explained(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WatchlistError, match=message):
        load_watchlist(path)


# --- JIU website --------------------------------------------------------------------------------


def test_jiu_listing_gives_symbols_titles_years_and_links(
    standin_settings: Settings, standin: StandIn
) -> None:
    found = {d.symbol: d for d in jiu.discover(None, standin_settings)}
    assert set(found) == {"JIU/REP/2025/1", "JIU/REP/2025/2", "JIU/NOTE/2022/1/Rev.1"}
    report = found["JIU/REP/2025/2"]
    assert report.kind == "jiu_report" and report.date == date(2025, 1, 1)
    assert report.title and "Joint Inspection Unit" in report.title
    link = "/sites/www.unjiu.org/files/jiu_document_files/products/en/JIU_REP_2025_2_English.pdf"
    assert report.urls == {"en": standin.url + link}


def test_jiu_pages_and_since(standin_settings: Settings, standin: StandIn) -> None:
    standin.jiu_page_size = 1
    found = [d.symbol for d in jiu.discover(date(2025, 3, 1), standin_settings)]
    assert found == ["JIU/REP/2025/2", "JIU/REP/2025/1"]
    assert [r.params.get("page", "0") for r in standin.requests] == ["0", "1", "2"]


def test_jiu_links_are_fetched_directly(
    standin_settings: Settings, standin: StandIn, fetcher: Fetcher
) -> None:
    found = [d for d in jiu.discover(None, standin_settings) if d.symbol == "JIU/REP/2025/2"]
    [result] = fetcher.fetch_many(found)
    assert result.status == "downloaded"
    assert result.url == found[0].urls["en"]
    assert result.sha256 == hashlib.sha256((CORPUS / "en" / "JIU_REP_2025_2.pdf").read_bytes()).hexdigest()


def test_jiu_parser_is_lenient_about_columns_and_link_labels() -> None:
    page = """<table><tr>
      <td class="views-field views-field-field-year"> 2024 </td>
      <td class="views-field views-field-field-symbol">JIU/NOTE/2024/1</td>
      <td class="views-field views-field-title">A <em>note</em></td>
      <td class="views-field views-field-field-document-files">
        <a href="/f/JIU_NOTE_2024_1_Chinese.pdf">下载</a> <a href="/f/n-fr.pdf">Français</a>
        <a href="/f/n-en.pdf" hreflang="en-GB">PDF</a></td></tr></table>
      <a rel="next" href="?page=3">more</a>"""
    [row], next_href = parse_jiu_listing(page)
    assert (row.symbol, row.title, row.year) == ("JIU/NOTE/2024/1", "A note", 2024)
    assert row.links == {"zh": "/f/JIU_NOTE_2024_1_Chinese.pdf", "fr": "/f/n-fr.pdf", "en": "/f/n-en.pdf"}
    assert next_href == "?page=3"


# --- inbox --------------------------------------------------------------------------------------


@pytest.fixture
def inbox_settings(tmp_path: Path, standin_settings: Settings) -> Settings:
    folder = tmp_path / "inbox"
    (folder / "zh").mkdir(parents=True)
    shutil.copyfile(CORPUS / "en" / "A_80_604_Add.1.pdf", folder / "A_80_604_Add.1-EN.pdf")
    shutil.copyfile(CORPUS / "zh" / "A_77_256_Add.1.pdf", folder / "zh" / "A_77_256_Add.1.pdf")
    shutil.copyfile(CORPUS / "zh" / "WO_PBC_34_6.pdf", folder / "WO_PBC_34_6.zh.pdf")
    (folder / ".partial.pdf").write_bytes(b"%PDF-")
    (folder / "notes.txt").write_text("not a PDF")
    return _settings(standin_settings, inbox_dir=folder)


def test_inbox_finds_dropped_pdfs(inbox_settings: Settings) -> None:
    found = sorted(inbox.discover(None, inbox_settings), key=lambda d: d.symbol)
    assert [(d.symbol, d.languages, d.path.name if d.path else None) for d in found] == [
        ("A/77/256/Add.1", ("zh",), "A_77_256_Add.1.pdf"),
        ("A/80/604/Add.1", ("en",), "A_80_604_Add.1-EN.pdf"),
        ("WO/PBC/34/6", ("zh",), "WO_PBC_34_6.zh.pdf"),
    ]
    assert all(d.source == "inbox" and d.date for d in found)


def test_inbox_since_uses_the_file_date(inbox_settings: Settings) -> None:
    assert inbox_settings.inbox_dir is not None
    old = inbox_settings.inbox_dir / "WO_PBC_34_6.zh.pdf"
    os.utime(old, (946684800, 946684800))  # 2000-01-01
    found = {d.symbol for d in inbox.discover(date(2020, 1, 1), inbox_settings)}
    assert found == {"A/77/256/Add.1", "A/80/604/Add.1"}


def test_inbox_archive_moves_the_file_into_the_store(inbox_settings: Settings, tmp_path: Path) -> None:
    [doc] = [d for d in inbox.discover(None, inbox_settings) if d.symbol == "A/80/604/Add.1"]
    assert doc.path is not None
    data = doc.path.read_bytes()
    stored = inbox.archive(doc.path, inbox_settings)
    assert not doc.path.exists()
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.path.is_relative_to(inbox_settings.file_store_dir)
    assert stored.path.read_bytes() == data
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(data)
    with pytest.raises(ValueError, match="not inside the inbox"):
        inbox.archive(outside, inbox_settings)
    assert outside.exists()


def test_symbol_from_filename() -> None:
    assert symbol_from_filename("A_80_604_Add.1-ZH.pdf") == ("A/80/604/Add.1", "zh")
    assert symbol_from_filename("JIU_REP_2025_2.en.pdf") == ("JIU/REP/2025/2", "en")
    assert symbol_from_filename("E_ICEF_2025_14.pdf") == ("E/ICEF/2025/14", None)
    assert symbol_from_filename("A_81_6_Sect._2_Part_A~1f0c2b3a4d5e-en.pdf") == (
        "A/81/6/Sect./2/Part/A",
        "en",
    )


# --- merging ------------------------------------------------------------------------------------


def test_merge_joins_what_sources_know(standin_settings: Settings) -> None:
    from_undl = [d for d in undl.discover(None, standin_settings) if d.symbol == "JIU/REP/2025/2"]
    from_jiu = [d for d in jiu.discover(None, standin_settings) if d.symbol == "JIU/REP/2025/2"]
    [merged] = merge_discovered(from_undl + from_jiu)
    assert merged.source == "undl"
    assert merged.title == from_undl[0].title
    assert merged.date == from_undl[0].date
    assert merged.urls == from_jiu[0].urls
    assert merged.languages == ("en",)
    [unknown] = merge_discovered([*from_undl, Discovered("JIU/REP/2025/2", "watchlist")])
    assert unknown.languages == ()  # one source could not say: fetch every wanted language
