"""{% checked_quotes study chart_or_charts... as checks %} for the chart and consensus pages."""

from __future__ import annotations

from django import template

from ..quote_checks import CheckedQuote, checked_quotes

register = template.Library()


@register.simple_tag(name="checked_quotes")
def checked_quotes_tag(study, *charts) -> list[CheckedQuote]:
    """The quotes of the charts given (single charts or lists of them), checked."""
    flat = []
    for chart in charts:
        flat += list(chart) if isinstance(chart, list | tuple) else [chart]
    return checked_quotes(study, flat)
