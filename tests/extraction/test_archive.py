"""A whole review leaves as one archive and comes back, on another slug, without loss."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models

from extraction.archive import ArchiveError
from extraction.archive.graph import CARRIED, SKIPPED, load_order, review_scoped_labels
from extraction.archive.read import load_archive
from extraction.archive.write import rows_of, write_archive_file
from extraction.exports.kinds import KINDS
from extraction.models import ChartValue, ChartValueChange
from extraction.services.exports import write_export
from extraction.services.themes import add_quote, edit_quote, save_code
from reviewapp.models import CriteriaVersion, EligibilityCriterion, Review
from screening.models import (
    DuplicatePair,
    ExclusionRule,
    FullTextPage,
    RankingRun,
    Record,
    Resolution,
    Source,
    Study,
)
from screening.prisma import prisma_counts
from screening.services.fulltext import attach_pdf
from tests.factories import DuplicatePairFactory, QuestionFactory, ReasonFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = Path(__file__).parents[1] / "data" / "tiny.pdf"


@pytest.fixture
def full_review(review, lead, reviewer, known, charted):
    """The export fixtures plus a row in every other carried table."""
    version = CriteriaVersion.objects.create(review=review, number=9, created_by=lead, note="v9")
    EligibilityCriterion.objects.create(version=version, kind="include", number=1, text="CSE")
    run = RankingRun.objects.create(review=review, trigger="lead", requested_by=lead, model="lr")
    rule = ExclusionRule.objects.create(review=review, rule="rank<0.1", run=run, applied_by=lead)
    reason = ReasonFactory(review=review, label="Not about CSE")
    Resolution.objects.filter(review=review).update(rule=rule, reason=reason)
    pair = DuplicatePairFactory(keep=known["r1"], duplicate=known["r3"], status="duplicate")
    Record.objects.filter(pk=pair.duplicate_id).update(duplicate_of=pair.keep_id)
    pdf = SimpleUploadedFile("warrington.pdf", PDF.read_bytes())
    fulltext = attach_pdf(review=review, record=known["r1"], upload=pdf, kind="report", by=lead)
    FullTextPage.objects.create(fulltext=fulltext, number=1, text="young people led the sessions")
    value = ChartValue.objects.filter(chart__study__review=review).first()
    # A quote taken by selection: its offsets in the page's text come back too.
    ChartValue.objects.filter(pk=value.pk).update(
        quote="young people", location="p. 1", quote_char_start=0, quote_char_end=12
    )
    ChartValueChange.objects.create(value=value, changed_by=reviewer, old="UK", new="England")
    question = QuestionFactory(review=review, number=2, text="Which barriers?")
    parent = save_code(review=review, by=lead, code="B", label="Barriers", questions=[question])
    code = save_code(review=review, by=lead, code="B1", label="Trust", parent=parent)
    coded = add_quote(study=charted["a"], code=code, by=reviewer, quote="we were not believed")
    edit_quote(coded=coded, by=lead, code=parent, quote="we were not believed at all")
    return review


def _counts(review: Review) -> dict[str, int]:
    return {label: rows_of(apps.get_model(label), review).count() for label in load_order()}


# Exports name some rows by database id, which a new instance gives anew; the archive keeps
# each table's order, so an id is compared as its row's position within the review.
ID_COLUMNS = {
    "record_id": Record,
    "duplicate_of": Record,
    "report_ids": Record,
    "study_id": Study,
    "source_id": Source,
}


def _positions(review: Review) -> dict[type[models.Model], dict[str, str]]:
    return {
        model: {
            str(pk): f"#{n}"
            for n, pk in enumerate(
                model.objects.filter(review=review).order_by("pk").values_list("pk", flat=True)
            )
        }
        for model in set(ID_COLUMNS.values())
    }


def _ids_as_positions(kind: str, fmt: str, text: str, review: Review) -> str:
    where = _positions(review)
    if fmt != "csv":  # RIS names a record by its number, which the archive keeps
        return text
    rows = list(csv.reader(io.StringIO(text)))
    columns = {i: where[ID_COLUMNS[name]] for i, name in enumerate(rows[0]) if name in ID_COLUMNS}
    for row in rows[1:]:
        for i, ids in columns.items():
            row[i] = "; ".join(ids.get(part, part) for part in row[i].split("; "))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _export_checksums(review: Review) -> dict[str, str]:
    sums = {}
    for kind, formats in KINDS.items():
        for fmt, spec in formats.items():
            if spec.binary:
                continue  # XLSX zips carry their write time; the CSV of the same table is checked
            handle = io.StringIO()
            write_export(handle=handle, review=review, kind=kind, fmt=fmt)
            text = _ids_as_positions(kind, fmt, handle.getvalue(), review)
            sums[f"{kind}.{fmt}"] = hashlib.sha256(text.encode()).hexdigest()
    return sums


def test_every_table_with_a_path_to_a_review_is_carried_or_skipped_for_a_reason():
    assert review_scoped_labels() == CARRIED | set(SKIPPED)
    assert not CARRIED & set(SKIPPED)


def test_a_review_comes_back_with_equal_counts_prisma_and_exported_tables(full_review, tmp_path):
    counts = _counts(full_review)
    assert all(counts.values()), {label: n for label, n in counts.items() if not n}
    path = tmp_path / "review.zip"
    call_command("export", full_review.slug, "archive", "-o", str(path), stdout=io.StringIO())

    out = io.StringIO()
    call_command("import_review", str(path), "--slug", "copy", stdout=out)

    copy = Review.objects.get(slug="copy")
    assert "review 'copy' loaded" in out.getvalue()
    assert _counts(copy) == counts
    assert prisma_counts(copy) == prisma_counts(full_review)
    assert _export_checksums(copy) == _export_checksums(full_review)


def test_every_column_of_every_row_comes_back(full_review, tmp_path):
    path = tmp_path / "review.zip"
    write_archive_file(review=full_review, path=path)
    copy = load_archive(path=path, slug="copy").review
    for label in load_order():
        model = apps.get_model(label)
        assert _rows(model, copy) == _rows(model, full_review), label


def _rows(model: type[models.Model], review: Review) -> list[tuple]:
    """Each row's columns as people see them: keys followed to a stable value, not an id."""
    out = []
    for obj in rows_of(model, review):
        row = []
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name == "search":
                continue
            if f.name == "slug" and model is Review:
                continue
            value = getattr(obj, f.attname)
            if f.is_relation and value is not None:
                value = _identity(f.related_model._default_manager.get(pk=value))
            elif isinstance(f, models.FileField):
                value = obj.file.read() if value else b""
            row.append(value)
        out.append(tuple(row))
    return out


