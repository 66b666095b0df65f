"""Template filters of the exports page."""

from django import template

from ..exports.kinds import LABELS

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    """What people call an export kind ("Extraction table"), not its key."""
    return LABELS.get(kind, kind)
