"""Named reads of the extraction app."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from reviewapp.models import Membership

# A per-reviewer extraction table holds its requester's own draft charts, which charting keeps
# from everyone else (blind mode or not) until the study's comparison opens.
PER_REVIEWER = Q(kind="extraction", options__per_reviewer=True)


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, membership: Membership) -> ExportJobQuerySet:
        """The review's jobs this member may see and download: a blind reviewer only their own
        (anyone else's file may hold colleagues' decisions); everyone only their own
        per-reviewer extraction tables."""
        jobs = self.filter(review=membership.review).select_related("review", "requested_by")
        if membership.is_blind:
            return jobs.filter(requested_by=membership.user)
        # A subquery, not exclude(PER_REVIEWER & ...): a job without the option has a NULL key,
        # which would make the negated condition NULL and hide the job from everyone.
        theirs = self.filter(PER_REVIEWER).exclude(requested_by=membership.user)
        return jobs.exclude(pk__in=theirs.values("pk"))
