"""What the sources page says about an upload (#17 items 7-10): once, refused with what the file
looks like, retry only where it could work, refused files apart, fields kept on a form error."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import ImportJob, Source
from screening.services.jobs import run_import

DATA = Path(__file__).resolve().parent.parent / "data"
PDF = (DATA / "tiny.pdf").read_bytes()


def _zip(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def upload(client, review, *files, **fields):
    data = {"name": "PsycINFO", "method": "database", "file_format": "auto", "files": list(files)}
    return client.post(
        reverse("screening:sources", kwargs={"slug": review.slug}), {**data, **fields}
    )


def sources_page(client, review) -> str:
    return client.get(reverse("screening:sources", kwargs={"slug": review.slug})).content.decode()


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        (
            "paper.pdf",
            PDF,
            "this is a PDF, not a search export: full texts are added on the full-text page.",
        ),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, "this is a JPEG image, not a search"),
        ("shot.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "this is a PNG image, not a search"),
        ("search.zip", _zip("psycinfo.ris"), "this is a ZIP archive: unpack it"),
        ("notes.docx", _zip("word/document.xml"), "this is a Word document (DOCX)"),
        ("empty.ris", b"", "the file is empty (0 bytes)"),
        ("export.ris", b"\n<!DOCTYPE html><html><body>Sign in</body></html>", "this is a web page"),
    ],
)
def test_a_file_that_is_not_a_search_export_is_refused_at_once_saying_what_it_is(
    client_for, lead, review, django_capture_on_commit_callbacks, name, content, says
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, review, SimpleUploadedFile(name, content))
    assert callbacks == []  # nothing queued: nobody waits for a worker to say no
    [(level, text)] = _messages(client.get(response["Location"]))
    assert level == "error"
    assert text.startswith(f"Refused: {name}: {says}")
    job = ImportJob.objects.get()
    assert (job.status, job.phase, job.upload.name) == ("failed", ImportJob.REFUSED, "")
    page = sources_page(client, review)
    assert 'data-testid="refused-job"' in page
    assert 'data-testid="job-retry"' not in page  # importing it again cannot work


def test_an_unreadable_export_gets_no_import_it_anyway(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, review, SimpleUploadedFile("notes.txt", b"just some notes\n"))
    job = ImportJob.objects.get()
    assert (job.status, job.phase) == ("failed", ImportJob.REFUSED)
    assert 'data-testid="job-retry"' not in sources_page(client, review)
    retry = reverse("screening:import-retry", kwargs={"slug": review.slug, "job_id": job.pk})
    [(level, text)] = _messages(client.post(retry, follow=True))
    assert level == "error" and "would be refused again" in text
    assert ImportJob.objects.count() == 1


def test_a_file_imported_before_is_offered_import_it_anyway(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    ris = (DATA / "small.ris").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, review, SimpleUploadedFile("a.ris", ris))
        upload(client, review, SimpleUploadedFile("again.ris", ris))
    refused = ImportJob.objects.get(status="failed")
    assert "already imported" in refused.message and refused.can_retry
    page = sources_page(client, review)
    assert page.count('data-testid="job-retry"') == 1


def test_refused_files_are_folded_apart_out_of_the_imports_and_the_search_log(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, review, SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"\0" * 9))
        upload(client, review, SimpleUploadedFile("notes.txt", b"just some notes\n"))
    page = sources_page(client, review)
    assert "No search results yet." in page  # refusals are not results
    assert '<details class="mb-4" data-testid="refused-files">' in page  # folded
    assert "Refused files (2)" in page
    assert 'data-testid="job"' not in page  # not among the imports
    assert not Source.objects.exists()


def test_a_lead_deletes_a_refused_file_and_its_stored_upload(
    client_for, lead, review, django_capture_on_commit_callbacks, settings
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, review, SimpleUploadedFile("notes.txt", b"just some notes\n"))
    client.get(reverse("screening:sources", kwargs={"slug": review.slug}))  # its message seen
    job = ImportJob.objects.get()
    stored = Path(settings.MEDIA_ROOT) / job.upload.name
    assert stored.exists()
    delete = reverse("screening:import-delete", kwargs={"slug": review.slug, "job_id": job.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete, follow=True)
    assert _messages(response) == [("info", "notes.txt: taken off the refused files.")]
    assert not ImportJob.objects.exists() and not stored.exists()
    assert "Refused files" not in response.content.decode()


def test_a_finished_import_cannot_be_deleted_as_refused(client_for, lead, review):
    job = ImportJob.objects.create(review=review, file_name="a.ris", status="done")
    delete = reverse("screening:import-delete", kwargs={"slug": review.slug, "job_id": job.pk})
    [(level, text)] = _messages(client_for(lead).post(delete, follow=True))
    assert (level, text) == ("error", "a.ris: only a refused file can be deleted.")
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_a_queued_import_that_fails_reloads_the_page_with_only_the_refusal(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, review, SimpleUploadedFile("notes.txt", b"just some notes\n"))
    assert _messages(client.get(response["Location"])) == [
        ("info", "notes.txt: queued for import; progress shows below.")
    ]
    job = ImportJob.objects.get()
    run_import(job.pk)  # the worker, later
    url = reverse("screening:import-job", kwargs={"slug": review.slug, "job_id": job.pk})
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    [(level, text)] = _messages(
        client.get(reverse("screening:sources", kwargs={"slug": review.slug}))
    )
    assert level == "error" and text.startswith("Refused: notes.txt: ")
    assert "queued" not in text


def test_a_form_error_keeps_every_field_and_says_to_choose_the_file_again(client_for, lead, review):
    client = client_for(lead)
    response = upload(
        client,
        review,
        SimpleUploadedFile("psycinfo.ris", (DATA / "small.ris").read_bytes()),
        name="",
        platform="Ovid",
        search_string="particip* AND exploit*",
        notes="Run by JS",
        searched_on="2024-03-01",
        method="register",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Ovid"' in body and "particip* AND exploit*</textarea>" in body
    assert "Run by JS</textarea>" in body and 'value="2024-03-01"' in body
    assert '<option value="register" selected>' in body
    assert "<strong>choose the file again</strong> (psycinfo.ris)" in body
    assert not ImportJob.objects.exists()
