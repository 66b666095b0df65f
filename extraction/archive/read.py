"""Load an archive into this instance as a new review: all of it in one transaction, or nothing.

Rows get new keys; every foreign key is remapped through the keys given to the rows it points
at, people are matched by username. A person the archive names who has no account here gets an
inactive account with an unusable password (listed in the result), so decisions keep their
author and nobody can log in as them until an administrator activates and sets a password.
"""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import models, transaction

from reviewapp.models import Review

from . import FORMAT, VERSION, ArchiveError
from .graph import REVIEW, carried_fields, is_user, load_order

BATCH = 500


@dataclass
class LoadResult:
    review: Review
    counts: dict[str, int]
    created_users: list[str] = field(default_factory=list)


@dataclass
class _Load:
    archive: zipfile.ZipFile
    users: dict[str, int]
    keys: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    # (table, attname) -> [(new pk, old target pk)]: nullable keys set once every row exists.
    later: dict[tuple[str, str], list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    written: list[str] = field(default_factory=list)


def load_archive(*, path: Path, slug: str | None = None) -> LoadResult:
    """Load the archive at `path` as a new review (under `slug` if given)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise ArchiveError(f"{path}: not a review archive ({error})") from error
    with archive:
        manifest = _manifest(archive)
        slug = slug or manifest["review"]
        if Review.objects.filter(slug=slug).exists():
            raise ArchiveError(f"A review called '{slug}' exists here: choose another with --slug.")
        load = _Load(archive=archive, users={})
        try:
            with transaction.atomic():
                created = _ensure_users(manifest["users"], load)
                counts = {label: _load_table(load, label, slug) for label in manifest["tables"]}
                _set_later_keys(load)
                review = Review.objects.get(pk=load.keys[REVIEW][_only(load.keys[REVIEW])])
                _reindex(review)
        except BaseException:
            for name in load.written:  # nothing committed: no file may stay behind either
                default_storage.delete(name)
            raise
    return LoadResult(review=review, counts=counts, created_users=created)


def _only(keys: dict[int, int]) -> int:
    if len(keys) != 1:
        raise ArchiveError(f"An archive holds one review, this one {len(keys)}.")
    return next(iter(keys))


def _manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise ArchiveError(f"not a review archive: no readable manifest.json ({error})") from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ArchiveError(
            f"not a review archive of version {VERSION} "
            f"(format {manifest.get('format')!r}, version {manifest.get('version')!r})"
        )
    unknown = [label for label in manifest["tables"] if label not in load_order()]
    if unknown:
        raise ArchiveError(f"this instance has no table for {', '.join(unknown)}: upgrade it first")
    return manifest


def _ensure_users(people: list[dict], load: _Load) -> list[str]:
    User = get_user_model()
    names = [person["username"] for person in people]
    load.users = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    created = []
    for person in people:
        if person["username"] not in load.users:
            user = User(**person, is_active=False)
            user.set_unusable_password()
            user.save()
            load.users[user.username] = user.pk
            created.append(user.username)
    return created


def _load_table(load: _Load, label: str, slug: str) -> int:
    model = apps.get_model(label)
    fields = {f.attname: f for f in carried_fields(model)}
    batch: list[tuple[int, models.Model]] = []
    n = 0
    with _keeping_timestamps(model), load.archive.open(f"tables/{label}.jsonl") as lines:
        for line in lines:
            row = json.loads(line)
            extra = set(row["fields"]) - set(fields)
            if extra:
                raise ArchiveError(f"{label}: this instance has no column {', '.join(extra)}")
            if label == REVIEW:
                row["fields"]["slug"] = slug
            obj = model(
                **{
                    name: _value(load, label, row["pk"], fields[name], raw)
                    for name, raw in row["fields"].items()
                }
            )
            batch.append((row["pk"], obj))
            n += 1
            if len(batch) >= BATCH:
                _insert(load, model, batch)
        _insert(load, model, batch)
    return n


def _value(load: _Load, label: str, pk: int, f: models.Field, raw):
    if raw is None:
        return None
    if f.is_relation:
        target = f.related_model
        if is_user(target):
            return load.users[raw]
        target_label = target._meta.label
        if target_label in load.keys and target_label != label and raw in load.keys[target_label]:
            return load.keys[target_label][raw]
        if target_label == label or target_label not in load.keys:
            if not f.null:
                raise ArchiveError(f"{label}.{f.name}: points at a row loaded later")
            load.later[(label, f.attname)].append((pk, raw))
            return None
        raise ArchiveError(f"{label} {pk}: {f.name} points at a row not in the archive")
    if isinstance(f, models.FileField):
        return _restore_file(load, raw)
    return f.to_python(raw)


def _restore_file(load: _Load, name: str) -> str:
    try:
        source = load.archive.open(f"files/{name}")
    except KeyError:
        return name  # missing on the old instance too (listed in its manifest): keep the name
    with source:
        saved = default_storage.save(name, File(source, name=Path(name).name))
    load.written.append(saved)
    return saved


def _insert(load: _Load, model: type[models.Model], batch: list[tuple[int, models.Model]]):
    if not batch:
        return
    model._default_manager.bulk_create([obj for _, obj in batch])
    keys = load.keys[model._meta.label]
    for old, obj in batch:
        keys[old] = obj.pk
    # The later pass maps old keys of this table's own rows to their new keys.
    batch.clear()


def _set_later_keys(load: _Load) -> None:
    for (label, attname), pairs in load.later.items():
        model = apps.get_model(label)
        target = model._meta.get_field(attname.removesuffix("_id")).related_model._meta.label
        objs = []
        for old_pk, old_target in pairs:
            obj = model(pk=load.keys[label][old_pk])
            try:
                setattr(obj, attname, load.keys[target][old_target])
            except KeyError as error:
                raise ArchiveError(
                    f"{label}.{attname}: points at a row not in the archive"
                ) from error
            objs.append(obj)
        model._default_manager.bulk_update(objs, [attname], batch_size=BATCH)


@contextlib.contextmanager
def _keeping_timestamps(model: type[models.Model]):
    # auto_now(_add) would stamp every row with today; the archive's times are the record.
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _reindex(review: Review) -> None:
    from screening.models import FullTextPage
    from screening.services.texts import index_pages

    index_pages(FullTextPage.objects.filter(fulltext__review=review))
