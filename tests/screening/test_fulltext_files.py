"""Uploaded full texts on disk and on the way out: a name of ours ending in .pdf (the uploader's
kept as data and offered as the download's name), and a bulk upload's refusals summed up."""

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import FullText
from screening.services.fulltext import attach_pdf, bulk_attach, download_name
from tests.factories import RecordFactory, SourceFactory

PDF = (Path(__file__).resolve().parent.parent / "data" / "tiny.pdf").read_bytes()


@pytest.fixture
def sought(review):
    return RecordFactory.create_batch(2, source=SourceFactory(review=review), ta_status="include")


@pytest.mark.parametrize("name", ["x.html", "x.svg", "../../evil.html", "report.PDF"])
def test_an_upload_is_stored_under_a_generated_pdf_name(review, sought, lead, name):
    upload = SimpleUploadedFile(name, PDF, content_type="text/html")
    fulltext = attach_pdf(review=review, record=sought[0], upload=upload, kind="report", by=lead)
    stored = Path(fulltext.file.name)
    assert stored.suffix == ".pdf"
    assert stored.parent.parts[0] == "fulltexts"
    assert Path(name).stem.lstrip(".") not in stored.name  # nothing of the uploader's name
    assert len(stored.stem) == 32  # a uuid4 hex: not guessable, not colliding
    assert fulltext.original_name == Path(name).name  # Django drops folders on upload
    assert Path(fulltext.file.path).read_bytes() == PDF


def test_a_bulk_upload_is_stored_under_generated_names_too(review, lead):
    outcome = bulk_attach(review=review, uploads=[SimpleUploadedFile("page.svg", PDF)], by=lead)
    assert outcome.unmatched == ["page.svg"]
    fulltext = FullText.objects.get()
    assert fulltext.file.name.endswith(".pdf") and "page" not in fulltext.file.name
    assert fulltext.original_name == "page.svg"


@pytest.mark.parametrize(
    ("original", "offered"),
    [
        ("paper.pdf", "paper.pdf"),
        ("x.html", "x.html.pdf"),
        ("a/b\\c.svg", "c.svg.pdf"),
        ('bad"\r\nname.pdf', 'bad"name.pdf'),
        ("", "fulltext.pdf"),
    ],
)
def test_the_download_name_is_the_uploaders_made_safe(original, offered):
    assert download_name(original) == offered


def test_the_pdf_is_offered_under_a_pdf_name_whatever_it_was_called(
    client_for, review, sought, lead
):
    upload = SimpleUploadedFile("x.html", PDF)
    fulltext = attach_pdf(review=review, record=sought[0], upload=upload, kind="report", by=lead)
    url = reverse(
        "screening:fulltext-file", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )
    response = client_for(lead).get(url)
    assert response["Content-Disposition"] == 'inline; filename="x.html.pdf"'
    assert response["Content-Type"] == "application/pdf"
    page = client_for(lead).get(reverse("screening:fulltexts", kwargs={"slug": review.slug}))
    assert "x.html" in page.content.decode()  # the list still shows what the uploader sent


def test_a_zip_of_thousands_of_non_pdfs_gives_one_message_per_kind(client_for, review, lead):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(20_000):
            zf.writestr(f"page{i}.html", b"<html></html>")
        zf.writestr("a/..", PDF)
        zf.writestr("real.pdf", PDF)
    upload = SimpleUploadedFile("site.zip", archive.getvalue(), content_type="application/zip")
    response = client_for(lead).post(
        reverse("screening:fulltexts-bulk", kwargs={"slug": review.slug}), {"files": [upload]}
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [
        "0 PDF(s) matched to records by DOI/PMID; 1 left for the lead to assign.",
        "20,000 files refused (not a PDF): page0.html, page1.html, page2.html, page3.html, "
        "page4.html and 19,995 more.",
        "site.zip: 'a/..' is not a file name.",
    ]
    assert FullText.objects.get().original_name == "real.pdf"
