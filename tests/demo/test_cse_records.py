"""The CSE demo review comes with made-up records to screen (issue 17, item 14)."""

import pytest
from django.core.management import call_command

from demo.cse_records import SOURCE_NOTE, demo_pdf, made_up_records
from reviewapp.models import Review
from reviewapp.services import create_review
from screening.models import Decision, FullText, Record
from tests.factories import UserFactory


def counts() -> list[int]:
    return [m.objects.count() for m in (Record, Decision, FullText)]


@pytest.mark.django_db
def test_the_demo_review_has_hundreds_of_records_some_screened_some_in_conflict(client):
    call_command("seed_demo")
    review = Review.objects.get(slug="cse-participation")
    records = Record.objects.filter(review=review)
    unique = records.filter(duplicate_of__isnull=True)
    assert records.count() >= 400
    assert unique.count() >= 350
    assert records.filter(duplicate_of__isnull=False).count() >= 20  # the overlap dedup found
    assert len(set(unique.values_list("title", flat=True))) >= 0.9 * unique.count()  # variety
    on_topic = unique.filter(abstract__icontains="sexual exploitation").count()
    assert 0.4 * unique.count() < on_topic < 0.9 * unique.count()  # a search brings noise too
    assert not records.exclude(doi="").exists() and not records.exclude(pmid="").exists()
    assert set(review.sources.values_list("notes", flat=True)) == {SOURCE_NOTE}
    # Conflicts between reviewer1 and reviewer2 for the lead, and most of the queue still open.
    conflicts = unique.filter(ta_status="conflict")
    assert conflicts.count() >= 5
    for record in conflicts:
        votes = dict(record.decisions.values_list("reviewer__username", "value"))
        assert set(votes) == {"reviewer1", "reviewer2"} and len(set(votes.values())) == 2
    assert unique.filter(ta_status="").count() >= 300
    # A handful at full text, with PDFs the app accepts; one not retrieved.
    retrieved = unique.filter(retrieval="retrieved")
    assert retrieved.count() >= 5
    for fulltext in FullText.objects.filter(record__in=retrieved):
        data = fulltext.file.read()
        assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert unique.filter(retrieval="not_retrieved").count() == 1
    assert unique.filter(ft_status="conflict").count() == 1
    # The terms are highlighted on the screening page.
    assert "particip*" in review.include_terms and "adult*" in review.exclude_terms
    client.login(username="reviewer1", password="review-demo")
    page = client.get("/reviews/cse-participation/screen/title-abstract/").content.decode()
    assert 'data-testid="done"' not in page
    assert "<mark class=" in page


@pytest.mark.django_db
def test_seeding_again_adds_no_records():
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before


@pytest.mark.django_db
def test_a_review_that_exists_already_never_gets_made_up_records():
    # A team's own review under the demo's name (or one whose demo records the lead deleted).
    create_review(owner=UserFactory(username="lead"), slug="cse-participation", title="Ours")
    call_command("seed_demo")
    assert not Record.objects.filter(review__slug="cse-participation").exists()
    assert Review.objects.get(slug="cse-participation").title == "Ours"


def test_the_records_are_the_same_every_time():
    import random

    first = made_up_records(50, random.Random(1))
    again = made_up_records(50, random.Random(1))
    assert [r.title for r in first] == [r.title for r in again]
    assert all(r.title and r.abstract and r.authors and r.year for r in first)


def test_a_demo_pdf_is_a_well_formed_pdf():
    data = demo_pdf("A (title) with \\ odd characters", ["line one", "line two"])
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n0 6\n")
    assert b"A \\(title\\) with \\\\ odd characters" in data
