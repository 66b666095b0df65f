"""Code a quote to a theme on a study, then find it in the theme table (through the nav)."""

import pytest
from playwright.sync_api import expect

from demo import protocol as demo
from extraction.models import Code
from extraction.services.themes import load_codebook
from tests.extraction.charting_setup import included_study
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    QuestionFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coded_review():
    review = ReviewFactory(slug="themes-demo", title="Themes demo")
    lead = UserFactory(username="lead")
    MembershipFactory(review=review, user=lead, role="lead")
    MembershipFactory(review=review, user=UserFactory(username="rev1"), role="reviewer")
    for number in range(1, 6):
        QuestionFactory(review=review, number=number)
    load_codebook(review=review, by=lead, codes=demo.CODEBOOK)
    included_study(review, "Warrington 2013")  # only an included study is coded
    return review


def test_reviewer_codes_a_quote_and_sees_it_in_the_theme_table(
    page, live_server, login, coded_review
):
    study = coded_review.studies.get()
    listened = Code.objects.get(review=coded_review, code="T4.2")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/themes-demo/studies/{study.pk}/codes/")
    expect(page.get_by_text("No quotes coded on this study yet.")).to_be_visible()
    page.locator("#id_quote-code").select_option(value=str(listened.pk))
    page.get_by_label("Verbatim quote").fill("She actually listened to what I wanted.")
    page.get_by_label("Page").fill("14")
    page.get_by_role("button", name="Code quote").click()
    quote = page.get_by_test_id("coded-quote")
    expect(quote).to_have_attribute("data-code", "T4.2")  # swapped in by htmx, no reload
    expect(quote).to_contain_text("She actually listened to what I wanted.")
    expect(quote).to_contain_text("p. 14")
    expect(page.get_by_label("Verbatim quote")).to_have_value("")  # a fresh form for the next

    quote.get_by_role("link", name="Edit").click()  # the item turns into its form, in place
    page.locator("#id_edit-page_number").fill("15")
    page.get_by_role("button", name="Save quote").click()
    expect(quote).to_contain_text("p. 15")
    expect(page.get_by_role("button", name="Save quote")).to_have_count(0)

    page.get_by_role("button", name="Charting").click()
    page.get_by_role("link", name="Themes").click()
    theme = page.locator('[data-testid="theme-row"][data-code="T4.2"]')
    expect(theme.get_by_test_id("theme-studies")).to_have_text("1")
    parent = page.locator('[data-testid="theme-row"][data-code="T4"]')
    expect(parent.get_by_test_id("theme-studies")).to_have_text("1")  # a sub-theme counts up
    theme.get_by_text("1 quote").click()
    expect(theme.get_by_text("She actually listened to what I wanted.")).to_be_visible()
    expect(theme.get_by_text("Warrington 2013, p. 15")).to_be_visible()
    rq3 = page.locator('[data-testid="question-themes"][data-question="RQ3"]')
    expect(rq3.get_by_test_id("question-studies")).to_have_text("1")


def test_the_review_nav_fits_one_row_at_1366px_for_the_lead(page, live_server, login, coded_review):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/themes-demo/")
    tops = page.locator("#nav-main .nav-item").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
