"""Uploads through HTTP, the search log, import jobs, records list and record page."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import DuplicatePair, ImportJob, Record, Source
from tests.factories import DuplicatePairFactory, RecordFactory, SourceFactory

DATA = Path(__file__).resolve().parent.parent / "data"


def upload(client, review, *files, **fields):
    data = {
        "name": "PsycINFO",
        "method": "database",
        "platform": "Ovid",
        "searched_on": "2016-04-01",
        "search_string": '"sexual exploitation" AND particip*',
        "file_format": "auto",
        "files": list(files),
        **fields,
    }
    return client.post(reverse("screening:sources", kwargs={"slug": review.slug}), data)


def ris(name: str, path: str = "small.ris") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / path).read_bytes(), content_type="text/plain")


def test_lead_uploads_two_files_and_sees_the_search_log(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, review, ris("a.ris"), ris("b.ris", "overlap.ris"))
    assert response.status_code == 302
    assert list(ImportJob.objects.values_list("status", flat=True)) == ["done", "done"]
    sources = Source.objects.order_by("file_name")
    assert [(s.file_name, s.record_count, s.platform) for s in sources] == [
        ("a.ris", 3, "Ovid"),
        ("b.ris", 2, "Ovid"),
    ]
    assert str(sources[0].searched_on) == "2016-04-01"
    page = client.get(response["Location"]).content.decode()
    assert "a.ris" in page
    assert "3 records imported; 0 hidden as duplicates" in page
    assert "2 records imported; 1 hidden as duplicates" in page


def test_a_bad_file_fails_its_job_with_the_reason_and_imports_nothing(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    bad = SimpleUploadedFile("notes.txt", b"just some notes, not a bibliography\n")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(lead), review, bad)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.message.startswith("notes.txt: ")
    assert not Record.objects.exists()
    fragment = client_for(lead).get(
        reverse("screening:import-job", kwargs={"slug": review.slug, "job_id": job.pk}),
        headers={"HX-Request": "true"},
    )
    assert "Refused" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_a_refused_import_can_be_retried_without_retyping_anything(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, review, ris("a.ris"))
        upload(client, review, ris("a.ris"))  # the same file again: refused
    refused = ImportJob.objects.order_by("pk").last()
    assert refused.status == "failed" and "already imported" in refused.message
    page = client.get(reverse("screening:sources", kwargs={"slug": review.slug})).content
    assert b'data-testid="job-retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:import-retry", kwargs={"slug": review.slug, "job_id": refused.pk})
        )
    assert response.status_code == 302
    again = ImportJob.objects.order_by("pk").last()
    assert (again.status, again.force) == ("done", True)
    source = Source.objects.order_by("pk").last()
    assert (source.name, source.platform, str(source.searched_on)) == (
        "PsycINFO",
        "Ovid",
        "2016-04-01",
    )
    # Once: a second click (or a double click) imports nothing more.
    page = client.get(reverse("screening:sources", kwargs={"slug": review.slug})).content
    assert b'data-testid="job-retry"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("screening:import-retry", kwargs={"slug": review.slug, "job_id": refused.pk})
        )
    assert Source.objects.count() == 2


def test_upload_without_a_source_name_says_what_is_missing(client_for, lead, review):
    response = upload(client_for(lead), review, ris("a.ris"), name="")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_without_a_file_says_so_and_starts_nothing(client_for, lead, review):
    response = upload(client_for(lead), review)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert "Import started" not in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused_by_the_form(client_for, lead, review, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("huge.ris", b"x" * (3 * 1024 * 1024), content_type="text/plain")
    response = upload(client_for(lead), review, big)
    assert response.status_code == 400
    assert "huge.ris: the file is 3 MB; the limit is 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_running_job_polls_and_a_finished_one_stops(client_for, lead, review):
    job = ImportJob.objects.create(review=review, file_name="x.ris", status="running", progress=40)
    url = reverse("screening:import-job", kwargs={"slug": review.slug, "job_id": job.pk})
    running = client_for(lead).get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert 'aria-valuenow="40"' in running
    ImportJob.objects.filter(pk=job.pk).update(status="done", message="3 records imported")
    done = client_for(lead).get(url, headers={"HX-Request": "true"})
    assert "every 1s" not in done.content.decode()


def test_records_list_filters_by_source_year_duplicates_and_text(client_for, viewer, review):
    psyc = SourceFactory(review=review, name="PsycINFO")
    scopus = SourceFactory(review=review, name="Scopus")
    a = RecordFactory(source=psyc, title="Voice and choice", year=2014)
    # Its abstract is fixed: a random one could contain "voice" and match the search below.
    b = RecordFactory(source=scopus, title="Peer support in care", year=2016, abstract="Peers.")
    c = RecordFactory(source=scopus, title="Voice and choice again", year=2016, duplicate_of=a)
    url = reverse("screening:records", kwargs={"slug": review.slug})
    client = client_for(viewer)

    def titles(**params):
        return {r.title for r in client.get(url, params).context["page"].object_list}

    assert titles() == {a.title, b.title, c.title}
    assert titles(source=scopus.pk) == {b.title, c.title}
    assert titles(year=2016) == {b.title, c.title}
    assert titles(duplicates="unique") == {a.title, b.title}
    assert titles(duplicates="duplicate") == {c.title}
    assert titles(q="VOICE") == {a.title, c.title}


def test_records_list_paginates(client_for, viewer, review):
    source = SourceFactory(review=review)
    RecordFactory.create_batch(55, source=source)
    url = reverse("screening:records", kwargs={"slug": review.slug})
    first = client_for(viewer).get(url)
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(client_for(viewer).get(url, {"page": 2}).context["page"].object_list) == 5


def test_record_page_shows_every_field_escaped(client_for, viewer, review):
    record = RecordFactory(
        source=SourceFactory(review=review),
        title="<script>alert(1)</script> Participation",
        doi="10.1/xyz",
        pmid="123456",
        keywords=["voice", "care"],
        raw={"TY": "JOUR", "N1": "a note only the raw record has"},
    )
    url = reverse("screening:record-detail", kwargs={"slug": review.slug, "record_id": record.pk})
    page = client_for(viewer).get(url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Participation" in page
    assert "10.1/xyz" in page
    assert "voice; care" in page
    assert "a note only the raw record has" in page


def test_a_record_of_another_review_is_404(client_for, lead, review, outsider):
    foreign = RecordFactory()  # in a review of its own
    url = reverse("screening:record-detail", kwargs={"slug": review.slug, "record_id": foreign.pk})
    assert client_for(lead).get(url).status_code == 404


def test_lead_decides_a_pair_by_htmx_and_gets_the_next_one(client_for, lead, review):
    source = SourceFactory(review=review)
    first = DuplicatePairFactory(
        keep=RecordFactory(source=source), duplicate=RecordFactory(source=source), score=90
    )
    second = DuplicatePairFactory(
        keep=RecordFactory(source=source), duplicate=RecordFactory(source=source), score=85
    )
    url = reverse("screening:duplicate-decide", kwargs={"slug": review.slug, "pair_id": first.pk})
    response = client_for(lead).post(
        url, {"decision": "duplicate", "from": "queue"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert f"#{second.duplicate.number}" in body
    assert 'data-key="y"' in body
    assert "<html" not in body
    first.refresh_from_db()
    assert first.status == "confirmed"
    assert Record.objects.get(pk=first.duplicate_id).duplicate_of_id == first.keep_id


def test_duplicates_page_shows_the_pending_pair_side_by_side(client_for, viewer, review):
    source = SourceFactory(review=review)
    pair = DuplicatePairFactory(
        keep=RecordFactory(source=source, title="Left title"),
        duplicate=RecordFactory(source=source, title="Right title"),
    )
    page = (
        client_for(viewer)
        .get(reverse("screening:duplicates", kwargs={"slug": review.slug}))
        .content.decode()
    )
    assert "Left title" in page and "Right title" in page
    assert 'data-key="y"' not in page  # a viewer sees the queue but cannot decide
    assert DuplicatePair.objects.get(pk=pair.pk).status == "pending"


def test_record_page_shows_the_whole_raw_record_after_an_import(client_for, viewer, review):
    from screening.services.imports import SourceFields, import_records

    import_records(
        review=review,
        data=(DATA / "small.ris").read_bytes(),
        file_name="small.ris",
        source_fields=SourceFields(name="PsycINFO"),
        by=None,
    )
    record = Record.objects.get(source_position=1)
    url = reverse("screening:record-detail", kwargs={"slug": review.slug, "record_id": record.pk})
    page = client_for(viewer).get(url).content.decode()
    # The stored raw keeps shared values once; the page rebuilds the export's own tags.
    assert "&quot;AB&quot;: [" in page
    assert "A study of how young people take part in decisions." in page
    assert "&quot;KW&quot;: [" in page


def test_a_job_whose_worker_died_is_run_again_and_a_running_one_is_not(lead, review):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from screening.services.imports import SourceFields
    from screening.services.jobs import run_import

    def job(started_minutes_ago: int) -> ImportJob:
        job = ImportJob(
            review=review,
            file_name="a.ris",
            source_fields=SourceFields(name="PsycINFO").as_json(),
            status="running",
            started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
            created_by=lead,
        )
        job.upload.save("a.ris", ContentFile((DATA / "small.ris").read_bytes()), save=True)
        return job

    running = job(started_minutes_ago=1)  # a redelivered task while it really runs
    run_import(running.pk)
    running.refresh_from_db()
    assert running.status == "running" and not Source.objects.exists()

    lost = job(started_minutes_ago=120)  # its worker died: the broker hands the task out again
    run_import(lost.pk)
    lost.refresh_from_db()
    assert lost.status == "done" and Source.objects.get().record_count == 3


def test_a_job_whose_worker_died_after_storing_is_finished_not_imported_again(lead, review):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from screening.models import DuplicatePair
    from screening.services.imports import SourceFields, import_records
    from screening.services.jobs import run_import

    import_records(  # an earlier search the new file overlaps
        review=review,
        data=(DATA / "small.ris").read_bytes(),
        file_name="small.ris",
        source_fields=SourceFields(name="PsycINFO"),
        by=lead,
    )
    job = ImportJob(
        review=review,
        file_name="overlap.ris",
        source_fields=SourceFields(name="Scopus").as_json(),
        status="running",
        started_at=timezone.now() - timedelta(hours=2),
        created_by=lead,
    )
    job.upload.save("overlap.ris", ContentFile((DATA / "overlap.ris").read_bytes()), save=True)
    # What the dead worker committed: the source and its records, noted on the job, no dedup.
    import_records(
        review=review,
        data=(DATA / "overlap.ris").read_bytes(),
        file_name="overlap.ris",
        source_fields=SourceFields(name="Scopus"),
        by=lead,
        dedup=False,
        on_stored=lambda source: ImportJob.objects.filter(pk=job.pk).update(source=source),
    )

    run_import(job.pk)  # the broker hands the task out again

    job.refresh_from_db()
    assert job.status == "done" and "finished after a worker stopped" in job.message
    assert Source.objects.filter(file_name="overlap.ris").count() == 1  # not imported twice
    assert DuplicatePair.objects.filter(review=review).exists()  # its dedup was finished


def test_the_import_summary_counts_records_hidden_not_pairs(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    # The same record four times in one export (a database that lists each indexing twice,
    # exported twice): 6 pairs, 3 records hidden.
    one = (DATA / "small.ris").read_text().split("ER  -")[0] + "ER  - \n\n"
    four = SimpleUploadedFile("four.ris", (one * 4).encode())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(lead), review, four)
    assert ImportJob.objects.get().message == (
        "4 records imported; 3 hidden as duplicates, 0 possible duplicate pairs to check."
    )
    assert Record.objects.filter(duplicate_of__isnull=False).count() == 3


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


# A real transaction: the job runs (eagerly, as with no broker) when the view's block commits,
# before the view writes its message, as it does on a single-process install.
@pytest.mark.django_db(transaction=True)
def test_a_refused_file_gets_one_message_with_the_reason_and_no_started_message(
    client_for, lead, review
):
    bad = SimpleUploadedFile("notes.txt", b"just some notes, not a bibliography\n")
    client = client_for(lead)
    response = upload(client, review, bad)
    [(level, text)] = _messages(client.get(response["Location"]))
    assert level == "error"
    assert text.startswith("Refused: notes.txt: the CSV file has no recognisable title")


@pytest.mark.django_db(transaction=True)
def test_an_import_done_at_once_says_done_once(client_for, lead, review):
    client = client_for(lead)
    done = upload(client, review, ris("a.ris"))
    assert _messages(client.get(done["Location"])) == [
        (
            "success",
            "a.ris: 3 records imported; 0 hidden as duplicates, 0 possible duplicate "
            "pairs to check.",
        )
    ]


def test_an_import_left_to_a_worker_says_queued(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = upload(client, review, ris("b.ris", "overlap.ris"))
    assert len(callbacks) == 1  # handed to the broker on commit; no worker has run it yet
    assert _messages(client.get(queued["Location"])) == [
        ("info", "b.ris: queued for import; progress shows below.")
    ]
