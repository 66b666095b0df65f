"""The PDF view answers byte ranges (206/416) so pdf.js fetches only the pages it shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from screening.byteranges import Unsatisfiable, parse_range
from tests.screening.test_fulltext import PDF, retrieve, sought  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=10-", (10, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("BYTES = 5 - 6", (5, 6)),
        ("bytes=0-1,5-9", None),  # several ranges: the whole file
        ("bytes=9-3", None),  # invalid: ignored
        ("items=0-9", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=2000-3000", "bytes=-0"])
def test_a_range_outside_the_file_is_unsatisfiable(header):
    with pytest.raises(Unsatisfiable):
        parse_range(header, 1000)


@pytest.fixture
def url(review, sought, lead):  # noqa: F811
    fulltext = retrieve(review, sought[0], lead)
    return reverse(
        "screening:fulltext-file", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )


def test_the_whole_pdf_says_it_accepts_ranges(client_for, url, viewer):
    response = client_for(viewer).get(url)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(PDF))
    assert b"".join(response.streaming_content) == PDF


def test_a_range_is_answered_206_with_the_same_headers(client_for, url, viewer):
    response = client_for(viewer).get(url, headers={"Range": "bytes=5-24"})
    assert response.status_code == 206
    assert response.content == PDF[5:25]
    assert response["Content-Range"] == f"bytes 5-24/{len(PDF)}"
    assert response["Content-Length"] == "20"
    assert response["Content-Type"] == "application/pdf"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache
    assert "Content-Security-Policy" not in response


def test_a_suffix_range_gives_the_end_of_the_file(client_for, url, viewer):
    response = client_for(viewer).get(url, headers={"Range": "bytes=-10"})
    assert response.status_code == 206
    assert response.content == PDF[-10:]
    assert response["Content-Range"] == f"bytes {len(PDF) - 10}-{len(PDF) - 1}/{len(PDF)}"


def test_a_range_past_the_end_is_416(client_for, url, viewer):
    response = client_for(viewer).get(url, headers={"Range": f"bytes={len(PDF)}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(PDF)}"
    assert response.content == b""


def test_several_ranges_or_if_range_get_the_whole_file(client_for, url, viewer):
    client = client_for(viewer)
    several = client.get(url, headers={"Range": "bytes=0-1,4-5"})
    assert several.status_code == 200
    assert b"".join(several.streaming_content) == PDF
    changed = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert changed.status_code == 200


def test_an_outsider_gets_404_even_for_a_range(client_for, url, outsider):
    assert client_for(outsider).get(url, headers={"Range": "bytes=0-9"}).status_code == 404
