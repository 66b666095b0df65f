"""Numbers in requests: anything but ASCII digits in range is a 400 that says what was wrong.

`str.isdigit()` takes "²" (then `int()` fails: a 500), "٣" and a full-width one (which `int()`
reads as 3 and 1); a number past PostgreSQL's integer range fails in the query.
"""

import pytest
from django.urls import reverse

from screening.importers.ris import parse_ris
from screening.models import FullText
from screening.services.decisions import record_decision
from tests.factories import RecordFactory, SourceFactory

BAD = ["²", "٣", "\uff11", "-1", "2147483648", "99999999999999999999999999", "1e3"]
TA = "title_abstract"


@pytest.fixture
def setup(review, lead, reviewer, second_reviewer):
    record = RecordFactory(source=SourceFactory(review=review))
    for person, value in ((reviewer, "include"), (second_reviewer, "exclude")):
        record_decision(review=review, record_id=record.pk, stage=TA, reviewer=person, value=value)
    unassigned = FullText.objects.create(review=review, url="https://example.org/a.pdf")
    return {"record": record, "fulltext": unassigned}


def requests_with(review, setup, bad: str) -> dict[str, tuple[str, str, dict]]:
    """Each endpoint that reads a number: (who, method, url, data) with `bad` in its place."""
    slug = {"slug": review.slug}
    record = str(setup["record"].pk)
    decide = {"value": "include", "note": ""}
    resolve = {"value": "include", "stage": TA}
    return {
        "screen ?record=": ("reviewer", "get", reverse("screening:screen-ta", kwargs=slug),
                            {"record": bad}),
        "full text ?record=": ("reviewer", "get", reverse("screening:screen-ft", kwargs=slug),
                               {"record": bad}),
        "decision record": ("reviewer", "post", reverse("screening:screen-ta", kwargs=slug),
                            {**decide, "record": bad}),
        "conflicts record": ("lead", "post", reverse("screening:conflicts", kwargs=slug),
                             {**resolve, "record": bad}),
        "conflicts reason": ("lead", "post", reverse("screening:conflicts", kwargs=slug),
                             {**resolve, "record": record, "value": "exclude", "reason": bad}),
        "conflicts undo record": ("lead", "post", reverse("screening:conflicts", kwargs=slug),
                                  {"action": "undo", "stage": TA, "record": bad}),
        "studies records": ("lead", "post", reverse("screening:studies", kwargs=slug),
                            {"records": [record, bad], "action": "link"}),
        "pilot size": ("lead", "post", reverse("screening:agreement-pilot", kwargs=slug),
                       {"action": "sample", "size": bad}),
        "full-text assign record": ("lead", "post", reverse(
            "screening:fulltext-assign", kwargs={**slug, "fulltext_id": setup["fulltext"].pk}
        ), {"record": bad}),
    }  # fmt: skip


ENDPOINTS = [
    "screen ?record=",
    "full text ?record=",
    "decision record",
    "conflicts record",
    "conflicts reason",
    "conflicts undo record",
    "studies records",
    "pilot size",
    "full-text assign record",
]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_number_that_is_not_ascii_digits_in_range_is_a_400_with_a_message(
    client_for, review, setup, lead, reviewer, endpoint, bad
):
    who, method, url, data = requests_with(review, setup, bad)[endpoint]
    client = client_for({"lead": lead, "reviewer": reviewer}[who])
    for headers in ({}, {"HX-Request": "true"}):
        response = getattr(client, method)(url, data, headers=headers)
        assert response.status_code == 400, (endpoint, bad, headers)
        body = response.content.decode()
        assert "whole number" in body or "Select a valid choice" in body, body[:2000]


def test_the_message_names_the_parameter_and_the_range(client_for, review, lead, setup):
    url = reverse("screening:agreement-pilot", kwargs={"slug": review.slug})
    response = client_for(lead).post(url, {"action": "sample", "size": "٣"})
    assert response.status_code == 400
    assert "Pilot size: give a whole number from 1 to 1000." in response.content.decode()


def test_a_good_number_still_works(client_for, review, reviewer, setup):
    url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
    response = client_for(reviewer).get(url, {"record": str(setup["record"].number)})
    assert response.status_code == 200
    assert f'data-record="{setup["record"].pk}"' in response.content.decode()


def test_a_ris_year_or_pmid_in_other_digits_is_not_read_as_a_number():
    # A mis-encoded export (a superscript and full-width digits where the year should be).
    text = "TY  - JOUR\nTI  - A title\nPY  - ²０１２\nDB  - PubMed\nAN  - ١٢٣\nER  - \n"
    (record,) = parse_ris(text)
    assert record.year is None
    assert record.pmid == ""
