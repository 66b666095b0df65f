from django.contrib import admin

from .models import (
    CriteriaVersion,
    EligibilityCriterion,
    ExclusionReason,
    Invitation,
    Membership,
    Review,
    ReviewQuestion,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "added_by"]


class QuestionInline(admin.TabularInline):
    model = ReviewQuestion
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "created_at"]
    search_fields = ["slug", "title"]
    inlines = [MembershipInline, QuestionInline]
    # Changing these settles records (services.save_review_settings): the settings page does it.
    readonly_fields = ["ta_reviewers_per_record", "ft_reviewers_per_record"]


class CriterionInline(admin.TabularInline):
    model = EligibilityCriterion
    extra = 0


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(admin.ModelAdmin):
    list_display = ["review", "number", "created_at", "created_by"]
    inlines = [CriterionInline]


@admin.register(ExclusionReason)
class ExclusionReasonAdmin(admin.ModelAdmin):
    list_display = ["review", "code", "label", "active"]
    list_filter = ["review"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["review", "invited_as", "user", "role", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["invited_as", "review__slug"]
    raw_id_fields = ["user", "invited_by"]
