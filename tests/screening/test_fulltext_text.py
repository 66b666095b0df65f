"""Text extraction of uploaded PDFs: once, per page, on commit; scans flagged; a backfill."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from screening.models import FullText, FullTextPage
from screening.pdftext import clean_page_text, page_texts
from screening.services.fulltext import attach_pdf
from tests.factories import RecordFactory, SourceFactory
from tests.pdfs import SCAN, known_pdf, make_pdf


@pytest.fixture
def sought(review):
    return RecordFactory(source=SourceFactory(review=review), ta_status="include")


def upload(client, review, record, data, name="study.pdf"):
    url = reverse("screening:fulltext-record", kwargs={"slug": review.slug, "record_id": record.pk})
    file = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(url, {"action": "upload", "file": file, "kind": "report"})


def test_page_texts_gives_each_page_its_own_text_with_hyphenation_kept_visible():
    texts = page_texts(known_pdf())
    assert len(texts) == 4
    assert (
        texts[1]
        == "Methods were agreed with the advisory group.\nYoung people chose the questions."
    )
    assert texts[2].startswith(
        "The findings show that participa-\ntion depends on trusted workers."
    )
    assert texts[3] == ""


def test_clean_page_text_drops_nul_and_carriage_returns():
    assert clean_page_text("a\x00b\r\nc\ufffed") == "ab\nc-\nd"


def test_upload_extracts_the_text_per_page_once_committed(
    client_for, review, sought, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(client_for(reviewer), review, sought, known_pdf())
    assert len(callbacks) == 1
    fulltext = FullText.objects.get(record=sought)
    assert (fulltext.text_state, fulltext.page_count) == ("done", 4)
    pages = list(fulltext.pages.values_list("number", "text"))
    assert [number for number, _ in pages] == [1, 2, 3, 4]
    assert "Young people chose the questions." in pages[1][1]
    assert pages[3][1] == ""


def test_a_scan_without_text_is_flagged_on_its_reader_and_in_the_full_text_list(
    client_for, review, sought, reviewer, django_capture_on_commit_callbacks
):
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, review, sought, make_pdf([SCAN, SCAN]), name="scan.pdf")
    fulltext = FullText.objects.get(record=sought)
    assert (fulltext.text_state, fulltext.page_count) == ("no_text", 2)
    listing = client.get(reverse("screening:fulltexts", kwargs={"slug": review.slug}))
    assert f'data-testid="no-text-{fulltext.pk}"' in listing.content.decode()
    read = client.get(
        reverse("screening:fulltext-read", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk})
    )
    assert "no text: quotes cannot be checked" in read.content.decode()


def test_a_pdf_pdfium_cannot_open_is_marked_failed_and_keeps_no_pages(
    review, sought, lead, django_capture_on_commit_callbacks
):
    broken = b"%PDF-1.4\nnot really a pdf\n%%EOF\n"
    with django_capture_on_commit_callbacks(execute=True):
        attach_pdf(
            review=review, record=sought, upload=SimpleUploadedFile("x.pdf", broken),
            kind="report", by=lead,
        )  # fmt: skip
    fulltext = FullText.objects.get(record=sought)
    assert fulltext.text_state == "failed"
    assert not FullTextPage.objects.filter(fulltext=fulltext).exists()


def test_backfill_extracts_the_full_texts_stored_before_and_skips_done_ones(review, sought, lead):
    # Without on-commit callbacks run (the test's transaction never commits), nothing extracts.
    fulltext = attach_pdf(
        review=review, record=sought, upload=SimpleUploadedFile("a.pdf", known_pdf()),
        kind="report", by=lead,
    )  # fmt: skip
    assert FullText.objects.get(pk=fulltext.pk).text_state == ""
    out = io.StringIO()
    call_command("extract_texts", review.slug, stdout=out)
    assert out.getvalue().strip() == (
        "1 PDF(s) read: 1 with text, 0 without text (scans), 0 unreadable"
    )
    assert FullTextPage.objects.filter(fulltext=fulltext).count() == 4
    out = io.StringIO()
    call_command("extract_texts", stdout=out)
    assert out.getvalue().startswith("0 PDF(s) read")
    call_command("extract_texts", "--again", stdout=io.StringIO())
    assert FullTextPage.objects.filter(fulltext=fulltext).count() == 4


def test_reader_page_is_404_for_an_outsider_and_shows_the_reader_to_a_viewer(
    client_for, review, sought, lead, viewer, outsider
):
    fulltext = attach_pdf(
        review=review, record=sought, upload=SimpleUploadedFile("a.pdf", known_pdf()),
        kind="report", by=lead,
    )  # fmt: skip
    url = reverse(
        "screening:fulltext-read", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )
    assert client_for(outsider).get(url).status_code == 404
    body = client_for(viewer).get(url).content.decode()
    assert 'data-testid="reader"' in body
    assert f"/full-texts/{fulltext.pk}/file/" in body
