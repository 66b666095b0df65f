"""Full text: retrieval states, checked PDFs behind access checks, decisions with reasons,
reason conflicts, reports linked to studies, and the PRISMA counts that follow."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import FullText, Record
from screening.prisma import prisma_counts
from screening.services.decisions import ScreeningError, record_decision, resolve_record
from screening.services.fulltext import (
    RetrievalError,
    attach_pdf,
    attach_url,
    bulk_attach,
    mark_not_retrieved,
)
from screening.services.studies import link_reports
from tests.factories import MembershipFactory, ReasonFactory, RecordFactory, SourceFactory

PDF = (Path(__file__).resolve().parent.parent / "data" / "tiny.pdf").read_bytes()
FT = "full_text"


def pdf(name="paper.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def sought(review):
    source = SourceFactory(review=review)
    return RecordFactory.create_batch(4, source=source, ta_status="include")


def retrieve(review, record, user):
    return attach_pdf(review=review, record=record, upload=pdf(), kind="report", by=user)


def decide(review, record, user, value, **kwargs):
    return record_decision(
        review=review, record_id=record.pk, stage=FT, reviewer=user, value=value, **kwargs
    )


def test_retrieval_states_and_prisma_counts(client_for, review, sought, lead):
    client = client_for(lead)
    url = reverse(
        "screening:fulltext-record", kwargs={"slug": review.slug, "record_id": sought[0].pk}
    )
    client.post(url, {"action": "upload", "file": pdf(), "kind": "report"})
    url = reverse(
        "screening:fulltext-record", kwargs={"slug": review.slug, "record_id": sought[1].pk}
    )
    client.post(url, {"action": "not_retrieved", "note": "library request refused"})
    url = reverse(
        "screening:fulltext-record", kwargs={"slug": review.slug, "record_id": sought[2].pk}
    )
    client.post(url, {"action": "url", "url": "https://example.org/report"})
    states = dict(Record.objects.values_list("pk", "retrieval"))
    assert [states[r.pk] for r in sought] == ["retrieved", "not_retrieved", "retrieved", ""]
    counts = prisma_counts(review)
    assert (counts["sought"], counts["not_retrieved"], counts["assessed"]) == (4, 1, 0)
    assert counts["awaiting"]["full_text"] == 3
    page = client.get(
        reverse("screening:fulltexts", kwargs={"slug": review.slug}), {"retrieval": "not_retrieved"}
    )
    assert "library request refused" in page.content.decode()


def test_not_retrieved_needs_a_note(review, sought, lead, client_for):
    url = reverse(
        "screening:fulltext-record", kwargs={"slug": review.slug, "record_id": sought[0].pk}
    )
    response = client_for(lead).post(url, {"action": "not_retrieved", "note": ""}, follow=True)
    assert "Say what was tried" in response.content.decode()
    assert Record.objects.get(pk=sought[0].pk).retrieval == ""


def test_a_text_file_renamed_pdf_is_rejected(review, sought, lead):
    fake = SimpleUploadedFile("paper.pdf", b"Just some text pretending to be a PDF")
    with pytest.raises(RetrievalError, match=r"paper\.pdf: not a PDF"):
        attach_pdf(review=review, record=sought[0], upload=fake, kind="report", by=lead)
    assert not FullText.objects.exists()
    assert Record.objects.get(pk=sought[0].pk).retrieval == ""


def test_a_pdf_over_the_size_limit_is_rejected(review, sought, lead, settings):
    settings.FULLTEXT_MAX_BYTES = 100
    with pytest.raises(RetrievalError, match="over the"):
        retrieve(review, sought[0], lead)


def test_the_pdf_is_served_inline_to_members_only(
    client_for, review, sought, lead, viewer, outsider
):
    fulltext = retrieve(review, sought[0], lead)
    url = reverse(
        "screening:fulltext-file", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )
    response = client_for(viewer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF
    assert client_for(outsider).get(url).status_code == 404


def test_a_viewer_of_another_review_gets_404_for_a_pdf(client_for, review, sought, lead):
    fulltext = retrieve(review, sought[0], lead)
    other_viewer = MembershipFactory(role="viewer").user
    url = reverse(
        "screening:fulltext-file", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )
    assert client_for(other_viewer).get(url).status_code == 404
    own = reverse(
        "screening:fulltext-file",
        kwargs={"slug": other_viewer.memberships.get().review.slug, "fulltext_id": fulltext.pk},
    )
    assert client_for(other_viewer).get(own).status_code == 404


def test_there_is_no_public_media_url(client, review, sought, lead):
    fulltext = retrieve(review, sought[0], lead)
    assert client.get(f"/media/{fulltext.file.name}").status_code == 404


def test_full_text_needs_retrieval_first_and_a_reason_to_exclude(review, sought, reviewer):
    with pytest.raises(ScreeningError, match="Retrieve the full text first"):
        decide(review, sought[0], reviewer, "include")
    retrieve(review, sought[0], reviewer)
    with pytest.raises(ScreeningError, match="Choose an exclusion reason"):
        decide(review, sought[0], reviewer, "exclude")


def test_two_excludes_with_different_reasons_are_a_conflict(
    review, sought, reviewer, second_reviewer, lead
):
    population = ReasonFactory(review=review, code="EX-POP", label="Wrong population")
    concept = ReasonFactory(review=review, code="EX-CON", label="Wrong concept")
    for record in sought[:2]:
        retrieve(review, record, lead)
    decide(review, sought[0], reviewer, "exclude", reason=population)
    decide(review, sought[0], second_reviewer, "exclude", reason=concept)
    assert Record.objects.get(pk=sought[0].pk).ft_status == "conflict"
    resolve_record(
        review=review, record_id=sought[0].pk, stage=FT, lead=lead, value="exclude", reason=concept
    )
    decide(review, sought[1], reviewer, "exclude", reason=population)
    decide(review, sought[1], second_reviewer, "exclude", reason=population)
    counts = prisma_counts(review)
    assert counts["excluded_fulltext"] == {"Wrong population": 1, "Wrong concept": 1}
    assert counts["assessed"] == 2


def test_reports_linked_to_one_study_count_once(review, sought, reviewer, second_reviewer, lead):
    for record in sought[:3]:
        retrieve(review, record, lead)
        decide(review, record, reviewer, "include")
        decide(review, record, second_reviewer, "include")
    link_reports(
        review=review, record_ids=[sought[0].pk, sought[1].pk], by=lead, new_label="Warrington 2013"
    )
    counts = prisma_counts(review)
    assert (counts["included_reports"], counts["included_studies"]) == (3, 2)
    # The DESIGN.md invariants.
    assert counts["sought"] == (
        counts["screened"]
        - sum(counts["excluded_screening"].values())
        - counts["awaiting"]["title_abstract"]
        - counts["awaiting"]["conflicts"]
    )
    assert counts["assessed"] == (
        counts["sought"] - counts["not_retrieved"] - counts["awaiting"]["full_text"]
    )
    assert counts["included_reports"] == (
        counts["assessed"] - sum(counts["excluded_fulltext"].values())
    )


def test_bulk_upload_matches_by_doi_or_pmid_and_leaves_the_rest(review, lead, client_for):
    source = SourceFactory(review=review)
    by_doi = RecordFactory(source=source, ta_status="include", doi="10.1002/car.2272")
    by_pmid = RecordFactory(source=source, ta_status="include", pmid="12345678")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("12345678.pdf", PDF)
        zf.writestr("notes.txt", b"not a pdf")
    outcome = bulk_attach(
        review=review,
        uploads=[
            pdf("10.1002_car.2272.pdf"),
            pdf("mystery.pdf"),
            SimpleUploadedFile("bundle.zip", archive.getvalue()),
        ],
        by=lead,
    )
    assert sorted(outcome.matched) == ["10.1002_car.2272.pdf", "12345678.pdf"]
    assert outcome.unmatched == ["mystery.pdf"]
    assert len(outcome.rejected) == 1 and "notes.txt: not a PDF" in outcome.rejected[0]
    assert by_doi.fulltexts.count() == 1 and by_pmid.fulltexts.count() == 1
    mystery = FullText.objects.get(record__isnull=True)
    client_for(lead).post(
        reverse(
            "screening:fulltext-assign", kwargs={"slug": review.slug, "fulltext_id": mystery.pk}
        ),
        {"record": by_doi.pk},
    )
    assert by_doi.fulltexts.count() == 2


def _zip(members: list[tuple[str, bytes]]) -> SimpleUploadedFile:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return SimpleUploadedFile("bundle.zip", archive.getvalue(), content_type="application/zip")


def test_a_small_zip_cannot_unpack_past_the_batch_limit(review, lead, settings):
    settings.FULLTEXT_MAX_BYTES = 1024 * 1024
    settings.FULLTEXT_BATCH_MAX_BYTES = 3 * 1024 * 1024
    big_pdf = b"%PDF-1.4\n" + b"\0" * (1024 * 1024 - 20)  # compresses to about 1 KB
    bomb = _zip([(f"f{i}.pdf", big_pdf) for i in range(8)])
    assert bomb.size < 50_000
    with pytest.raises(RetrievalError, match="comes to more than 3 MB of files"):
        bulk_attach(review=review, uploads=[bomb], by=lead)
    assert not FullText.objects.exists()
    assert not any((Path(settings.MEDIA_ROOT)).rglob("*.pdf"))  # nothing left on disk


def test_oversized_and_oddly_named_zip_members_are_refused_one_by_one(review, lead, settings):
    settings.FULLTEXT_MAX_BYTES = 1024 * 1024
    outcome = bulk_attach(
        review=review,
        uploads=[
            _zip(
                [
                    ("huge.pdf", b"%PDF-1.4\n" + b"\0" * (2 * 1024 * 1024)),
                    ("a/..", PDF),
                    ("fine.pdf", PDF),
                ]
            )
        ],
        by=lead,
    )
    assert outcome.unmatched == ["fine.pdf"]
    assert sorted(outcome.rejected) == [
        "bundle.zip: 'a/..' is not a file name.",
        "huge.pdf: 2 MB is over the 1 MB limit.",
    ]


def test_full_text_page_shows_the_pdf_inline(client_for, review, sought, reviewer, lead):
    fulltext = retrieve(review, sought[0], lead)
    page = client_for(reviewer).get(reverse("screening:screen-ft", kwargs={"slug": review.slug}))
    body = page.content.decode()
    assert f'data-record="{sought[0].pk}"' in body
    assert (
        reverse("screening:fulltext-file", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk})
        in body
    )
    assert 'data-testid="reader"' in body


def test_full_text_conflicts_go_to_the_lead_who_picks_the_reason(
    client_for, review, sought, reviewer, second_reviewer, lead
):
    population = ReasonFactory(review=review, code="EX-POP", label="Wrong population")
    concept = ReasonFactory(review=review, code="EX-CON", label="Wrong concept")
    retrieve(review, sought[0], lead)
    decide(review, sought[0], reviewer, "exclude", reason=population)
    decide(review, sought[0], second_reviewer, "exclude", reason=concept)
    client = client_for(lead)
    url = reverse("screening:conflicts", kwargs={"slug": review.slug})
    page = client.get(url, {"stage": "full_text"}).content.decode()
    assert f'data-record="{sought[0].pk}"' in page
    assert "Wrong population" in page and "Wrong concept" in page
    client.post(
        url,
        {"stage": "full_text", "record": sought[0].pk, "value": "exclude", "reason": population.pk},
    )
    assert prisma_counts(review)["excluded_fulltext"] == {"Wrong population": 1}


def test_a_study_field_that_is_not_a_number_makes_a_new_study_not_an_error(
    client_for, review, sought, reviewer, second_reviewer, lead
):
    record = sought[0]
    retrieve(review, record, lead)
    for user in (reviewer, second_reviewer):
        decide(review, record, user, "include")
    response = client_for(lead).post(
        reverse("screening:studies", kwargs={"slug": review.slug}),
        {"records": [record.pk], "study": "not-a-number", "label": "Smith 2013"},
    )
    assert response.status_code == 302


def test_an_empty_full_text_queue_says_what_is_still_to_come(client_for, review, sought, reviewer):
    body = (
        client_for(reviewer)
        .get(reverse("screening:screen-ft", kwargs={"slug": review.slug}))
        .content.decode()
    )
    assert "Nothing left for you to screen for now: 4 more records wait for their full text" in body


def test_a_study_without_a_label_is_named_as_it_is_cited(review, lead):
    source = SourceFactory(review=review)
    first = RecordFactory(source=source, authors=["Smith, Anna", "Doe, J."], year=2013)
    second = RecordFactory(source=source, authors=["Roe, B."], year=2014)
    study = link_reports(review=review, record_ids=[second.pk, first.pk], by=lead)
    assert study.label == "Smith 2013"


def test_moving_every_report_of_a_study_leaves_no_empty_study(review, lead):
    from screening.models import Study

    source = SourceFactory(review=review)
    a, b = RecordFactory(source=source), RecordFactory(source=source)
    old = link_reports(review=review, record_ids=[a.pk], by=lead, new_label="Old")
    new = link_reports(review=review, record_ids=[b.pk], by=lead, new_label="New")
    link_reports(review=review, record_ids=[a.pk], by=lead, study=new)
    assert list(Study.objects.values_list("label", flat=True)) == ["New"]
    assert not Study.objects.filter(pk=old.pk).exists()


def test_a_bulk_pdf_goes_to_the_record_it_is_named_after_or_to_nobody(review, lead):
    source = SourceFactory(review=review)
    short = RecordFactory(source=source, ta_status="include", doi="10.1/ab12")
    long = RecordFactory(source=source, ta_status="include", doi="10.1/ab123")
    RecordFactory(source=source, ta_status="", doi="10.1/ab1234")  # not sought (yet)
    outcome = bulk_attach(
        review=review,
        uploads=[pdf("10.1_ab123 (1).pdf"), pdf("10.1_ab1234.pdf")],
        by=lead,
    )
    assert outcome.matched == ["10.1_ab123 (1).pdf"]  # the longest key, not the first
    assert outcome.unmatched == ["10.1_ab1234.pdf"]  # exactly another record's: the lead decides
    assert long.fulltexts.count() == 1 and short.fulltexts.count() == 0


def test_a_record_with_a_file_cannot_be_marked_not_retrieved(review, sought, lead):
    retrieve(review, sought[0], lead)
    sought[0].refresh_from_db()
    with pytest.raises(RetrievalError, match="is attached or already has decisions"):
        mark_not_retrieved(review=review, record=sought[0], note="library said no")
    sought[0].refresh_from_db()
    assert sought[0].retrieval == "retrieved"


def test_the_lead_can_remove_a_file_attached_to_the_wrong_record(
    client_for, review, sought, lead, reviewer
):
    fulltext = retrieve(review, sought[0], lead)
    url = reverse(
        "screening:fulltext-remove", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )
    assert client_for(reviewer).post(url).status_code == 403
    response = client_for(lead).post(url)
    assert response.status_code == 302
    sought[0].refresh_from_db()
    assert (sought[0].retrieval, sought[0].fulltexts.count()) == ("", 0)  # sought again


def test_a_file_with_full_text_decisions_stays(review, sought, lead, reviewer):
    from screening.services.fulltext import remove_fulltext

    fulltext = retrieve(review, sought[0], lead)
    decide(review, sought[0], reviewer, "include")
    with pytest.raises(RetrievalError, match="already has full-text decisions"):
        remove_fulltext(review=review, fulltext=fulltext)
    assert FullText.objects.filter(pk=fulltext.pk).exists()


def test_a_link_longer_than_fits_is_refused_with_a_message(review, sought, lead):
    with pytest.raises(RetrievalError, match="at most 1000 fit"):
        attach_url(review=review, record=sought[0], url="https://x.org/" + "a" * 1100, by=lead)


def test_a_study_with_no_included_report_left_is_not_offered(client_for, review, lead):
    source = SourceFactory(review=review)
    included = RecordFactory(source=source, ta_status="include", ft_status="include")
    excluded = RecordFactory(source=source, ta_status="include", ft_status="exclude")
    kept = link_reports(review=review, record_ids=[included.pk], by=lead, new_label="Kept 2013")
    link_reports(review=review, record_ids=[excluded.pk], by=lead, new_label="Ghost 2013")
    page = client_for(lead).get(reverse("screening:studies", kwargs={"slug": review.slug}))
    assert list(page.context["studies"]) == [kept]


def test_a_very_long_group_author_still_makes_a_study_label(review, lead):
    record = RecordFactory(source=SourceFactory(review=review), authors=["G" * 250], year=2020)
    study = link_reports(review=review, record_ids=[record.pk], by=lead)
    assert len(study.label) == 200


def test_an_encrypted_zip_member_is_refused_by_name(review, lead):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("locked.pdf", PDF)
        zf.writestr("fine.pdf", PDF)
    raw = bytearray(data.getvalue())
    raw[6] |= 0x01  # the first member's "encrypted" flag, in its local header
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x01  # and in the central directory
    upload = SimpleUploadedFile("bundle.zip", bytes(raw), content_type="application/zip")
    outcome = bulk_attach(review=review, uploads=[upload], by=lead)
    assert outcome.unmatched == ["fine.pdf"]
    assert len(outcome.rejected) == 1 and outcome.rejected[0].startswith("locked.pdf: cannot be")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", r"paper\.pdf: the file is empty or damaged \(0 bytes\)"),
        (b"\0" * 4096, r"paper\.pdf: the file is empty or damaged \(4,096 bytes, all blank\)"),
        (b"%PD", r"paper\.pdf: the PDF is damaged or cut short \(only 3 bytes arrived\)"),
        (PDF[: len(PDF) // 2], r"paper\.pdf: the PDF is damaged or cut short"),  # a broken download
    ],
)
def test_an_empty_or_truncated_pdf_is_refused_as_such(review, sought, lead, content, says):
    upload = SimpleUploadedFile("paper.pdf", content, content_type="application/pdf")
    with pytest.raises(RetrievalError, match=says):
        attach_pdf(review=review, record=sought[0], upload=upload, kind="report", by=lead)
    assert not FullText.objects.exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "paper.pdf: the file is empty or damaged (0 bytes)"),
        (b"\0" * 512, "paper.pdf: the file is empty or damaged (512 bytes, all blank)"),
    ],
)
def test_the_full_text_page_says_empty_or_damaged_not_a_file_type(
    client_for, review, sought, lead, content, says
):
    url = reverse(
        "screening:fulltext-record", kwargs={"slug": review.slug, "record_id": sought[0].pk}
    )
    pdf = SimpleUploadedFile("paper.pdf", content, content_type="application/pdf")
    response = client_for(lead).post(
        url, {"action": "upload", "kind": "report", "file": pdf}, follow=True
    )
    [message] = [m.message for m in response.context["messages"]]
    assert message.startswith(says)
    assert "not a PDF" not in message
