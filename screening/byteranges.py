"""HTTP byte ranges (RFC 9110 section 14) for the PDF view: pdf.js asks for the pieces it needs,
so the first page of a long PDF shows before the whole file has arrived. One range is enough."""

from __future__ import annotations

import re

# Only the single-range forms: "bytes=first-last", "bytes=first-", "bytes=-suffix".
_SINGLE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class Unsatisfiable(Exception):
    """A well-formed range that lies outside the file: the answer is 416."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) bytes asked for, or None to send the whole file.

    None for no header, a malformed one or several ranges (RFC 9110 lets a server ignore a
    Range it does not understand and answer 200 with everything); Unsatisfiable when the range
    starts past the end or asks for an empty suffix."""
    if not header:
        return None
    match = _SINGLE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid syntax by the RFC: ignored, not refused
    if start >= size:
        raise Unsatisfiable
    return start, min(int(last), size - 1) if last else size - 1
