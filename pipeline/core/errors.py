"""One exception hierarchy. Every message says what went wrong and what to do next."""

from __future__ import annotations


class UnpipeError(Exception):
    """Base of every error unpipe raises on purpose; the CLI prints it as one line."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None, document: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.document = document
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        where = f"{self.document}: " if self.document else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{tail}"


class ConfigError(UnpipeError):
    """A setting or argument is wrong."""

    hint = "check the UNPIPE_* environment variables or the command's --help"


class BadInputError(UnpipeError):
    """A file cannot be parsed as a text PDF. Recorded as a failed document; the run goes on."""

    reason = "bad_input"
    hint = "replace the file with a good copy of the PDF and ingest it again"


def bad_input_hint(reason: str | None) -> str:
    """What to do about a file recorded as failed for ``reason`` (``not_pdf``, ``timeout``, ``database`` …),
    from the error class with that reason; a file's own fault unless some class says otherwise."""
    pending: list[type[UnpipeError]] = [BadInputError, UnpipeError]
    while pending:
        kind = pending.pop(0)
        if getattr(kind, "reason", None) == reason:
            return kind.hint
        pending += kind.__subclasses__()
    return BadInputError.hint


class EmptyFileError(BadInputError):
    reason = "empty_file"


class NotPdfError(BadInputError):
    reason = "not_pdf"
    hint = "the file is not a PDF (often an HTML error page saved as .pdf); download it again"


class CorruptPdfError(BadInputError):
    reason = "corrupt_pdf"
    hint = "the PDF is damaged or truncated; download it again"


class EncryptedPdfError(BadInputError):
    reason = "encrypted_pdf"
    hint = "the PDF is password-protected; obtain an unprotected copy"


class ImageOnlyPdfError(BadInputError):
    reason = "image_only"
    hint = "the PDF has no text layer; run OCR on it first (for example with ocrmypdf)"


class ExtractorError(UnpipeError):
    """An extractor failed on a document; the document is recorded as failed for that extractor."""

    def __init__(self, message: str, *, extractor: str, document: str | None = None) -> None:
        super().__init__(
            message, document=document, hint="report it with the document; other extractors still ran"
        )
        self.extractor = extractor


class UnknownExtractorError(ConfigError):
    """A name that is not in the extractor registry."""


class DuplicateExtractorError(UnpipeError):
    """Two extractors registered under one name."""

    hint = "give the new extractor a name of its own"


class StoreError(UnpipeError):
    """The database cannot be reached or is not at the expected schema."""

    hint = "check UNPIPE_DATABASE_URL and run `unpipe db upgrade`"


class MissingStoreError(StoreError):
    """A query asked for a store that does not exist (a mistyped path, or nothing ingested yet)."""

    hint = "run `unpipe ingest` first, or check --db / UNPIPE_DATABASE_URL"


class CorruptStoreError(StoreError):
    """The store's file is not a database SQLite can read (damaged, or another kind of file)."""

    hint = "restore the file from a backup, or move it away and run `unpipe ingest` to build a new store"


class NewerSchemaError(StoreError):
    """The store was migrated by a newer unpipe than this one: this code does not know its schema."""

    hint = "upgrade unpipe (pip install -U unpipe), or point --db / UNPIPE_DATABASE_URL at another store"


class OlderSchemaError(StoreError):
    """A read-only command found a store whose schema is older than this code's; only a writer migrates."""

    hint = "run `unpipe db upgrade` (or any ingest) once with write access"


class StoreNotWritableError(StoreError):
    """A command that writes (ingest, run, db upgrade) met a store this user or role may only read."""

    hint = "ingest and migrate as a user (or PostgreSQL role) that may write the store; queries work read-only"


class FetchError(UnpipeError):
    """A download failed for good (after retries).

    Every FetchError carries a short machine-readable ``reason`` that FetchResult.reason repeats; a
    subclass sets its own, and one raise may name a finer one (``reason=``).
    """

    reason = "failed"
    hint = "the run goes on; the document is retried at the next run"
    attempts = 1
    """How many tries were made before giving up (set by the retry loop)."""

    def __init__(self, message: str, *, reason: str | None = None, document: str | None = None) -> None:
        super().__init__(message, document=document)
        if reason is not None:
            self.reason = reason


class DiscoveryFailedError(FetchError):
    """Every discovery source that ran failed, so the run found nothing to do: the run fails."""

    hint = "check the sites' addresses (UNPIPE_*_BASE_URL) and the network; unfinished items resume next run"


class NotFoundError(UnpipeError):
    """A document, recommendation or other item asked for is not in the store."""

    hint = "list what is stored with `unpipe docs`"


# --- Fetching and discovery (pipeline/fetch/, pipeline/discover/) ---------------------------


