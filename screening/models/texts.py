"""The extracted text of a full text's PDF, one row a page (quotes are checked against it)."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from .records import FullText


class FullTextPage(models.Model):
    fulltext = models.ForeignKey(FullText, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(help_text="1-based, as the reader shows it.")
    text = models.TextField(blank=True)
    # PostgreSQL only: the page's words for full-text search (to_tsvector('english', text)),
    # kept so a search reads them from its GIN index instead of parsing every page again.
    # Stays empty on SQLite, which searches the text itself (screening.textsearch).
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["fulltext", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fulltext", "number"], name="one_text_per_page"),
        ]

    def __str__(self) -> str:
        return f"{self.fulltext} p. {self.number}"
