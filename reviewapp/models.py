"""The review itself: its protocol, team, questions, criteria and exclusion reasons.

This module is the core every other app builds on; it never imports screening or extraction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.LEAD: 2}


class Stage(models.TextChoices):
    TITLE_ABSTRACT = "title_abstract", "Title/abstract"
    RETRIEVAL = "retrieval", "Full-text retrieval"
    FULL_TEXT = "full_text", "Full text"


REVIEWERS_PER_RECORD = [(1, "One reviewer"), (2, "Two reviewers (dual, independent)")]
# /reviews/new/ is the create page: a review with that slug could never be reached.
RESERVED_SLUGS = frozenset({"new"})


class Review(models.Model):
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name used in links, e.g. cse-participation. Cannot be changed later.",
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    population = models.TextField(blank=True, help_text="PCC: who the review is about.")
    concept = models.TextField(blank=True, help_text="PCC: the phenomenon of interest.")
    context = models.TextField(blank=True, help_text="PCC: settings, places, services.")
    search_strategy = models.TextField(
        blank=True, help_text="Databases, other methods, limits and search strings."
    )
    notice = models.TextField(
        blank=True, help_text="A line shown on every page of the review (e.g. a disclaimer)."
    )
    ta_reviewers_per_record = models.PositiveSmallIntegerField(
        "reviewers per record at title/abstract",
        choices=REVIEWERS_PER_RECORD,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
    )
    ft_reviewers_per_record = models.PositiveSmallIntegerField(
        "reviewers per record at full text",
        choices=REVIEWERS_PER_RECORD,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
    )
    blind_mode = models.BooleanField(
        default=True,
        help_text="Reviewers never see each other's decisions until the lead resolves a conflict.",
    )
    ta_reason_required = models.BooleanField(
        "exclusion reason required at title/abstract", default=False
    )
    include_terms = models.TextField(
        blank=True,
        help_text="Highlighted in green while screening; one per line, * as a wildcard "
        "(e.g. particip*).",
    )
    exclude_terms = models.TextField(
        blank=True, help_text="Highlighted in red while screening; one per line, * as a wildcard."
    )
    calibration = models.BooleanField(
        "calibration phase",
        default=False,
        help_text="While on, reviewers screen only the pilot set; compare their agreement "
        "before the rest starts.",
    )
    retrain_every = models.PositiveSmallIntegerField(
        "retrain the ranking after every",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="New title/abstract decisions between two retrainings of the ranking model.",
    )
    relevance_hint = models.BooleanField(
        "show reviewers a relevance hint",
        default=False,
        help_text="Off by default: knowing the model's guess can bias a reviewer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def reviewers_per_record(self, stage: str) -> int:
        """How many independent decisions a record needs at this stage."""
        if stage == Stage.TITLE_ABSTRACT:
            return self.ta_reviewers_per_record
        return self.ft_reviewers_per_record


class MembershipQuerySet(models.QuerySet["Membership"]):
    def leads(self) -> MembershipQuerySet:
        return self.filter(role=Role.LEAD)

    def screeners(self) -> MembershipQuerySet:
        return self.filter(role__in=[Role.LEAD, Role.REVIEWER])


class Membership(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REVIEWER)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_membership_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.review.slug}"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def can_screen(self) -> bool:
        return self.has_role(Role.REVIEWER)

    @property
    def is_blind(self) -> bool:
        """A reviewer in blind mode sees only their own decisions (leads and viewers see all)."""
        return self.review.blind_mode and self.role == Role.REVIEWER


class ReviewQuestion(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(help_text="Order in which the question is shown.")
    text = models.TextField()

    class Meta:
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return f"RQ{self.number}: {self.text[:60]}"

    @property
    def label(self) -> str:
        return f"RQ{self.number}"


class CriteriaVersion(models.Model):
    """A frozen set of eligibility criteria; every edit makes a new version."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="criteria_versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="criteria_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.review.slug} criteria v{self.number}"


class EligibilityCriterion(models.Model):
    class Kind(models.TextChoices):
        INCLUDE = "include", "Inclusion"
        EXCLUDE = "exclude", "Exclusion"

    version = models.ForeignKey(CriteriaVersion, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["kind", "number"]

    def __str__(self) -> str:
        return self.text[:80]


code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "Use letters, digits, dots, dashes or underscores."
)


class ExclusionReason(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reasons")
    code = models.CharField(max_length=20, validators=[code_validator])
    label = models.CharField(max_length=200)
    number = models.PositiveSmallIntegerField(default=0, help_text="Order (and key 1-9).")
    at_title_abstract = models.BooleanField("title/abstract", default=True)
    at_retrieval = models.BooleanField("full-text retrieval", default=False)
    at_full_text = models.BooleanField("full text", default=True)
    note_required = models.BooleanField(
        default=False, help_text="Reviewers must explain (e.g. 'Other')."
    )
    active = models.BooleanField(default=True, help_text="Retired reasons stay on old decisions.")

    class Meta:
        ordering = ["number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "code"], name="reason_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    def applies_to(self, stage: str) -> bool:
        return {
            Stage.TITLE_ABSTRACT: self.at_title_abstract,
            Stage.RETRIEVAL: self.at_retrieval,
            Stage.FULL_TEXT: self.at_full_text,
        }[Stage(stage)]

    @property
    def stage_labels(self) -> list[str]:
        return [str(stage.label) for stage in Stage if self.applies_to(stage)]


class LoginFailure(models.Model):
    """Failed logins for one (normalised username, address) pair within a window (login.py).

    A table, not process memory or the per-process cache, so every server process counts on
    the same row and four web workers do not allow four times the attempts."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def unexpired(self) -> InvitationQuerySet:
        return self.filter(expires_at__gt=timezone.now())

    def awaiting(self, user) -> InvitationQuerySet:
        """The invitations `user` may still accept or decline, reviews loaded."""
        return (
            self.filter(user=user, status=Invitation.Status.PENDING)
            .unexpired()
            .select_related("review", "invited_by")
            .order_by("-created_at")
        )

    def listed_for_lead(self, review: Review) -> InvitationQuerySet:
        """What the team page lists: neither accepted nor revoked. A declined invitation stays
        listed as if unanswered: an answer would tell the lead that the account exists."""
        return (
            self.filter(
                review=review, status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED]
            )
            .select_related("invited_by")
            .order_by("-created_at")
        )


class Invitation(models.Model):
    """A lead's invitation to join a review, by username or e-mail, as the lead typed it.

    `user` is the account it was matched to when sent, or empty (no such account, an inactive
    one, or someone already in the team). Nothing the lead sees depends on it: the lead reads
    `invited_as`, and a declined invitation looks to them like one nobody answered."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    invited_as = models.CharField(max_length=254, help_text="The username or e-mail as typed.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REVIEWER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["invited_by", "created_at"], name="invitation_sent_by"),
            models.Index(fields=["user", "status"], name="invitation_for_user"),
        ]

    def __str__(self) -> str:
        return f"{self.invited_as} to {self.review.slug} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
