"""Log in, log out, change password, and 'my reviews' lists only mine."""

from tests.factories import PASSWORD, ReviewFactory


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_with_username_and_password_lands_on_my_reviews(client, lead, review):
    response = client.post(
        "/accounts/login/", {"username": "lead", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert review.title in response.content.decode()


def test_wrong_password_says_so(client, lead):
    response = client.post("/accounts/login/", {"username": "lead", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_my_reviews_lists_only_reviews_i_belong_to(client_for, reviewer, review):
    hidden = ReviewFactory(title="A review I am not in")
    page = client_for(reviewer).get("/").content.decode()
    assert review.title in page
    assert hidden.title not in page


def test_logout_is_a_post(client_for, lead):
    client = client_for(lead)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client_for, lead):
    client = client_for(lead)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password("a-new-long-passphrase")
