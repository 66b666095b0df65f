"""Write one review, every carried table and every file it names, into a zip archive."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
import zipfile
from pathlib import Path
from typing import BinaryIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from reviewapp.models import Review

from . import FORMAT, VERSION, ArchiveError
from .graph import carried_fields, is_user, load_order, path_to_review

CHUNK = 2000


def _plain(value):
    # Full precision: DjangoJSONEncoder cuts datetimes to milliseconds, which is not lossless.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    raise TypeError(f"cannot archive a {type(value).__name__}")


def _dumps(row: dict) -> str:
    return json.dumps(row, default=_plain, ensure_ascii=False, separators=(",", ":"))


def rows_of(model: type[models.Model], review: Review) -> models.QuerySet:
    path = path_to_review(model)
    lookup = {"pk": review.pk} if path == "" else {path: review.pk}
    return model._default_manager.filter(**lookup).order_by("pk")


def write_archive(*, review: Review, handle: BinaryIO) -> dict[str, int]:
    """Write `review` as a zip to `handle` (a seekable binary file); rows written per table.
    One repeatable-read snapshot where the database offers it, so the tables agree."""
    counts: dict[str, int] = {}
    user_ids: set[int] = set()
    files: list[str] = []
    missing: list[str] = []
    outermost = not connection.in_atomic_block
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    with transaction.atomic(), zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for label in load_order():
            model = apps.get_model(label)
            counts[label] = _write_table(archive, model, review, usernames, user_ids, files)
        for name in files:
            try:
                with (
                    default_storage.open(name, "rb") as source,
                    archive.open(f"files/{name}", "w", force_zip64=True) as target,
                ):
                    while block := source.read(1 << 20):
                        target.write(block)
            except FileNotFoundError:
                missing.append(name)
        users = list(
            get_user_model()
            .objects.filter(pk__in=user_ids)
            .order_by("username")
            .values("username", "email", "first_name", "last_name")
        )
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "review": review.slug,
            "tables": list(load_order()),
            "counts": counts,
            "users": users,
            "files": sorted(set(files) - set(missing)),
            "missing_files": missing,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    return counts


def _write_table(archive, model, review, usernames, user_ids: set[int], files: list[str]) -> int:
    fields = carried_fields(model)
    names = [f.attname for f in fields]
    user_columns = [i for i, f in enumerate(fields) if f.is_relation and is_user(f.related_model)]
    file_columns = [i for i, f in enumerate(fields) if isinstance(f, models.FileField)]
    n = 0
    with archive.open(f"tables/{model._meta.label}.jsonl", "w", force_zip64=True) as out:
        for pk, *values in rows_of(model, review).values_list("pk", *names).iterator(CHUNK):
            for i in user_columns:
                if values[i] is not None:
                    user_ids.add(values[i])
                    values[i] = usernames[values[i]]
            files.extend(values[i] for i in file_columns if values[i])
            out.write(
                (
                    _dumps({"pk": pk, "fields": dict(zip(names, values, strict=True))}) + "\n"
                ).encode()
            )
            n += 1
    return n


def write_archive_file(*, review: Review, path: Path) -> dict[str, int]:
    """Write the archive under a temporary name and rename it whole (never half a file)."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        with temp.open("wb") as handle:
            counts = write_archive(review=review, handle=handle)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return counts


__all__ = ["ArchiveError", "rows_of", "write_archive", "write_archive_file"]
