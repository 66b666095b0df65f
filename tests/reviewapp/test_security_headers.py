"""Security headers on every answer: a Content-Security-Policy of our own files only, a
Permissions-Policy, no caching of signed-in pages or PDFs; HSTS subdomains/preload opt-in; and
templates that the policy lets through (no inline script, handler, javascript: URL or style)."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.services.fulltext import attach_pdf
from tests.factories import RecordFactory, SourceFactory
from tests.test_settings_env import run_manage

REPO = Path(__file__).resolve().parent.parent.parent
PDF = (REPO / "tests" / "data" / "tiny.pdf").read_bytes()


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def test_a_signed_in_page_has_the_policy_and_is_not_cached(client_for, review, lead):
    response = client_for(lead).get(reverse("reviewapp:dashboard", kwargs={"slug": review.slug}))
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache


def test_the_login_page_has_the_policy_too(client):
    response = client.get(reverse("login"))
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert "Permissions-Policy" in response


def test_a_pdf_is_not_cached(client_for, review, lead):
    record = RecordFactory(source=SourceFactory(review=review), ta_status="include")
    fulltext = attach_pdf(
        review=review, record=record, upload=SimpleUploadedFile("p.pdf", PDF), kind="report",
        by=lead,
    )  # fmt: skip
    url = reverse(
        "screening:fulltext-file", kwargs={"slug": review.slug, "fulltext_id": fulltext.pk}
    )
    response = client_for(lead).get(url)
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache
    # Chromium's PDF viewer is a plugin a page policy (object-src 'none') would block.
    assert "Content-Security-Policy" not in response


def test_the_policy_can_be_report_only(client_for, review, lead, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = True
    response = client_for(lead).get(reverse("reviewapp:dashboard", kwargs={"slug": review.slug}))
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


# What a policy without 'unsafe-inline' refuses, as it would be written in a template.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "htmx inline handler": re.compile(r"\shx-on", re.IGNORECASE),
}


def test_no_template_holds_what_the_policy_refuses():
    templates = sorted((REPO / "templates").rglob("*.html"))
    templates += sorted(REPO.glob("*/templates/**/*.html"))
    assert len(templates) > 10
    found = [
        f"{path.relative_to(REPO)}: {kind}"
        for path in templates
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    ("env", "include_subdomains", "preload"),
    [
        ({}, "False", "False"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "1"}, "True", "False"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "1"}, "True", "True"),
    ],
)
def test_hsts_subdomains_and_preload_are_opt_in(env, include_subdomains, preload):
    result = run_manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)",
        SECRET_KEY="x7-production-like-secret-key-with-enough-entropy-0123456789-abcdefghij",
        ALLOWED_HOSTS="reviews.example.org",
        DEBUG="0",
        **env,
    )
    assert result.stdout.split() == ["31536000", include_subdomains, preload], result.stderr
