"""Dedup marks sure pairs, queues likely ones, fills the kept record, and undoes cleanly."""

from screening.models import DuplicatePair, Record
from screening.prisma import prisma_counts
from screening.services.dedup import decide_pair, find_duplicates, unmark_record
from tests.factories import RecordFactory, SourceFactory


def test_same_doi_is_marked_and_the_kept_record_takes_the_missing_abstract(review):
    first = SourceFactory(review=review)
    second = SourceFactory(review=review, name="Scopus")
    keep = RecordFactory(source=first, doi="10.1/abc", abstract="", title="A study")
    dup = RecordFactory(source=second, doi="10.1/abc", abstract="The abstract.", title="A study")
    result = find_duplicates(review=review, new_source=second)
    assert (result.marked, result.pending) == (1, 0)
    dup.refresh_from_db()
    keep.refresh_from_db()
    assert dup.duplicate_of_id == keep.pk
    assert keep.abstract == "The abstract."
    assert prisma_counts(review)["removed_before_screening"]["duplicates"] == 1
    assert prisma_counts(review)["screened"] == 1


def test_unmarking_restores_the_record_its_fields_and_every_count(review):
    source = SourceFactory(review=review)
    keep = RecordFactory(source=source, doi="10.1/abc", abstract="")
    dup = RecordFactory(source=source, doi="10.1/abc", abstract="Only here.")
    before = prisma_counts(review)
    find_duplicates(review=review)
    assert prisma_counts(review) != before
    unmark_record(record=dup, by=None)
    dup.refresh_from_db()
    keep.refresh_from_db()
    assert dup.duplicate_of is None
    assert keep.abstract == ""
    assert prisma_counts(review) == before
    assert DuplicatePair.objects.get().status == "unmarked"


def test_a_second_run_does_not_reopen_decided_pairs(review):
    source = SourceFactory(review=review)
    RecordFactory(source=source, doi="10.1/abc")
    dup = RecordFactory(source=source, doi="10.1/abc")
    find_duplicates(review=review)
    unmark_record(record=dup, by=None)
    result = find_duplicates(review=review)
    assert (result.marked, result.pending) == (0, 0)
    assert Record.objects.get(pk=dup.pk).duplicate_of is None


def test_likely_pairs_wait_for_the_lead_who_confirms_or_rejects(review, lead):
    source = SourceFactory(review=review)
    keep = RecordFactory(
        source=source,
        title="Participation of sexually exploited young people in service design",
        authors=["Warrington, C."],
        year=2010,
        journal="Child Abuse Review",
    )
    dup = RecordFactory(
        source=source,
        title="Participation of sexually exploited young people in the design of services",
        authors=["Warrington, C."],
        year=2011,
        journal="Child Abuse Review",
    )
    find_duplicates(review=review)
    pair = DuplicatePair.objects.get()
    assert pair.status == "pending"
    assert 80 <= pair.score < 95
    assert Record.objects.get(pk=dup.pk).duplicate_of is None
    decide_pair(pair=pair, duplicate=True, by=lead)
    assert Record.objects.get(pk=dup.pk).duplicate_of_id == keep.pk
    decide_pair(pair=pair, duplicate=False, by=lead)
    pair.refresh_from_db()
    assert pair.status == "unmarked"
    assert pair.decided_by == lead
    assert Record.objects.get(pk=dup.pk).duplicate_of is None


def test_records_without_a_title_are_never_fuzzy_matched(review):
    source = SourceFactory(review=review)
    RecordFactory(source=source, title="", authors=["Smith, J."], year=2015, journal="X")
    RecordFactory(source=source, title="", authors=["Smith, J."], year=2015, journal="X")
    result = find_duplicates(review=review)
    assert result.candidates == 0


def test_a_chain_of_duplicates_points_at_the_earliest_record(review):
    source = SourceFactory(review=review)
    a = RecordFactory(source=source, doi="10.1/x", pmid="")
    b = RecordFactory(source=source, doi="10.1/x", pmid="123")
    c = RecordFactory(source=source, doi="", pmid="123")
    find_duplicates(review=review)
    assert {r.pk: r.duplicate_of_id for r in Record.objects.all()} == {
        a.pk: None,
        b.pk: a.pk,
        c.pk: a.pk,
    }


def test_four_copies_of_one_record_count_as_three_hidden_not_six_pairs(review):
    source = SourceFactory(review=review)
    copies = [RecordFactory(source=source, doi="10.1/same", title="One study") for _ in range(4)]
    result = find_duplicates(review=review)
    assert (result.marked, result.hidden) == (6, 3)
    assert Record.objects.filter(pk__in=[c.pk for c in copies], duplicate_of=None).count() == 1
