"""Record numbers: 1, 2, 3 … within a review in import order, what people see and type."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from extraction.services.exports import write_export
from screening.models import Record
from screening.services.imports import ImportRejected, SourceFields, import_records
from tests.factories import ReviewFactory

DATA = Path(__file__).resolve().parent.parent / "data"


def _import(review, name: str, **kwargs):
    return import_records(
        review=review,
        data=(DATA / name).read_bytes(),
        file_name=name,
        source_fields=SourceFields(name="PsycINFO"),
        by=None,
        dedup=False,
        **kwargs,
    )


def _numbers(review) -> list[tuple[str, int, int]]:
    rows = Record.objects.filter(review=review).order_by("number")
    return [(r.source.file_name, r.source_position, r.number) for r in rows]


def test_imports_number_records_on_from_the_last_number_of_the_review(review):
    _import(review, "small.ris")
    _import(review, "overlap.ris")
    assert _numbers(review) == [
        ("small.ris", 1, 1),
        ("small.ris", 2, 2),
        ("small.ris", 3, 3),
        ("overlap.ris", 1, 4),
        ("overlap.ris", 2, 5),
    ]


def test_each_review_numbers_its_own_records_from_one(review):
    other = ReviewFactory(slug="other")
    _import(other, "small.ris")
    _import(review, "overlap.ris")
    assert [n for *_, n in _numbers(review)] == [1, 2]
    assert [n for *_, n in _numbers(other)] == [1, 2, 3]


def test_a_refused_import_uses_no_numbers(review):
    _import(review, "small.ris")
    broken = b"TY  - JOUR\nTI  - Fine\nER  - \n\nTI  - no type line\nER  - \n"
    with pytest.raises(ImportRejected):
        import_records(
            review=review,
            data=broken,
            file_name="broken.ris",
            source_fields=SourceFields(name="Scopus"),
            by=None,
            dedup=False,
        )
    _import(review, "overlap.ris")
    assert [n for *_, n in _numbers(review)] == [1, 2, 3, 4, 5]


def test_the_migration_numbers_existing_records_per_review_in_id_order(transactional_db):
    executor = MigrationExecutor(connection)
    before = [("screening", "0011_import_job_started_at")]
    after = [("screening", "0013_record_number_within_review")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Review = apps.get_model("reviewapp", "Review")
    Source = apps.get_model("screening", "Source")
    OldRecord = apps.get_model("screening", "Record")
    first, second = (
        Review.objects.create(slug="a", title="A"),
        Review.objects.create(slug="b", title="B"),
    )
    ids = []
    for i, review in enumerate([first, second, first, first, second]):
        source = Source.objects.create(review=review, name="S")
        ids.append(OldRecord.objects.create(review=review, source=source, source_position=i).pk)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    numbers = dict(Record.objects.filter(pk__in=ids).values_list("pk", "number"))
    assert [numbers[pk] for pk in ids] == [1, 1, 2, 3, 2]


@pytest.fixture
def numbered(review):
    """Three records of the review whose ids are not their numbers (another review came first)."""
    _import(ReviewFactory(slug="earlier"), "small.ris")
    _import(review, "small.ris")
    records = list(Record.objects.filter(review=review).order_by("number"))
    assert [r.number for r in records] == [1, 2, 3]
    assert records[0].pk != 1
    return records


def test_pages_show_the_number_not_the_id(client_for, review, lead, numbered):
    client = client_for(lead)
    second = numbered[1]
    listing = client.get(reverse("screening:records", kwargs={"slug": review.slug})).content
    cells = re.findall(rb'<td class="text-muted small">([^<]*)</td>', listing)
    assert cells == [b"#1", b"#2", b"#3"]
    detail = client.get(
        reverse("screening:record-detail", kwargs={"slug": review.slug, "record_id": second.pk})
    ).content.decode()
    assert "<title>Record #2 ·" in detail
    assert f"Record {second.pk} " not in detail


def test_the_records_search_finds_a_record_by_its_number(client_for, review, lead, numbered):
    url = reverse("screening:records", kwargs={"slug": review.slug})
    body = client_for(lead).get(url, {"q": "#3"}).content
    assert re.findall(rb'<td class="text-muted small">([^<]*)</td>', body) == [b"#3"]


def test_record_parameter_is_the_number(client_for, review, reviewer, numbered):
    url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
    body = client_for(reviewer).get(url, {"record": "3"}).content.decode()
    assert f'data-record="{numbered[2].pk}"' in body
    assert '<span class="small text-muted me-1" data-testid="record-number">#3</span>' in body


def test_the_records_export_has_the_number_beside_the_id(review, lead, numbered):
    buffer = io.StringIO()
    write_export(handle=buffer, review=review, kind="records", fmt="csv", user=lead, options={})
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [(r["record_id"], r["record_number"]) for r in rows] == [
        (str(r.pk), str(r.number)) for r in numbered
    ]
