"""Issue 13 items 9, 10 and 14 through the web upload and the command line: what the parser
notes (a header found below line 1, BibTeX entries skipped) reaches the person importing, and
duplicates are counted as the records hidden, not the pairs found.
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from screening.models import DuplicatePair, ImportJob, Record, Source
from tests.factories import RecordFactory, SourceFactory

from .test_sources_views import upload

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = DATA / "importers"


def _upload(client, review, name: str, capture) -> ImportJob:
    file = SimpleUploadedFile(name, (SAMPLES / name).read_bytes())
    with capture(execute=True):
        upload(client, review, file)
    return ImportJob.objects.get(file_name=name)


def test_an_embase_csv_uploaded_says_where_its_header_was(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    # Embase's CSV export, with its "SEARCH QUERY" block above the header.
    job = _upload(
        client_for(lead), review, "embase_search_query.csv", django_capture_on_commit_callbacks
    )
    assert job.status == "done"
    assert job.message == (
        "2 records imported; 0 hidden as duplicates, 0 possible duplicate pairs to check. "
        "Note: header found on line 5, not line 1: the lines above it (a title or a search "
        "query) were skipped."
    )
    assert sorted(Record.objects.values_list("title", flat=True)) == [
        "Café staff and réviews",
        "Screening in pairs: a scoping review",
    ]


def test_a_bibtex_library_with_sets_uploaded_imports_the_good_entries_and_says_which_went(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    # A biblatex library (JabRef / Zotero) with a @set, an @xdata block and a crossref stub.
    job = _upload(
        client_for(lead), review, "content_less_entries.bib", django_capture_on_commit_callbacks
    )
    assert job.status == "done"
    assert job.message.startswith("3 records imported;")
    assert job.message.endswith(
        " Note: 3 BibTeX entries skipped (no title, abstract, authors, DOI, PMID or URL: sets "
        "or cross-references only?): @set{set1}, @xdata{pubdata}, @inproceedings{stub2021}."
    )
    assert Source.objects.get().record_count == 3


def test_the_command_line_prints_the_notes(review, capsys):
    # Embase's XLSX export: the search query block in the first rows of the sheet.
    call_command(
        "import_records", review.slug, str(SAMPLES / "embase_search_query.xlsx"), "--source", "E"
    )
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "embase_search_query.xlsx: 2 records (xlsx); 0 hidden as duplicates, 0 pairs to check",
        "embase_search_query.xlsx: note: header found on row 4, not row 1: the rows above it "
        "(a title or a search query) were skipped",
    ]


def test_the_command_line_counts_four_copies_as_three_hidden_not_six_pairs(
    review, tmp_path, capsys
):
    # The same record four times in one export (a database listing a record under each of its
    # indexings, exported twice): six sure pairs, three records hidden.
    one = (DATA / "small.ris").read_text().split("ER  -")[0] + "ER  - \n\n"
    four = tmp_path / "four.ris"
    four.write_text(one * 4)
    call_command("import_records", review.slug, str(four), "--source", "X")
    assert capsys.readouterr().out.splitlines() == [
        "four.ris: 4 records (ris); 3 hidden as duplicates, 0 pairs to check"
    ]
    assert Record.objects.filter(duplicate_of__isnull=False).count() == 3
    call_command("find_duplicates", review.slug)  # again: nothing new to hide
    assert capsys.readouterr().out.startswith("0 records hidden as duplicates")


def test_checking_the_whole_review_counts_records_hidden_not_pairs(client_for, lead, review):
    # Four copies of one record already in the review (imported before dedup ran, or from a
    # database that lists a record twice): the check hides three, from six pairs.
    source = SourceFactory(review=review)
    for _ in range(4):
        RecordFactory(source=source, title="One study four times", doi="10.1000/four")
    client = client_for(lead)
    response = client.post(reverse("screening:duplicates-run", kwargs={"slug": review.slug}))
    assert [m.message for m in client.get(response["Location"]).context["messages"]] == [
        "Duplicate check done: 3 records hidden as duplicates, 0 pairs waiting for you."
    ]
    assert DuplicatePair.objects.filter(review=review).count() == 6
