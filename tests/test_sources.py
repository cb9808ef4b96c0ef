"""Discovery sources against the stand-in sites, and the source registry."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.core.errors import (
    BotChallengeError,
    DuplicateSourceError,
    PermanentFetchError,
    RetryableFetchError,
    SourceNotConfiguredError,
    UnknownSourceError,
    WatchlistError,
)
from pipeline.core.settings import Settings
from pipeline.discover import undl as undl_module
from pipeline.discover.base import Discovered, merge_discovered
from pipeline.discover.catalog import (
    all_sources,
    discover_all,
    get_source,
    register,
    registered,
    remove_source,
)
from pipeline.discover.inbox import symbol_from_filename
from pipeline.discover.jiu import parse_jiu_listing
from pipeline.discover.undl import classify, parse_api_page, parse_marcxml
from pipeline.discover.watchlist import load_watchlist
from pipeline.fetch.fetcher import Fetcher
from pipeline.fetch.ratelimit import RateLimiter
from tests.corpus import CORPUS, SHARED
from tests.standin import ACABQ, CATALOGUED, JIU, SECRETARY_GENERAL, CatalogEntry, StandIn, job_number

UN_SITES = SHARED / "un-sites"

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
        remove_source("fixed-test-source")


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
    assert report.title == "Proposed programme budget (A/80/604/Add.1): report of the Advisory Committee"
    entry = next(e for e in standin.catalog if e.symbol == "A/80/604/Add.1")
    assert report.date == entry.date
    assert report.record_id == str(entry.record_id)
    assert report.languages == ("en",)
    assert report.urls == {"en": standin.dl_file_url(entry, "en")}  # the 856 file, not ODS
    assert report.job_number == job_number("A/80/604/Add.1", "en", entry.date.year)  # 029 $b "N… E"
    assert found["A/77/256/Add.1"].languages == ("zh",)
    assert found["A/77/256/Add.1"].title == "秘书长的报告（A/77/256/Add.1）"  # UTF-8, no charset in the header
    assert found["JIU/REP/2025/2"].kind == "jiu_report"
    assert found["JIU/NOTE/2022/1/Rev.1"].kind == "jiu_note"
    assert found["JIU/NOTE/2022/1/Rev.1"].date == date(2022, 1, 1)  # no 269: the year of 260 $c
    assert found["A/80/590"].kind == "sg_report"
    assert found["A/80/590"].author == SECRETARY_GENERAL
    joint = found["A/80/275"]  # one record, two symbols (191 twice)
    assert (joint.kind, joint.other_symbols) == ("sg_note", ("S/2025/491",))


def test_undl_sends_the_digital_library_url_shape(standin_settings: Settings, standin: StandIn) -> None:
    list(undl.discover(None, standin_settings))
    searches = standin.requests_for(path="/search")
    assert {r.params["of"] for r in searches} == {"xm"}
    assert {(r.params["sf"], r.params["so"]) for r in searches} == {("latest first", "d")}
    assert {r.params["jrec"] for r in searches} == {"1"}
    queries = {r.params["p"] for r in searches}
    assert '191__a:"JIU/REP/*" or 191__a:"JIU/NOTE/*" or 710__a:\'Joint Inspection Unit\'' in queries
    assert any("Advisory Committee on Administrative and Budgetary Questions" in q for q in queries)
    assert any("245__c:'report of the Secretary-General'" in q for q in queries)


def test_undl_pages_through_results(standin_settings: Settings, standin: StandIn) -> None:
    paged = _settings(standin_settings, undl_page_size=4)
    found = [d.symbol for d in undl.discover(None, paged)]
    assert set(found) == _wanted_in_catalog(standin)
    assert len(found) == len(set(found))
    starts = sorted({int(r.params["jrec"]) for r in standin.requests_for(path="/search")})
    assert starts[:4] == [1, 5, 9, 13]


def test_undl_since_takes_records_changed_since_and_stops_paging_early(
    standin_settings: Settings, standin: StandIn
) -> None:
    """005 (the record's last change) counts: a record catalogued after the last run is new, whatever
    its document date; paging stops at the first page of older records."""
    paged = _settings(standin_settings, undl_page_size=4)
    list(undl.discover(None, paged))
    all_pages = len(standin.requests)
    standin.reset()
    since = (CATALOGUED + timedelta(days=400)).date()  # after every corpus record's date and 005
    for n in range(3):
        standin.add_record(CatalogEntry(f"A/80/{900 + n}", f"Financing ({n})", date(2025, 6, 1), SECRETARY_GENERAL,
                                        [], 4_900_000 + n, responsibility="report of the Secretary-General",
                                        modified=CATALOGUED + timedelta(days=410 + n)))
    found = list(undl.discover(since, paged))
    assert {d.symbol for d in found} == {"A/80/900", "A/80/901", "A/80/902"}
    assert all(d.date == date(2025, 6, 1) and d.languages == () and d.urls == {} for d in found)
    assert len(standin.requests) < all_pages / 2


def test_undl_keyed_api_pages_on_search_id(standin_settings: Settings, standin: StandIn) -> None:
    keyed = _settings(standin_settings, undl_api_token="standin-token")
    found = {d.symbol for d in undl.discover(None, keyed)}
    assert found == _wanted_in_catalog(standin)
    calls = standin.requests_for(path="/api/v1/search")
    assert calls and not standin.requests_for(path="/search")
    assert {r.headers["authorization"] for r in calls} == {"Token standin-token"}
    ids = [r.params["search_id"] for r in calls]
    assert (len(ids), ids.count("")) == (6, 3)  # per query: a first page, then its search_id gives the empty end
    assert all(r.params["format"] == "xml" for r in calls)


def test_undl_keyed_api_rate_limit_is_retried_then_reported(standin_settings: Settings, standin: StandIn) -> None:
    keyed = _settings(standin_settings, undl_api_token="standin-token")
    standin.add_fault("rate_json", path="/api/v1/search", times=1, retry_after=None)
    assert {d.symbol for d in undl.discover(None, keyed)} == _wanted_in_catalog(standin)
    standin.reset()
    standin.api_limit = 0
    with pytest.raises(RetryableFetchError, match="Max 100 requests per 5 minutes") as info:
        list(undl.discover(None, keyed))
    assert info.value.reason == "http_429"


def test_undl_bot_wall_is_retried(standin_settings: Settings, standin: StandIn) -> None:
    standin.add_fault("waf", path="/search", times=1)
    assert {d.symbol for d in undl.discover(None, standin_settings)} == _wanted_in_catalog(standin)
    assert [r.status for r in standin.requests_for(path="/search")][:2] == [202, 200]
    standin.add_fault("waf", path="/search")
    with pytest.raises(BotChallengeError, match="x-amzn-waf-action: challenge"):
        list(undl.discover(None, standin_settings))


def test_undl_skips_records_without_a_symbol(standin_settings: Settings, standin: StandIn) -> None:
    standin.add_record(
        CatalogEntry("", "Voting record", date(2025, 12, 1), SECRETARY_GENERAL, [], 9_999_999)
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


@pytest.mark.parametrize(
    "name", ["search_xm_A_C.3_78_L_3records.DERIVED-repaired.xml", "search_xm_A_C.3_78_L_3records.verbatim-excerpt.xml"]
)
def test_parse_marcxml_reads_the_real_samples(name: str) -> None:
    sample = UN_SITES / "undl" / name
    if not sample.exists():
        pytest.skip(f"{sample} not found")
    records, total = parse_marcxml(sample.read_bytes())
    assert total == 94 and len(records) == 3
    first = records[0]
    assert (first.record_id, first.symbols, first.job_number) == ("4026910", ["A/C.3/78/L.49/Rev.1"], "N2321733")
    assert (first.date, first.modified) == (date(2023, 11, 8), date(2025, 5, 16))
    assert first.languages == ["ar", "zh", "en", "fr", "ru", "es"]  # $y in each language, or the -XX.pdf suffix
    assert first.files["zh"] == "https://digitallibrary.un.org/record/4026910/files/A_C.3_78_L.49_Rev.1-ZH.pdf"
    assert records[2].responsibility == "by the Secretariat"


def test_parse_api_pages_of_the_tind_samples() -> None:
    single, last = (UN_SITES / "tind_generic" / n for n in ("api_v1_search_format_xml_single_page.xml",
                                                            "api_v1_search_format_xml_last_page_empty.xml"))
    if not single.exists():
        pytest.skip(f"{single} not found")
    records, total, _ = parse_api_page(single.read_bytes())
    assert (len(records), total) == (5, 5)
    assert parse_api_page(last.read_bytes()) == ([], 554, "DnF1ZXJ5VGhlbkZldG")


def test_marcxml_is_read_as_utf8_whatever_the_declaration_says() -> None:
    page = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- Search-Engine-Total-Number-Of-Results: 1 -->
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<datafield tag="191" ind1=" " ind2=" "><subfield code="a">A/80/1</subfield></datafield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">秘书长的报告</subfield></datafield>
<datafield tag="856" ind1="4" ind2=" "><subfield code="y">中文</subfield><subfield code="u">https://x/f/a.pdf</subfield></datafield>
</record></collection>""".encode()
    [record], _ = parse_marcxml(page)
    assert (record.title, record.languages) == ("秘书长的报告", ["zh"])


def test_a_page_is_read_as_a_stream_across_chunks() -> None:
    """A page of 1,000 records (far larger than one chunk the pull parser is fed), Chinese and English
    text cut at chunk ends: every record whole, in order; a record is released once read."""
    record = """<record><controlfield tag="001">{n}</controlfield>
<datafield tag="191" ind1=" " ind2=" "><subfield code="a">A/80/{n}</subfield></datafield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">秘书长的报告 {n} :</subfield>
<subfield code="b">report of the Secretary-General on item {n}</subfield></datafield></record>"""
    page = ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- Search-Engine-Total-Number-Of-Results: 1000 -->\n'
            '<collection xmlns="http://www.loc.gov/MARC21/slim">'
            + "".join(record.format(n=n) for n in range(1000)) + "</collection>").encode()
    assert len(page) > 3 * undl_module._CHUNK

    records, total = parse_marcxml(page)

    assert total == 1000 and [r.symbols for r in records] == [[f"A/80/{n}"] for n in range(1000)]
    assert all(r.title == f"秘书长的报告 {n}: report of the Secretary-General on item {n}" for n, r in enumerate(records))
    root, _ = undl_module._stream_records(page, "page", f"{{{undl_module.MARC_NS}}}collection")
    assert len(root) == 0  # no record element is kept once read


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
    assert classify("A/80/1", None, "Title: note by the Secretary-General") == "sg_note"
    assert classify("A/80/123", JIU) == "jiu_report"


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
    asked = [(r.params["s"], r.params["l"]) for r in standin.requests_for(path="/api/symbol/access")]
    assert asked == [("A/77/256/Add.1", "zh"), ("A/77/256/Add.2", "zh"), ("A/77/256/Add.2", "en")]


