"""{% review_terms review as terms %}: the include/exclude terms the PDF reader marks, so any
page can include components/_pdf_reader.html without its view computing them."""

from django import template

from reviewapp.models import Review

from ..highlight import parse_terms, reader_terms
from ..models import FullText

register = template.Library()


@register.simple_tag
def review_terms(review: Review) -> list[tuple[str, str]]:
    """[(term, "include"|"exclude")] of the review's usable terms."""
    return reader_terms(parse_terms(review.include_terms), parse_terms(review.exclude_terms))


@register.simple_tag
def study_fulltext(study) -> FullText | None:
    """The PDF to read for a study: its reports' main report first, then a supplement."""
    return (
        FullText.objects.filter(record__study=study)
        .exclude(file="")
        .order_by("kind", "record_id", "uploaded_at")
        .first()
    )
