"""Views for the review itself: my reviews, create, dashboard, settings, team."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import invitations, services
from .access import get_review_for, memberships_for
from .forms import (
    AddMemberForm,
    CreateCollaboratorForm,
    CriteriaForm,
    InviteForm,
    QuestionFormSet,
    ReasonFormSet,
    ReviewCreateForm,
    ReviewSettingsForm,
    RoleForm,
)
from .models import EligibilityCriterion, Invitation, Membership, Role


def may_create_reviews(user) -> bool:
    """REVIEW_CREATION: anyone signed in, or those the site admin gave reviewapp.add_review."""
    return settings.REVIEW_CREATION == "anyone" or user.has_perm("reviewapp.add_review")


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviewapp/home.html",
        {
            "memberships": memberships_for(request.user),
            "invitations": Invitation.objects.awaiting(request.user),
            "may_create": may_create_reviews(request.user),
        },
    )


@login_required
@require_POST
def invitation_respond(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """The invitee accepts or declines (404 for anyone else's, or one no longer open)."""
    if request.POST.get("action") == "accept":
        membership = invitations.accept_invitation(invitation_id=invitation_id, user=request.user)
        review = membership.review
        messages.success(
            request, f"You joined '{review.title}' as {membership.get_role_display()}."
        )
        return redirect("reviewapp:dashboard", slug=review.slug)
    if request.POST.get("action") == "decline":
        invitation = invitations.decline_invitation(invitation_id=invitation_id, user=request.user)
        messages.success(request, f"You declined the invitation to '{invitation.review.title}'.")
        return redirect("home")
    return HttpResponseBadRequest("Accept or decline: action is 'accept' or 'decline'.")


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    if not may_create_reviews(request.user):
        raise PermissionDenied("Starting a review needs the site admin's permission.")
    form = ReviewCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.create_review(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Review '{review.title}' created. You are its lead.")
            return redirect("reviewapp:settings", slug=review.slug)
    return render(request, "reviewapp/create.html", {"form": form})


@login_required
@require_safe
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    from .dashboard import dashboard_context  # reads through the apps' query functions

    return render(request, "reviewapp/dashboard.html", dashboard_context(review, request.user))


def _criteria_initial(review) -> dict[str, str]:
    version = services.current_criteria(review)
    criteria = list(version.criteria.all())
    return {
        "include": "\n".join(
            c.text for c in criteria if c.kind == EligibilityCriterion.Kind.INCLUDE
        ),
        "exclude": "\n".join(
            c.text for c in criteria if c.kind == EligibilityCriterion.Kind.EXCLUDE
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    section = request.POST.get("section") if request.method == "POST" else None
    data = request.POST if section else None
    general = ReviewSettingsForm(data if section == "general" else None, instance=review)
    questions = QuestionFormSet(data if section == "questions" else None, review=review, prefix="q")
    criteria = CriteriaForm(
        data if section == "criteria" else None, initial=_criteria_initial(review)
    )
    reasons = ReasonFormSet(data if section == "reasons" else None, review=review, prefix="r")
    bound = {"general": general, "questions": questions, "criteria": criteria, "reasons": reasons}
    form = bound.get(section or "")
    if form is not None and form.is_valid():
        _save_settings_section(request, review, section, form)
        return redirect(f"{request.path}#{section}")
    if form is not None:
        messages.error(request, "Nothing was saved: correct the marked fields.")
    versions = review.criteria_versions.prefetch_related("criteria").select_related("created_by")
    return render(
        request,
        "reviewapp/settings.html",
        {"review": review, "versions": versions, "active": section, **bound},
        status=400 if form is not None else 200,
    )


def _save_settings_section(request: HttpRequest, review, section: str, form) -> None:
    if section == "criteria":
        version = services.update_criteria(
            review=review,
            by=request.user,
            include=form.cleaned_data["include"].splitlines(),
            exclude=form.cleaned_data["exclude"].splitlines(),
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"Eligibility criteria: version {version.number} in force.")
        return
    if section == "general":
        services.save_review_settings(form)
    else:
        with transaction.atomic():
            form.save()
    messages.success(request, f"Saved {section}.")


def _try_team_action(request: HttpRequest, review, action: str, form) -> int:
    """Carry out a posted team form: 302 when done, else the status its page answers with
    (its errors on the form: 400, or 429 for too many invitations)."""
    if not form.is_valid():
        return 400
    try:
        _save_team_action(request, review, action, form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return 400
    except invitations.TooManyInvitations as error:
        form.add_error(None, str(error))
        return 429
    return 302


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and not review.membership.is_lead:
        raise PermissionDenied("Only a lead changes the team.")
    if action in {"add", "create"} and not request.user.is_staff:
        # These say whether an account exists: only staff, who see accounts anyway.
        raise PermissionDenied("Invite people instead: staff add accounts directly.")
    invite_form = InviteForm(request.POST if action == "invite" else None, prefix="invite")
    add_form = AddMemberForm(request.POST if action == "add" else None, prefix="add")
    new_form = CreateCollaboratorForm(request.POST if action == "create" else None, prefix="new")
    form = {"invite": invite_form, "add": add_form, "create": new_form}.get(action or "")
    status = 200 if form is None else _try_team_action(request, review, action, form)
    if status == 302:
        return redirect("reviewapp:team", slug=review.slug)
    members = review.memberships.select_related("user", "added_by").order_by("user__username")
    return render(
        request,
        "reviewapp/team.html",
        {
            "review": review,
            "members": members,
            "invitations": Invitation.objects.listed_for_lead(review),
            "invite_form": invite_form,
            "add_form": add_form,
            "new_form": new_form,
            "roles": Role.choices,
        },
        status=status,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    invitation = invitations.revoke_invitation(review=review, invitation_id=invitation_id)
    messages.success(request, f"The invitation to '{invitation.invited_as}' is withdrawn.")
    return redirect("reviewapp:team", slug=review.slug)


def _save_team_action(request: HttpRequest, review, action: str, data: dict) -> None:
    if action == "invite":
        invitations.invite(review=review, who=data["who"], role=data["role"], by=request.user)
        messages.success(request, invitations.neutral_answer(data["who"]))
        return
    if action == "add":
        membership = services.add_member(
            review=review, user=data["username"], role=data["role"], by=request.user
        )
    else:
        membership = services.create_collaborator(
            review=review,
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password"],
            role=data["role"],
            by=request.user,
        )
    messages.success(
        request, f"{membership.user.get_username()} joined as {membership.get_role_display()}."
    )


@login_required
@require_POST
def team_member(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), review=review, pk=member_id
    )
    try:
        if request.POST.get("action") == "remove":
            services.remove_member(membership=membership)
            messages.success(request, f"{membership.user.get_username()} left the team.")
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose a role: lead, reviewer or viewer.")
            services.change_role(membership=membership, role=form.cleaned_data["role"])
            messages.success(
                request,
                f"{membership.user.get_username()} is now {membership.get_role_display()}.",
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if membership.user_id == request.user.pk:
        mine = Membership.objects.filter(review=review, user=request.user).first()
        if mine is None:  # they left the review: its pages are no longer theirs
            return redirect("home")
        if mine.role != Role.LEAD:
            return redirect("reviewapp:dashboard", slug=review.slug)
    return redirect("reviewapp:team", slug=review.slug)