def test_watchlist_series_stops_when_the_site_fails(
    tmp_path: Path, standin_settings: Settings, standin: StandIn
) -> None:
    standin.add_fault("status", symbol="A/80/604/Add.3", status=500)
    settings = _watch(tmp_path, standin_settings, 'series = ["A/80/604/Add.*"]\nlanguages = ["en"]\n')
    assert [d.symbol for d in watchlist.discover(None, settings)] == ["A/80/604/Add.1", "A/80/604/Add.2"]


def test_watchlist_enumerates_acabq_series_of_the_configured_sessions(
    standin_settings: Settings, standin: StandIn
) -> None:
    settings = _settings(standin_settings, ga_sessions=[79], watchlist_miss_limit=12, languages=["en"])
    assert [d.symbol for d in watchlist.discover(None, settings)] == ["A/79/7", "A/79/7/Add.12", "A/79/7/Add.13"]
    probed = [r.params["s"] for r in standin.requests_for(path="/api/symbol/access")]
    assert probed[-1] == "A/79/7/Add.25"  # twelve misses after Add.13
    assert Settings(ga_sessions="79,80").ga_sessions == [79, 80]  # type: ignore[arg-type]


def test_watchlist_series_stops_at_a_lasting_bot_wall(
    tmp_path: Path, standin_settings: Settings, standin: StandIn
) -> None:
    standin.add_fault("waf", symbol="A/80/604/Add.3")
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
    assert report.title == "Review of management and administration"
    assert report.urls == {"en": standin.url + "/sites/www.unjiu.org/files/jiu_rep_2025_2_english.pdf"}
    assert found["JIU/NOTE/2022/1/Rev.1"].urls["en"].endswith("/jiu_note_2022_1_rev.1_english.pdf")
    assert {r.path for r in standin.requests} == {"/content/reports-notes"}


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


