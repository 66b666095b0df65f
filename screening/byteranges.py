"""HTTP byte ranges (RFC 9110 section 14) for the PDF view: pdf.js asks for the pieces it needs,
so the first page of a long PDF shows before the whole file has arrived. One range is enough."""

from __future__ import annotations

import re

from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

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


def file_response(
    request: HttpRequest, file: File, content_type: str, filename: str
) -> HttpResponse:
    """The whole file (200) or the one byte range asked for (206, or 416 outside the file).

    Accept-Ranges on every answer tells pdf.js it may fetch by range instead of downloading
    the whole file before the first page."""
    size = file.size
    # An If-Range we hold no validator for (no ETag) may mean the file changed: send it whole.
    try:
        wanted = (
            None
            if request.headers.get("If-Range")
            else parse_range(request.headers.get("Range"), size)
        )
    except Unsatisfiable:
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
    else:
        if wanted is None:
            response = FileResponse(
                file.open("rb"), content_type=content_type, filename=filename, as_attachment=False
            )
        else:
            first, last = wanted
            with file.open("rb") as handle:
                handle.seek(first)
                body = handle.read(last - first + 1)
            response = HttpResponse(body, status=206, content_type=content_type)
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
            response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Accept-Ranges"] = "bytes"
    return response
