"""The hand-over between the thread that formats COPY chunks and the thread that sends them.

psycopg2's ``copy_expert`` reads a file-like object and releases the GIL while it sends, so the
records are formatted on this thread and sent from a second one through a bounded queue
(``_Feed``); each COPY statement reads its share of the chunks through a ``_Statement``. Errors
cross back to the formatting thread, which re-raises them. The queue depth and the chunks per
statement come from the caller (the package's ``QUEUED`` and ``CHUNKS_PER_COPY``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from .copy_binary import _BINARY_HEADER, _BINARY_TRAILER


class _Feed:
    """COPY chunks handed from the producing thread to the sending thread through a queue."""

    _END = b""
    _ABORT = object()

    def __init__(self, size: int) -> None:
        self.chunks: queue.Queue = queue.Queue(maxsize=size)
        self.error: BaseException | None = None
        self.ended = False

    def take(self) -> bytes:
        chunk = self.chunks.get()
        if chunk is self._ABORT:
            raise _CopyAborted
        if chunk == self._END:
            self.ended = True
        return chunk

    def abort(self) -> None:
        """Make the sending thread stop at its next chunk (a COPY under way then fails)."""
        while True:
            try:
                self.chunks.get_nowait()
            except queue.Empty:
                break
        self.chunks.put(self._ABORT)


class _Statement:
    """The file one COPY statement reads (psycopg2's copy_expert): the next ``chunks``.

    In the binary format each statement's data has its own header and trailer.
    """

    def __init__(self, feed: _Feed, binary: bool, chunks: int) -> None:
        self.feed = feed
        self.left = chunks
        self.pending = _BINARY_HEADER if binary else b""
        self.trailer = _BINARY_TRAILER if binary else b""
        self.done = False

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            pending, self.pending = self.pending, b""
            return pending
        if self.done:
            return b""
        if self.left:
            chunk = self.feed.take()
            if chunk:
                self.left -= 1
                return chunk
        self.done = True
        return self.trailer  # then b"": the end of this statement's data


class _CopyAborted(Exception):
    """Raised inside copy_expert so that psycopg2 ends the COPY with an error."""


def _send(cursor, sql: str, feed: _Feed, binary: bool, chunks_per_copy: int) -> None:
    try:
        while not feed.ended:
            cursor.copy_expert(sql, _Statement(feed, binary, chunks_per_copy))
    except BaseException as error:  # handed to the producing thread, which re-raises it
        feed.error = error


def _hand_over(feed: _Feed, chunk: bytes, sender: threading.Thread) -> None:
    """Queue a chunk for the sending thread; raise its error if it has stopped."""
    while True:
        try:
            feed.chunks.put(chunk, timeout=0.1)
            return
        except queue.Full:
            if not sender.is_alive():
                raise feed.error or RuntimeError("the COPY thread stopped") from None


class _Counter:
    """An iterator that counts what passes through it."""

    def __init__(self, items: Iterator) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self):
        item = next(self.items)
        self.count += 1
        return item