def test_jiu_parser_takes_any_link_naming_a_symbol_and_a_language() -> None:
    page = """<ul><li><a href="/content/ict">ICT governance (JIU/NOTE/2024/1)</a> 2024
      <a href="/f/JIU_NOTE_2024_1.pdf" hreflang="zh">下载</a> <a href="/f/jiu_note_2024_1_french.pdf">PDF</a></li>
      <li><a href="/sites/www.unjiu.org/files/jiu_rep_2021_3_english.pdf">English</a></li>
      <li><a href="/x/JIU%20Products/JIU_REP_1995_13_English.pdf">Download</a></li>
      <li><a href="/content/about">About the JIU</a> <a href="/files/annual_report_english.pdf">English</a></li>
    </ul><li class="pager__item pager__item--next"><a href="?page=3">more</a></li>"""
    rows, next_href = parse_jiu_listing(page)
    assert [(r.symbol, r.title, r.year, r.links) for r in rows] == [
        ("JIU/NOTE/2024/1", "ICT governance", 2024,
         {"zh": "/f/JIU_NOTE_2024_1.pdf", "fr": "/f/jiu_note_2024_1_french.pdf"}),
        ("JIU/REP/2021/3", "", 2021, {"en": "/sites/www.unjiu.org/files/jiu_rep_2021_3_english.pdf"}),
        ("JIU/REP/1995/13", "", 1995, {"en": "/x/JIU%20Products/JIU_REP_1995_13_English.pdf"}),
    ]
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
    assert merged.urls == from_undl[0].urls  # the Digital Library's 856 file comes first
    assert merged.languages == ("en",)
    [joint] = [d for d in undl.discover(None, standin_settings) if d.symbol == "A/80/275"]
    [one] = merge_discovered([joint, Discovered("S/2025/491", "watchlist")])  # known by its second symbol
    assert (one.symbol, one.source) == ("A/80/275", "undl")
    [unknown] = merge_discovered([*from_undl, Discovered("JIU/REP/2025/2", "watchlist")])
    assert unknown.languages == ()  # one source could not say: fetch every wanted language
