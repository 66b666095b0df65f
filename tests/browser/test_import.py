from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, MembershipFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parent.parent / "data"


def test_lead_uploads_a_file_and_sees_its_records_and_count(page, live_server, login):
    review = ReviewFactory(slug="upload-demo", title="Upload demo")
    MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead")
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/upload-demo/sources/")
    expect(page.get_by_text("No search results yet")).to_be_visible()
    page.get_by_label("Export files").set_input_files(str(DATA / "small.ris"))
    page.get_by_label("Source name").fill("PsycINFO")
    page.get_by_label("Platform").fill("Ovid")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("source-count")).to_have_text("3")
    expect(page.get_by_test_id("job-message")).to_contain_text("3 records imported")
    page.get_by_role("link", name="Records").first.click()
    rows = page.get_by_test_id("records").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_text("Young people's participation in child sexual")).to_be_visible()
