"""Every main page runs under the Content-Security-Policy without a single violation: no inline
script, handler or style the policy would refuse (the browser reports each one as a
securitypolicyviolation event and a console message, and this test fails on either).

Pages added later go into PAGES (a path inside the review, and the persona who opens it)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import ImportJob
from screening.services.decisions import record_decision
from screening.services.fulltext import attach_pdf
from tests.factories import (
    PASSWORD,
    DuplicatePairFactory,
    MembershipFactory,
    ReasonFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = (Path(__file__).resolve().parent.parent / "data" / "tiny.pdf").read_bytes()

# (path inside /reviews/<slug>/, who looks): the lead sees every control a page has.
PAGES = [
    ("", "lead"),
    ("screen/title-abstract/", "rev1"),
    ("screen/full-text/", "rev1"),
    ("conflicts/", "lead"),
    ("records/", "lead"),
    ("settings/", "lead"),
    ("team/", "lead"),
    ("sources/", "lead"),
    ("duplicates/", "lead"),
    ("full-texts/", "lead"),
    ("agreement/", "lead"),
    ("prioritise/", "lead"),
    ("studies/", "lead"),
    # Charting (the chart page itself: tests/browser/test_charting.py watches it).
    ("extraction/", "lead"),
    ("extraction/form/", "lead"),
    ("themes/", "lead"),
    ("themes/codebook/", "lead"),
    ("dictionary/", "lead"),
    ("full-texts/search/?q=young+people&scope=all", "lead"),
    ("prisma/", "lead"),  # the inline SVG diagram: presentation attributes, no style
]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def a_review_with_something_on_every_page():
    review = ReviewFactory(
        slug="csp", include_terms="young people\nparticipat*", exclude_terms="adult*"
    )
    users = {}
    for name, role in (("lead", "lead"), ("rev1", "reviewer"), ("rev2", "reviewer")):
        users[name] = UserFactory(username=name)
        MembershipFactory(review=review, user=users[name], role=role)
    ReasonFactory(review=review, code="EX-POP", label="Wrong population", number=1)
    source = SourceFactory(review=review)
    abstract = "How young people participate in services; adults were not asked."
    records = RecordFactory.create_batch(3, source=source, abstract=abstract)
    sought = RecordFactory(source=source, ta_status="include", abstract=abstract)
    for name, value in (("rev1", "include"), ("rev2", "exclude")):
        record_decision(
            review=review, record_id=records[0].pk, stage="title_abstract",
            reviewer=users[name], value=value,
        )  # fmt: skip
    DuplicatePairFactory(keep=records[1], duplicate=records[2], score=90)
    attach_pdf(
        review=review, record=sought, upload=SimpleUploadedFile("paper.pdf", PDF),
        kind="report", by=users["lead"],
    )  # fmt: skip
    ImportJob.objects.create(
        review=review, file_name="embase.ris", status="running", phase="Reading", progress=40,
        created_by=users["lead"],
    )  # fmt: skip
    return review


def test_every_main_page_passes_the_content_security_policy(page, live_server, login):
    review = a_review_with_something_on_every_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(WATCH)
    for username in ("lead", "rev1"):
        page.context.clear_cookies()
        login(username, PASSWORD)
        for path, who in PAGES:
            if who != username:
                continue
            url = f"{live_server.url}/reviews/{review.slug}/{path}"
            response = page.goto(url)
            assert response.status == 200, url
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("load")
            found = page.evaluate("window.__cspViolations")
            problems += [f"{path}: {violation}" for violation in found]
    assert problems == [], "\n".join(problems)


def test_the_policy_refuses_an_inline_script(page, live_server, login):
    """The watch itself works: a page that did run inline code would be reported."""
    a_review_with_something_on_every_page()
    page.add_init_script(WATCH)
    login("lead", PASSWORD)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("window.__cspViolations[0]").startswith("script-src")


def test_progress_bars_get_their_width_without_a_style_attribute(page, live_server, login):
    review = a_review_with_something_on_every_page()
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/{review.slug}/sources/")
    bar = page.get_by_test_id("job").locator(".progress-bar")
    assert bar.get_attribute("style") is None or "40%" in bar.get_attribute("style")
    page.wait_for_function("document.querySelector('[data-testid=job] .progress-bar').style.width")
    assert bar.evaluate("el => el.style.width") == "40%"
