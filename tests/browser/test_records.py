"""The records list in a real browser: the lead selects a page of records and acts on them."""

import pytest
from playwright.sync_api import expect

from screening.models import Resolution
from tests.browser.test_screening import review_with_records, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_selects_every_record_on_the_page_and_excludes_them(page, live_server):
    review, _users, records = review_with_records("bulk-demo", 4, boss="lead")
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server.url}/reviews/bulk-demo/records/")
    page.get_by_label("Select every record on this page").check()
    for record in records:
        expect(page.get_by_label(f"Select record #{record.number}")).to_be_checked()
    page.get_by_label("Note").fill("off topic after the protocol change")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("4 record(s) marked excluded by you")).to_be_visible()
    assert Resolution.objects.filter(record__review=review).count() == 4
