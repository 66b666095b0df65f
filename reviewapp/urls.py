"""URLs are stable (people bookmark and share them): see DESIGN.md."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import errors, views
from .login import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm

admin.site.login_form = ThrottledAdminAuthenticationForm

review_patterns = (
    [
        path("", views.dashboard, name="dashboard"),
        path("settings/", views.review_settings, name="settings"),
        path("team/", views.team, name="team"),
        path("team/<int:member_id>/", views.team_member, name="team-member"),
        path(
            "team/invitations/<int:invitation_id>/revoke/",
            views.invitation_revoke,
            name="invitation-revoke",
        ),
    ],
    "reviewapp",
)

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Browsers ask for /favicon.ico where a page names no icon (a PDF, a JSON answer).
    path("favicon.ico", errors.favicon),
    path("admin/", admin.site.urls),
    path("", views.home, name="home"),
    path("reviews/new/", views.review_create, name="review-create"),
    path("invitations/<int:invitation_id>/", views.invitation_respond, name="invitation-respond"),
    path("reviews/<slug:slug>/", include(review_patterns)),
    path("reviews/<slug:slug>/", include("screening.urls")),
    path("reviews/<slug:slug>/", include("extraction.urls")),
]

handler400 = "reviewapp.errors.bad_request"
handler403 = "reviewapp.errors.permission_denied"
handler404 = "reviewapp.errors.page_not_found"
