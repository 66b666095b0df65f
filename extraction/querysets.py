"""Named reads of the extraction app."""

from __future__ import annotations

from django.db import models

from reviewapp.models import Membership


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, membership: Membership) -> ExportJobQuerySet:
        """The review's jobs this member may see and download: a blind reviewer only their own
        (anyone else's file may hold colleagues' decisions)."""
        jobs = self.filter(review=membership.review).select_related("review", "requested_by")
        return jobs.filter(requested_by=membership.user) if membership.is_blind else jobs
