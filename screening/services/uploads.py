"""What an upload to the sources page is, before a worker reads it: a file that is plainly not
a search export (a PDF, an image, a Word document, an archive) is refused at once, saying what
it looks like, instead of being queued and failing later with a parser's message."""

from __future__ import annotations

import zipfile

from django.core.files.uploadedfile import UploadedFile

from ..importers.detect import binary_kind

_EXPORT_HINT = (
    "export the search results from the database as RIS, BibTeX, PubMed, Web of Science, "
    "EndNote XML or CSV/XLSX and import that file"
)
# What binary_kind's descriptions become in a sentence about the upload.
_LOOKS_LIKE = {
    "a PDF document": "this is a PDF, not a search export: full texts are added on the "
    "full-text page",
    "a PNG image": f"this is a PNG image, not a search export: {_EXPORT_HINT}",
    "a JPEG image": f"this is a JPEG image, not a search export: {_EXPORT_HINT}",
    "a GIF image": f"this is a GIF image, not a search export: {_EXPORT_HINT}",
    "a program": f"this is a program, not a search export: {_EXPORT_HINT}",
}
_ZIPPED = {
    "word/document.xml": f"this is a Word document (DOCX), not a search export: {_EXPORT_HINT}",
    "ppt/presentation.xml": f"this is a PowerPoint file, not a search export: {_EXPORT_HINT}",
    "content.xml": "this is an OpenDocument file: save it as XLSX or CSV and import that",
}


def _zip_problem(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        names = set(zipfile.ZipFile(upload).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "this is a damaged ZIP archive: export the search results again"
    finally:
        upload.seek(0)
    if "xl/workbook.xml" in names:
        return None  # an XLSX workbook: the importer reads it
    for member, problem in _ZIPPED.items():
        if member in names:
            return problem
    return "this is a ZIP archive: unpack it and import the export files inside, one by one"


def upload_problem(upload: UploadedFile) -> str | None:
    """Why this file cannot be a search export ("name: this is a PDF …"), or None: let the
    importer read it (it still refuses a text file in no known format, naming the line)."""
    if upload.size == 0:
        return f"{upload.name}: the file is empty (0 bytes): export the search again."
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype html", b"<html")):
        return (
            f"{upload.name}: this is a web page (HTML), not a search export: the database "
            "sent a page instead of the file; export again and keep the file it downloads."
        )
    kind = binary_kind(head)
    if kind is None:
        return None
    problem = _zip_problem(upload) if kind == "zip" else _LOOKS_LIKE.get(kind, f"this is {kind}")
    return f"{upload.name}: {problem}." if problem else None
