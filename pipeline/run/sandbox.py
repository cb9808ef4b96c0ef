"""Bounded parsing: every PDF is parsed in a worker process with a memory and a time limit.

A worker is a spawned process that parses documents one after another (pdfplumber imported once, no
spaCy or jieba: parsing needs neither) with its address space capped (``RLIMIT_AS``,
``parse_memory_limit_bytes``). It first reports the document's page count, which sets the time limit
(``parse_timeout_seconds`` + ``parse_timeout_per_page_seconds`` per page). A document that runs out of
memory fails as ``resource_limit``, one that overruns its time as ``timeout``; in both cases (and when
the worker dies) the worker is replaced by a fresh process before the next document, so a bomb never
takes the run, or the memory a later document needs, with it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import queue
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from pipeline.core.errors import ParseTimeout, ResourceLimitExceeded, UnpipeError
from pipeline.core.settings import Settings

if TYPE_CHECKING:
    from pipeline.parse.pdf import ParserName

log = logging.getLogger(__name__)

STARTUP_SECONDS = 120.0
"""How long a new worker may take to load the parser (a busy machine) before it counts as stuck."""

ParseArgs = tuple[str, str, str, "ParserName"]
"""What a worker parses: the PDF, where its layout goes, the file name stored with it, the parser to use."""


def _serve(conn: Connection, memory_limit: int, max_stream_bytes: int) -> None:
    """A worker: cap its memory, load the parser, say it is ready, then parse what the parent sends until
    it sends None (or goes away). Ctrl-C is the parent's to handle: it ends the workers. A worker that
    ran out of memory reports it and exits (its heap is not trusted with the next document); whatever
    else goes wrong in the worker itself ends it without a traceback: the parent reports the document."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        if _parse_jobs(conn, max_stream_bytes) == "memory":
            gc.collect()  # the failed parse's frames are gone now: room to say why
            conn.send(("memory", None))
    except BaseException:  # the parent sees the pipe close and fails the document
        os._exit(1)


def _parse_jobs(conn: Connection, max_stream_bytes: int) -> str:
    """Parse documents until told to stop ("done") or out of memory ("memory")."""
    try:
        from pipeline.parse.limits import install_stream_caps
        from pipeline.run.layouts import parse_to_layout

        install_stream_caps(max_stream_bytes)
    except MemoryError:
        return "memory"
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return "done"
        if job is None:
            return "done"
        pdf, out, file_name, parser = job
        try:
            conn.send(("pages", _page_count(pdf)))
            conn.send(("ok", parse_to_layout(pdf, out, file_name, parser)))
        except MemoryError:
            return "memory"
        except Exception as exc:
            conn.send(("error", _picklable(exc)))


def _page_count(pdf: str) -> int:
    """Pages the PDF declares (pdfium reads the page tree only); 0 when it cannot tell."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(pdf)
    except Exception:  # the parser says what is wrong with the file
        return 0
    try:
        return len(document)
    finally:
        document.close()


def _picklable(exc: Exception) -> Exception:
    """The exception itself when it survives the pipe, else a RuntimeError naming its class and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class ParseWorker:
    """One worker process and the pipe to it."""

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("spawn")  # not fork: the parent runs Prefect's threads
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, settings.parse_memory_limit_bytes, settings.parse_max_stream_bytes),
            name="unpipe-parse", daemon=True,
        )
        self.process.start()
        child.close()
        self.alive = True
        self.ready = False

    def parse(self, args: ParseArgs, settings: Settings) -> int:
        """Parse one PDF into its layout file; returns the page count. Raises the parser's own error, or
        ``ResourceLimitExceeded`` / ``ParseTimeout`` (after which this worker is dead)."""
        if not self.ready:  # the clock starts once the parser is loaded, not while the process starts
            self._answer(time.monotonic() + STARTUP_SECONDS, "starting the parse worker", settings)
            self.ready = True
        self.conn.send(args)
        deadline = time.monotonic() + settings.parse_timeout_seconds
        allowed = settings.parse_timeout_seconds
        while True:
            kind, value = self._answer(deadline, f"parsing took longer than its limit of {allowed:.0f} s", settings)
            if kind == "pages":
                extra = settings.parse_timeout_per_page_seconds * value
                deadline += extra
                allowed += extra
            elif kind == "ok":
                return int(value)
            else:
                raise value

    def _answer(self, deadline: float, late: str, settings: Settings) -> tuple[str, Any]:
        """The worker's next message; ``ParseTimeout`` (saying ``late``) if none comes by ``deadline``,
        ``ResourceLimitExceeded`` if it ran out of memory or died."""
        left = deadline - time.monotonic()
        if left <= 0 or not self.conn.poll(left):
            self.stop()
            raise ParseTimeout(late)
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            if not self.ready:
                raise UnpipeError(f"the parse worker could not start (exit code {self.process.exitcode})",
                                  hint="its error output above says why") from None
            raise ResourceLimitExceeded(
                f"the parse worker died (exit code {self.process.exitcode}) under its memory limit of "
                f"{settings.parse_memory_limit_bytes:,} bytes"
            ) from None
        if kind == "memory":
            self.stop()
            raise ResourceLimitExceeded(
                f"parsing needed more than the memory limit of {settings.parse_memory_limit_bytes:,} bytes"
            )
        return kind, value

    def stop(self) -> None:
        """End the process now (it may be stuck in C code): a fresh worker takes the next document."""
        self.alive = False
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def close(self) -> None:
        """Let an idle worker finish its loop, then make sure it is gone."""
        if self.alive:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
            self.process.join(5)
        self.stop()


class ParsePool:
    """Up to ``size`` workers shared by the threads of a run; a worker that failed is replaced on demand."""

    def __init__(self, size: int, settings: Settings) -> None:
        self.settings = settings
        self.idle: queue.Queue[ParseWorker | None] = queue.Queue()
        for _ in range(size):
            self.idle.put(None)  # started on first use
        self.started: list[ParseWorker] = []
        self.guard = threading.Lock()

    def parse(self, args: ParseArgs, settings: Settings) -> int:
        worker = self.idle.get()
        try:
            if worker is None or not worker.alive or not worker.process.is_alive():
                worker = ParseWorker(self.settings)
                with self.guard:
                    self.started.append(worker)
            return worker.parse(args, settings)
        finally:
            self.idle.put(worker if worker is not None and worker.alive else None)

    def start(self) -> None:
        """Start the workers not running yet, without waiting for them: each loads its parser (0.4 s on
        the bench machine) while the caller goes on, instead of when the first PDF is sent to it."""
        idle: list[ParseWorker | None] = []
        with contextlib.suppress(queue.Empty):
            while True:
                idle.append(self.idle.get_nowait())
        for worker in idle:
            if worker is None:
                worker = ParseWorker(self.settings)
                with self.guard:
                    self.started.append(worker)
            self.idle.put(worker)

    def close(self) -> None:
        with self.guard:
            workers, self.started = self.started, []
        for worker in workers:
            worker.close()


def can_spawn() -> bool:
    """False inside a daemonic process (a Dask worker), which may not start children of its own."""
    return not multiprocessing.current_process().daemon


def parse_here(args: ParseArgs, settings: Settings) -> int:
    """Parse in this process, stream caps only: where no worker can be started (see ``can_spawn``)."""
    from pipeline.parse.limits import install_stream_caps
    from pipeline.run.layouts import parse_to_layout

    log.debug("parsing %s in-process: no worker processes here", args[0])
    install_stream_caps(settings.parse_max_stream_bytes)
    return parse_to_layout(*args)

