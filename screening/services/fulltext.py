"""Full-text retrieval: PDFs (checked to be PDFs) or links per record, or 'not retrieved'."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef

from reviewapp.models import Review

from ..models import FullText, Record, StageStatus
from .texts import queue_text_extraction


class RetrievalError(Exception):
    """A file or action refused; the message says what and where (`kind`: why, in short, so a
    bulk upload's thousands of refusals can be summed up per kind)."""

    def __init__(self, message: str, *, kind: str = "refused", name: str = ""):
        super().__init__(message)
        self.kind = kind
        self.name = name


def _read_pdf(name: str, data: bytes) -> bytes:
    if len(data) > settings.FULLTEXT_MAX_BYTES:
        raise _too_big(name, len(data))
    # A failed download leaves nothing, or zeros where the data should be: that is an empty or
    # damaged file, not a file of another type.
    if not data.strip(b" \t\r\n\0"):
        held = f"{len(data):,} bytes, all blank" if data else "0 bytes"
        raise RetrievalError(
            f"{name}: the file is empty or damaged ({held}): download the PDF again and "
            "choose it again.",
            kind="empty file",
            name=name,
        )
    if len(data.lstrip()) < 5 and b"%PDF-".startswith(data.lstrip()):  # cut inside "%PDF-"
        raise RetrievalError(
            f"{name}: the PDF is damaged or cut short (only {len(data)} bytes arrived): "
            "download it again.",
            kind="damaged PDF",
            name=name,
        )
    # The real content decides, not the name: a PDF starts with %PDF- (within its first KB).
    if b"%PDF-" not in data[:1024]:
        raise RetrievalError(
            f"{name}: not a PDF (the file does not start like one).", kind="not a PDF", name=name
        )
    # A PDF ends with %%EOF (a few bytes of padding may follow): without it the download or
    # the copy was cut short, and the reader would show a blank or broken page.
    if b"%%EOF" not in data[-2048:]:
        raise RetrievalError(
            f"{name}: the PDF is damaged or cut short (it has no end-of-file marker): "
            "download it again.",
            kind="damaged PDF",
            name=name,
        )
    return data


def download_name(original: str) -> str:
    """The name a stored PDF is offered under: the uploader's name without its folders or
    control characters, ending in .pdf (it is served as one, whatever it was called)."""
    name = original.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if not name.lower().endswith(".pdf"):
        name = f"{name or 'fulltext'}.pdf"
    return name[-120:]


def sought_records(review: Review):
    """Records included at title/abstract: the reports sought for retrieval."""
    return Record.objects.in_review(review).unique().filter(ta_status=StageStatus.INCLUDE)


def _store(review, record, name: str, data: bytes, kind: str, by) -> FullText:
    fulltext = FullText(
        review=review,
        record=record,
        kind=kind,
        original_name=name[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    # On disk under a name of ours: the uploader's ("x.html", "x.svg", "../x") is only data,
    # so nothing served from the media folder could ever run as a page or a script.
    fulltext.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    fulltext.save()
    queue_text_extraction(fulltext)
    return fulltext


def _mark_retrieved(record: Record) -> None:
    Record.objects.filter(pk=record.pk).update(retrieval="retrieved", retrieval_note="")


@transaction.atomic
def attach_pdf(
    *, review: Review, record: Record, upload: UploadedFile, kind: str, by: AbstractBaseUser
) -> FullText:
    """Store a checked PDF for a sought record; the record counts as retrieved."""
    if not sought_records(review).filter(pk=record.pk).exists():
        raise RetrievalError("Only records included at title/abstract are sought for full text.")
    if upload.size > settings.FULLTEXT_MAX_BYTES:  # before reading it into memory
        raise _too_big(upload.name, upload.size)
    data = _read_pdf(upload.name, upload.read())
    fulltext = _store(review, record, upload.name, data, kind, by)
    _mark_retrieved(record)
    return fulltext


@transaction.atomic
def attach_url(*, review: Review, record: Record, url: str, by: AbstractBaseUser) -> FullText:
    limit = FullText._meta.get_field("url").max_length
    if len(url) > limit:
        raise RetrievalError(f"The link is {len(url)} characters; at most {limit} fit.")
    if not sought_records(review).filter(pk=record.pk).exists():
        raise RetrievalError("Only records included at title/abstract are sought for full text.")
    fulltext = FullText.objects.create(review=review, record=record, url=url, uploaded_by=by)
    _mark_retrieved(record)
    return fulltext


def mark_not_retrieved(*, review: Review, record: Record, note: str) -> None:
    """PRISMA's 'reports not retrieved'; the note says what was tried."""
    if not note.strip():
        raise RetrievalError(
            "Say what was tried (e.g. library request refused, author did not reply)."
        )
    # Only a report nobody has assessed: one with decisions or the lead's outcome was read, and
    # counting it as not retrieved too would count it twice. The condition is in the UPDATE, so
    # a decision made meanwhile cannot slip between a check and the write.
    unassessed = (
        sought_records(review)
        .filter(pk=record.pk, ft_count=0, ft_status=StageStatus.OPEN)
        .exclude(Exists(FullText.objects.filter(record=OuterRef("pk"))))
    )
    if not unassessed.update(retrieval="not_retrieved", retrieval_note=note):
        if sought_records(review).filter(pk=record.pk).exists():
            raise RetrievalError(
                "This full text is attached or already has decisions: it was retrieved "
                "(remove a wrong file first)."
            )
        raise RetrievalError("Only records included at title/abstract are sought for full text.")


def reset_retrieval(*, review: Review, record: Record) -> None:
    """Back to 'not yet retrieved' (e.g. a copy turned up after all)."""
    if record.fulltexts.exists():
        sought_records(review).filter(pk=record.pk).update(retrieval="retrieved", retrieval_note="")
    else:
        sought_records(review).filter(pk=record.pk).update(retrieval="", retrieval_note="")


def _match_keys(record: Record) -> list[str]:
    return _keys(record.doi, record.pmid)


def _keys(doi: str, pmid: str) -> list[str]:
    """How a file may be named after a record: its PMID, its DOI with / and : kept or replaced."""
    keys = []
    if pmid:
        keys.append(pmid)
    if doi:
        doi = doi.lower()
        keys += [doi, re.sub(r"[/:]", "_", doi), re.sub(r"[/:]", "-", doi)]
    return keys


def _too_big(name: str, size: int) -> RetrievalError:
    mib = 1024 * 1024
    limit = settings.FULLTEXT_MAX_BYTES / mib
    return RetrievalError(
        f"{name}: {size / mib:.0f} MB is over the {limit:.0f} MB limit.",
        kind="too big",
        name=name,
    )


def _record_for(stem: str, index: dict[str, Record], elsewhere: set[str]) -> Record | None:
    """The sought record a file name is about: its DOI or PMID exactly, else the longest key
    inside the name (a browser's "10.1_ab123 (1).pdf" is 10.1/ab123, not 10.1/ab12); none if
    the name is exactly another record's key or nothing matches: the lead assigns it."""
    if stem in index:
        return index[stem]
    if stem in elsewhere:
        return None
    inside = [key for key in index if len(key) > 5 and key in stem]
    return index[max(inside, key=len)] if inside else None


def _spend(budget: int, size: int, name: str) -> int:
    if size > budget:
        raise RetrievalError(
            f"{name}: this upload comes to more than "
            f"{settings.FULLTEXT_BATCH_MAX_BYTES / 1024 / 1024:.0f} MB of files; "
            "send the PDFs in smaller batches."
        )
    return budget - size


def _files_in(uploads: list[UploadedFile]) -> Iterator[tuple[str, bytes | RetrievalError]]:
    """Each file of the upload (a zip's members one by one) as (name, bytes), or (name, why it
    was refused). At most one file is in memory at a time, none over FULLTEXT_MAX_BYTES, and the
    request unpacks to at most FULLTEXT_BATCH_MAX_BYTES: a small zip of zeros must not fill
    the memory or the disk."""
    limit, budget = settings.FULLTEXT_MAX_BYTES, settings.FULLTEXT_BATCH_MAX_BYTES
    for upload in uploads:
        if upload.size > max(limit, budget):
            yield upload.name, _too_big(upload.name, upload.size)
            continue
        with upload.open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                if upload.size > limit:
                    yield upload.name, _too_big(upload.name, upload.size)
                    continue
                budget = _spend(budget, upload.size, upload.name)
                handle.seek(0)
                yield upload.name, handle.read()
                continue
            handle.seek(0)
            try:
                archive = zipfile.ZipFile(handle)
            except zipfile.BadZipFile:
                yield (
                    upload.name,
                    RetrievalError(
                        f"{upload.name}: a damaged zip archive.",
                        kind="damaged zip",
                        name=upload.name,
                    ),
                )
                continue
            with archive:
                for member in archive.infolist():
                    if member.is_dir():
                        continue
                    name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
                    if name in ("", ".", ".."):
                        yield (
                            member.filename,
                            RetrievalError(
                                f"{upload.name}: '{member.filename}' is not a file name.",
                                kind="not a file name",
                                name=member.filename,
                            ),
                        )
                        continue
                    if member.file_size > limit:
                        yield name, _too_big(name, member.file_size)
                        continue
                    budget = _spend(budget, member.file_size, upload.name)
                    # Read no more than the member claims: a size that lies fails its CRC.
                    try:
                        with archive.open(member) as content:
                            data = content.read(limit + 1)
                    except (RuntimeError, NotImplementedError) as error:  # encrypted, deflate64
                        yield (
                            name,
                            RetrievalError(
                                f"{name}: cannot be unpacked here ({error}).",
                                kind="cannot be unpacked",
                                name=name,
                            ),
                        )
                        continue
                    if len(data) > limit:
                        yield name, _too_big(name, len(data))
                        continue
                    yield name, data


@dataclass
class BulkOutcome:
    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    # The refusals per kind (a zip of 20,000 web pages is one message, not 20,000).
    rejected_by_kind: dict[str, list[RetrievalError]] = field(default_factory=dict)

    def reject(self, error: RetrievalError) -> None:
        self.rejected.append(str(error))
        self.rejected_by_kind.setdefault(error.kind, []).append(error)

    def rejection_summary(self, names: int = 5) -> list[str]:
        """One line per kind of refusal: its message when alone, else how many and the first
        few names."""
        lines = []
        for kind, errors in self.rejected_by_kind.items():
            if len(errors) == 1:
                lines.append(str(errors[0]))
                continue
            shown = ", ".join(error.name or str(error) for error in errors[:names])
            more = f" and {len(errors) - names:,} more" if len(errors) > names else ""
            lines.append(f"{len(errors):,} files refused ({kind}): {shown}{more}.")
        return lines


@transaction.atomic
def bulk_attach(
    *, review: Review, uploads: list[UploadedFile], by: AbstractBaseUser
) -> BulkOutcome:
    """Many PDFs (or zips of them) matched to sought records by DOI or PMID in the file name."""
    index: dict[str, Record] = {}
    for record in sought_records(review).exclude(doi="", pmid=""):
        for key in _match_keys(record):
            index[key] = record
    # Keys of the review's records that are not sought: a file named exactly after one of
    # them is that record's, not a sought record whose key happens to be inside its name.
    identifiers = Record.objects.in_review(review).exclude(doi="", pmid="")
    elsewhere = {
        key
        for doi, pmid in identifiers.values_list("doi", "pmid").iterator(chunk_size=5000)
        for key in _keys(doi, pmid)
    } - set(index)
    outcome = BulkOutcome()
    stored: list[FullText] = []
    try:
        for name, data in _files_in(uploads):
            try:
                if isinstance(data, RetrievalError):
                    raise data
                _read_pdf(name, data)
            except RetrievalError as error:
                outcome.reject(error)
                continue
            record = _record_for(name.lower().removesuffix(".pdf"), index, elsewhere)
            stored.append(_store(review, record, name, data, FullText.Kind.REPORT, by))
            if record is None:
                outcome.unmatched.append(name)
            else:
                _mark_retrieved(record)
                outcome.matched.append(name)
    except Exception:
        # The rows roll back with the transaction; the files written so far must go with them.
        for fulltext in stored:
            fulltext.file.storage.delete(fulltext.file.name)
        raise
    return outcome


@transaction.atomic
def assign_fulltext(*, review: Review, fulltext: FullText, record: Record) -> None:
    """The lead gives an unmatched upload to its record."""
    if not sought_records(review).filter(pk=record.pk).exists():
        raise RetrievalError("Only records included at title/abstract are sought for full text.")
    fulltext.record = record
    fulltext.save(update_fields=["record"])
    _mark_retrieved(record)


@transaction.atomic
def remove_fulltext(*, review: Review, fulltext: FullText) -> None:
    """Take off a file or link attached to the wrong record (a bulk upload's misattribution);
    refused once the record has full-text decisions. Without files the record is sought again."""
    record = fulltext.record
    if record is not None:
        locked = Record.objects.select_for_update().get(pk=record.pk)
        if locked.ft_count or locked.ft_status:
            raise RetrievalError(
                f"Record #{record.number} already has full-text decisions on this text: undo them "
                "(or reopen) first."
            )
    name = fulltext.file.name if fulltext.file else ""
    fulltext.delete()
    if record is not None and not record.fulltexts.exists():
        Record.objects.filter(pk=record.pk, retrieval="retrieved").update(retrieval="")
    if name:
        transaction.on_commit(lambda: fulltext.file.storage.delete(name))
