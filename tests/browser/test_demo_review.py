import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo import protocol as demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_logs_in_and_sees_the_five_questions(page, live_server, login):
    call_command("seed_demo")
    login("lead", "review-demo")
    page.get_by_role("link", name=demo.TITLE).click()
    questions = page.get_by_test_id("questions").locator("li")
    expect(questions).to_have_count(5)
    expect(questions.nth(4)).to_have_text(demo.QUESTIONS[4])
    expect(page.get_by_test_id("review-notice")).to_contain_text("illustrative reconstructions")
