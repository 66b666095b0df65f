"""Signals the review core sends for the apps that build on it (they depend on the core, never
the other way round)."""

from django.dispatch import Signal

# Sent inside the changing transaction when how many decisions a record needs may have dropped:
# the lead lowered a stage's reviewers per record, or a reviewer left (a pilot record needs every
# reviewer). Arguments: `review`, `stages`. Screening settles the records that now have all the
# decisions they need; nobody would ever be served them again.
decisions_needed_changed = Signal()
