"""What every export writer is given: the review, who asks (blind mode), options, progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet

from reviewapp.models import Review

CHUNK = 2000


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class ExportContext:
    """An export's inputs. `user_id` None is the command line, which sees everything."""

    review: Review
    user_id: int | None = None
    blind: bool = False  # the person exporting is a reviewer in blind mode
    options: dict = field(default_factory=dict)
    progress: Callable[[int, int], None] = _no_progress

    @property
    def bom(self) -> bool:
        return bool(self.options.get("bom"))


def in_chunks(queryset: QuerySet, size: int | None = None) -> Iterator[list]:
    """Rows by primary key, `size` (else CHUNK) at a time (keyset paging: each page one indexed
    query, and memory flat whatever the table's size)."""
    size = size or CHUNK
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk
