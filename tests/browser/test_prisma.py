"""The PRISMA page as a person uses it: open it from the nav, click a number in the diagram,
land on the records behind it, and download the diagram."""

import pytest
from playwright.sync_api import expect

from tests.extraction.prisma_review import build_known_review
from tests.factories import PASSWORD, MembershipFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_number_in_the_diagram_opens_the_records_behind_it(page, live_server, login):
    review = ReviewFactory(slug="prisma-demo", title="PRISMA demo")
    users = {}
    for name, role in (("lead", "lead"), ("rev1", "reviewer"), ("rev2", "reviewer")):
        users[name] = UserFactory(username=name)
        MembershipFactory(review=review, user=users[name], role=role)
    build_known_review(review, users["lead"], users["rev1"], users["rev2"])
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/prisma-demo/")
    page.get_by_role("link", name="PRISMA", exact=True).click()
    diagram = page.get_by_test_id("prisma-diagram")
    expect(diagram.locator("svg")).to_be_visible()
    # The right-hand column's sought reports: the website's, two from reference lists, the expert's.
    diagram.locator("a[href*='box=other_sought']").click()
    expect(page.get_by_test_id("prisma-box")).to_contain_text("Reports sought for retrieval")
    expect(page.get_by_test_id("records").locator("tbody tr")).to_have_count(4)
    page.go_back()
    with page.expect_download() as info:
        page.get_by_role("link", name="SVG", exact=True).click()
    assert info.value.suggested_filename == "prisma-demo-prisma.svg"
