"""Signals the review core sends for the apps that build on it (they depend on the core, never
the other way round)."""

from django.dispatch import Signal

# Sent inside the saving transaction when the lead changes how many reviewers a stage needs per
# record, with `review` and `stages` (the stages whose number changed). Screening settles the
# records that now have all the decisions they need.
reviewers_per_record_changed = Signal()
