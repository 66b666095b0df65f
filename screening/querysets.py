"""QuerySets name the reads: Record.objects.in_review(r).unique() and so on."""

from __future__ import annotations

import json
import re

from django.db import models
from django.db.models import F, Q


class RecordQuerySet(models.QuerySet):
    def in_review(self, review) -> RecordQuerySet:
        return self.filter(review=review)

    def unique(self) -> RecordQuerySet:
        """Records that go on to screening: not marked as a duplicate of another."""
        return self.filter(duplicate_of__isnull=True)

    def duplicates(self) -> RecordQuerySet:
        return self.filter(duplicate_of__isnull=False)

    def search(self, text: str) -> RecordQuerySet:
        """Title, abstract, DOI, PMID or author text (case-insensitive), or a record's number
        (#12 or 12)."""
        text = text.strip()
        if not text:
            return self
        query = Q(title__icontains=text) | Q(abstract__icontains=text)
        digits = text.removeprefix("#")
        if digits.isascii() and digits.isdigit() and len(digits) < 10:
            query |= Q(number=int(digits))
        # A DOI as copied from a browser or a reference list: the stored DOI has no prefix.
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.IGNORECASE)
        query |= Q(doi__iexact=doi.lower()) | Q(pmid=text)
        query |= Q(authors__icontains=text)
        if not text.isascii():
            # SQLite keeps JSON with non-ASCII letters escaped (M\u00fcller): match that too.
            query |= Q(authors__icontains=json.dumps(text)[1:-1])
        return self.filter(query)

    def for_list(self) -> RecordQuerySet:
        return (
            self.select_related("source")
            .defer("raw", "abstract")
            .annotate(duplicate_number=F("duplicate_of__number"))
        )