def _identity(obj: models.Model):
    # A row's own non-key columns name it across instances (users by username).
    if isinstance(obj, get_user_model()):
        return obj.username
    return tuple(
        getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.is_relation and not f.primary_key and f.name not in {"slug", "search", "file"}
    )


def test_the_full_texts_files_come_back_with_their_bytes(full_review, tmp_path):
    path = tmp_path / "review.zip"
    write_archive_file(review=full_review, path=path)
    copy = load_archive(path=path, slug="copy").review
    old, new = full_review.fulltexts.get(), copy.fulltexts.get()
    assert new.file.name != old.file.name  # two rows never share one stored file
    assert new.file.read() == old.file.read() == PDF.read_bytes()


def test_people_missing_here_get_inactive_accounts_without_a_password(full_review, tmp_path):
    path = tmp_path / "review.zip"
    write_archive_file(review=full_review, path=path)
    member = UserFactory(username="only-there")
    full_review.memberships.create(user=member, role="reviewer")
    write_archive_file(review=full_review, path=path)
    member.delete()

    result = load_archive(path=path, slug="copy")

    assert result.created_users == ["only-there"]
    created = get_user_model().objects.get(username="only-there")
    assert not created.is_active
    assert not created.has_usable_password()
    assert result.review.memberships.filter(user=created, role="reviewer").exists()


def test_a_failing_import_leaves_no_row_and_no_file(full_review, tmp_path, settings):
    path = tmp_path / "review.zip"
    write_archive_file(review=full_review, path=path)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tables/extraction.ChartValueChange.jsonl":
                data = b'{"pk": 1, "fields": {"no_such_column": 1}}\n'
            target.writestr(item, data)
    files_before = sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file())
    assert load_order()[-1] == "extraction.ChartValueChange"  # fails after the PDF is written
    assert len(files_before) == 1  # the PDF of the original
    reviews_before = Review.objects.count()

    with pytest.raises(CommandError, match="no column no_such_column"):
        call_command("import_review", str(broken), "--slug", "copy")

    assert Review.objects.count() == reviews_before
    assert DuplicatePair.objects.filter(review__slug="copy").count() == 0
    assert sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file()) == files_before


def test_an_existing_slug_is_refused_before_anything_is_written(full_review, tmp_path):
    path = tmp_path / "review.zip"
    write_archive_file(review=full_review, path=path)
    with pytest.raises(ArchiveError, match="exists here"):
        load_archive(path=path)


def test_a_file_that_is_not_an_archive_is_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a review archive"):
        call_command("import_review", str(path))