class RetryableFetchError(FetchError):
    """A failure that may pass if tried again: timeout, connection error, 5xx, 429, body cut in transit."""

    reason = "transient"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
        document: str | None = None,
    ) -> None:
        super().__init__(message, reason=reason, document=document)
        self.retry_after = retry_after
        """Seconds the server asked us to wait (Retry-After), if it said."""


class PermanentFetchError(FetchError):
    """A failure that another immediate try would repeat: 404, refused host, redirect loop, too large."""


class DocumentNotFoundError(PermanentFetchError):
    reason = "not_found"
    hint = "check the symbol and language; the document may not be published yet"


class DocumentUnavailableError(DocumentNotFoundError):
    """ODS has no file for this symbol in this language: a normal answer (404, an empty 200 or an HTML
    page where the PDF should be), recorded as ``unavailable`` and asked again only after a while."""

    reason = "unavailable"
    hint = "not published in this language (yet); the document is asked for again after UNPIPE_UNAVAILABLE_RETRY_DAYS"


class BotChallengeError(RetryableFetchError):
    """A 202 with ``x-amzn-waf-action: challenge`` (the sites' bot wall): no result, try again later."""

    reason = "bot_challenge"
    hint = "the site asked for a browser challenge; lower UNPIPE_HTTP_REQUESTS_PER_SECOND, the next run retries"


class HostBudgetExhaustedError(PermanentFetchError):
    """A host refused or throttled so many requests in this run that the fetcher stopped asking it."""

    reason = "host_budget_exhausted"
    hint = "the site throttled this run (429, bot wall, 5xx); the next run retries, see UNPIPE_HTTP_HOST_FAILURE_BUDGET"


class ForeignHostError(PermanentFetchError):
    reason = "foreign_host"
    hint = "only the hosts of UNPIPE_ODS_BASE_URL, UNPIPE_UNDL_BASE_URL and UNPIPE_JIU_BASE_URL are contacted"


class RedirectError(PermanentFetchError):
    reason = "too_many_redirects"
    hint = "the site redirects in a loop; try again later or raise UNPIPE_HTTP_MAX_REDIRECTS"


class TooLargeError(PermanentFetchError):
    reason = "too_large"
    hint = "raise UNPIPE_MAX_DOWNLOAD_BYTES if the file is genuine"


class RetryAfterTooLongError(PermanentFetchError):
    reason = "retry_after_too_long"
    hint = "the site asked us to wait longer than UNPIPE_HTTP_MAX_RETRY_AFTER_SECONDS; the next run retries"


class NotPdfResponseError(PermanentFetchError, NotPdfError):
    """The server answered 200 with something that is not a PDF (often an HTML page)."""

    reason = "not_pdf"
    hint = "the site sent an HTML page instead of the PDF; the next run retries"


class TruncatedPdfError(PermanentFetchError, CorruptPdfError):
    """The body starts like a PDF but has no ``%%EOF`` near its end: the file was cut off."""

    reason = "truncated_pdf"
    hint = "the site served a cut-off file; the next run retries"


class UnknownSourceError(ConfigError):
    """A name that is not in the discovery-source registry."""


class DuplicateSourceError(UnpipeError):
    """Two discovery sources registered under one name."""

    hint = "give the new source a name of its own"


class SourceNotConfiguredError(ConfigError):  # like Scrapy's NotConfigured: the source switches itself off
    """A discovery source lacks its setting (watch-list file, inbox folder); the run skips it."""


class WatchlistError(ConfigError):
    """The watch-list TOML file is malformed."""

    hint = "see pipeline/discover/watchlist.py (WatchlistSource) for the file format"


# --- Limits on one document's handling (pipeline/run/isolate.py, pipeline/run/sandbox.py) ------


class ResourceLimitExceeded(BadInputError):
    """Parsing one document needed more memory than its worker may take, or the file declares a stream or
    image larger than the cap: that document fails, the run goes on."""

    reason = "resource_limit"
    hint = ("if the file is genuine, raise UNPIPE_PARSE_MEMORY_LIMIT_BYTES (or UNPIPE_PARSE_MAX_STREAM_BYTES) "
            "and ingest it again")


class ParseTimeout(BadInputError):
    """Parsing one document took longer than its time limit (scaled by its page count)."""

    reason = "timeout"
    hint = ("if the file is genuine, raise UNPIPE_PARSE_TIMEOUT_SECONDS or UNPIPE_PARSE_TIMEOUT_PER_PAGE_SECONDS "
            "and ingest it again")


class TransientStoreError(StoreError):
    """The database dropped the connection, was locked or refused a serialisation after every retry: the
    document is left where it stood and the next run takes it up again."""

    reason = "database"
    hint = "check that the database is up, then run the command again: it resumes where it stopped"
