"""Error pages (#17.12, #17.15): the site's layout, plain words, a way back; a 404 tells nothing."""

import re

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from reviewapp.errors import bad_request
from tests.factories import UserFactory

HOME = reverse("home")


def _without_token(body: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def test_a_review_the_user_cannot_see_looks_like_one_that_does_not_exist(
    client_for, review, outsider
):
    client = client_for(outsider)
    hidden = client.get(reverse("reviewapp:dashboard", kwargs={"slug": review.slug}))
    missing = client.get(reverse("reviewapp:dashboard", kwargs={"slug": "no-such-review"}))
    assert (hidden.status_code, missing.status_code) == (404, 404)
    body = hidden.content.decode()
    assert 'class="navbar' in body  # the site's layout
    assert f'<a href="{HOME}">Back to my reviews</a>' in body
    assert "There is no page at this address, or it is not yours to see." in body
    assert review.title not in body
    assert _without_token(body) == _without_token(missing.content.decode())


def test_a_member_without_the_role_is_told_which_role_it_needs(client_for, review, viewer):
    response = client_for(viewer).get(reverse("reviewapp:settings", kwargs={"slug": review.slug}))
    assert response.status_code == 403
    body = response.content.decode()
    assert "<title>Not allowed · ReviewApp</title>" in body
    assert "This needs the lead role in this review." in body
    assert f'<a href="{HOME}">Back to my reviews</a>' in body


def test_htmx_gets_the_error_as_a_fragment_not_a_second_page(client_for, review, viewer):
    url = reverse("reviewapp:settings", kwargs={"slug": review.slug})
    response = client_for(viewer).get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-page" data-status="403"' in body
    assert "<html" not in body and "navbar" not in body


@pytest.mark.django_db
def test_a_bad_request_page_has_the_layout_and_hides_the_technical_message():
    request = RequestFactory().get("/reviews/x/")
    request.user = UserFactory()
    response = bad_request(request, SuspiciousOperation("Invalid HTTP_HOST header: evil"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "This request was not understood." in body and 'class="navbar' in body
    assert "evil" not in body


def test_a_server_error_page_has_the_layout_and_a_way_back():
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "<title>Something went wrong · ReviewApp</title>" in body
    assert f'<a href="{HOME}">Back to my reviews</a>' in body


def test_every_page_names_its_icon_and_the_old_address_leads_to_it(client):
    login = client.get(reverse("login")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', login)
    assert icon is not None and icon.group(1).endswith("favicon.svg")
    old = client.get("/favicon.ico")
    assert (old.status_code, old["Location"]) == (301, icon.group(1))


def test_an_expired_form_says_so_in_the_layout(review, lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post(reverse("reviewapp:settings", kwargs={"slug": review.slug}), {})
    body = response.content.decode()
    assert response.status_code == 403
    assert "<title>Form expired · ReviewApp</title>" in body
    assert "What you sent was not saved" in body and 'class="navbar' in body
