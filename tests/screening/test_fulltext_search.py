"""Search across the full texts' extracted text: studies, pages, the matching sentence, roles."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.services.fulltext import attach_pdf
from screening.services.texts import extract_text
from screening.textsearch import matching_sentence, query_words, search_fulltexts
from tests.factories import RecordFactory, SourceFactory, StudyFactory
from tests.pdfs import known_pdf, make_pdf


@pytest.fixture
def library(review, lead):
    """An included study (the known PDF), an excluded one and a still open one."""
    source = SourceFactory(review=review)
    included = RecordFactory(
        source=source, ta_status="include", ft_status="include", title="Young voices"
    )
    excluded = RecordFactory(source=source, ta_status="include", ft_status="exclude")
    pending = RecordFactory(source=source, ta_status="include")
    for record, data in (
        (included, known_pdf()),
        (excluded, make_pdf([["Young people chose the questions here too."]])),
        (pending, make_pdf([["Nothing about the advisory group, or young people."]])),
    ):
        upload = SimpleUploadedFile("study.pdf", data)
        extract_text(
            attach_pdf(review=review, record=record, upload=upload, kind="report", by=lead).pk
        )
    return included, excluded, pending


def search(client, review, q, **params):
    url = reverse("screening:fulltext-search", kwargs={"slug": review.slug})
    return client.get(url, {"q": q, **params})


def test_search_lists_the_included_study_with_its_page_and_sentence(
    client_for, review, viewer, library
):
    included, *_ = library
    page = search(client_for(viewer), review, "chose questions")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="search-study-{included.pk}"' in body
    assert body.count('data-testid="search-hit"') == 1
    fulltext = included.fulltexts.get()
    assert f'/full-texts/{fulltext.pk}/read/#page=2"' in body
    assert "study.pdf, p. 2" in body
    assert '<mark class="term-include">chose</mark>' in body


def test_search_service_pages_and_scope(review, library):
    included, excluded, pending = library
    hits, more = search_fulltexts(review, "young people")
    assert [(hit.record_id, hit.page) for hit in hits] == [(included.pk, 1), (included.pk, 2)]
    assert more is False
    hits, _ = search_fulltexts(review, "young people", included_only=False)
    assert [hit.record_id for hit in hits] == [included.pk, included.pk, excluded.pk, pending.pk]


def test_search_finds_a_word_broken_at_a_line_end_on_its_page(review, library):
    # pdfium joins "participa-/tion": the page's text holds "participa-\ntion" for the reader.
    hits, _ = search_fulltexts(review, "depends on trusted")
    assert [hit.page for hit in hits] == [3]
    assert 'that participation <mark class="term-include">depends</mark>' in hits[0].sentence


def test_search_shows_the_study_label_and_says_when_nothing_matches(
    client_for, review, viewer, library
):
    included, *_ = library
    included.study = StudyFactory(review=review, label="Warrington 2013")
    included.save(update_fields=["study"])
    client = client_for(viewer)
    assert "Warrington 2013" in search(client, review, "advisory").content.decode()
    assert 'data-testid="search-none"' in search(client, review, "zebra").content.decode()


def test_outsider_gets_404_for_the_search_the_reader_the_pdf(client_for, review, outsider, library):
    included, *_ = library
    fulltext = included.fulltexts.get()
    client = client_for(outsider)
    assert search(client, review, "young").status_code == 404
    for name in ("screening:fulltext-read", "screening:fulltext-file"):
        url = reverse(name, kwargs={"slug": review.slug, "fulltext_id": fulltext.pk})
        assert client.get(url).status_code == 404


def test_query_words_drop_websearch_syntax():
    assert query_words('"young people" or -adults participation') == [
        "young",
        "people",
        "participation",
    ]


def test_matching_sentence_escapes_the_text_and_marks_stems():
    text = "First <b>one</b>. Participating young people were asked. Last."
    assert str(matching_sentence(text, ["participation"])) == (
        '<mark class="term-include">Participating</mark> young people were asked.'
    )
    assert "&lt;b&gt;" in matching_sentence(text, ["one"])
